#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <cstddef>
#include <string_view>

namespace sluice::websocket {

/// Sends one WebSocket message to every member of a ChannelGroup of server connections,
/// encoded once per way the members need it rather than once per member (sluice's own;
/// Netty has no equivalent):
///
/// ```cpp
/// WebSocketBroadcast::writeAndFlushText(room, json, {.voidPromise = true});
/// ```
///
/// - Members without permessage-deflate share one encoded frame (the payload copied once
///   behind its header).
/// - Members whose permessage-deflate compresses without context takeover (RFC 7692 7.1.1:
///   each message starts with an empty window, so the result depends only on the settings)
///   share one compressed frame per distinct setting (level, window, memLevel, engine): the
///   message is compressed once per setting, not once per connection. Messages below a
///   member's compressionThreshold go out as the uncompressed frame.
/// - Members that keep their window (context takeover) and clients (who mask, RFC 6455 5.3)
///   get a frame over the shared payload and compress or mask it themselves.
///
/// Each member receives an EncodedMessage holding its own duplicate of the shared buffer
/// (no copy), as ChannelGroup::writeAndFlush does. Encoding happens lazily on the members'
/// loops, under a lock, the first time a setting is met. A broadcast is a whole, final
/// message; do not interleave it with a fragmented message being written to a member.
///
/// Thread: any.
class WebSocketBroadcast {
 public:
  /// What one broadcast did, for metrics and tests: the compressed and uncompressed frames
  /// encoded (each shared by the members that needed it). Complete when the future is.
  struct Stats {
    std::size_t compressedEncodings = 0;
    std::size_t plainEncodings = 0;
  };

  /// Sends a final text (`opcode` Text) or binary (Binary) message with `payload` (moved;
  /// its readable bytes). Throws std::invalid_argument for another opcode.
  static ChannelGroupFuture writeAndFlush(ChannelGroup& group, WebSocketOpcode opcode,
                                          ByteBuf payload, ChannelGroup::WriteOptions options = {},
                                          Stats* stats = nullptr);
  /// A text message, copied once from `text`.
  static ChannelGroupFuture writeAndFlushText(ChannelGroup& group, std::string_view text,
                                              ChannelGroup::WriteOptions options = {},
                                              Stats* stats = nullptr);
};

}  // namespace sluice::websocket
