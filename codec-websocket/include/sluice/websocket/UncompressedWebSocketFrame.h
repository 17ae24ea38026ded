#pragma once

#include <sluice/channel/Message.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <utility>

namespace sluice::websocket {

/// A text or binary frame that permessage-deflate sends as it is: the per-message opt-out.
/// Wrap the first frame of a message (a fragmented message's continuations follow it
/// uncompressed too):
///
/// ```cpp
/// ctx.writeAndFlush(UncompressedWebSocketFrame(BinaryWebSocketFrame(std::move(jpeg))));
/// ```
///
/// It is a WebSocketFrame with the wrapped frame's opcode, FIN, RSV bits and content (moved),
/// so every other handler and the frame encoder treat it as the frame it wraps; only
/// PerMessageDeflateEncoder looks at its exact type. Without permessage-deflate it is a plain
/// frame. An uncompressed message leaves a context-takeover window untouched (RFC 7692 6: the
/// RSV1 bit, unset, says which messages are compressed).
///
/// Thread: as WebSocketFrame.
class UncompressedWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<UncompressedWebSocketFrame, WebSocketFrame>;

  /// Takes `frame`'s content; `frame` is left empty.
  explicit UncompressedWebSocketFrame(WebSocketFrame&& frame)
      : WebSocketFrame(frame.opcode(), frame.isFinalFragment(), frame.rsv(),
                       std::move(frame.content())) {}
};

}  // namespace sluice::websocket

namespace sluice {

template <>
struct IsTriviallyRelocatable<websocket::UncompressedWebSocketFrame> : std::true_type {};

}  // namespace sluice
