#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/Utf8Validator.h>
#include <sluice/websocket/WebSocketError.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace sluice::websocket {

/// Settings of PerMessageDeflateDecoder: the receiving side of the agreed parameters.
struct PerMessageDeflateDecoderConfig {
  /// The peer's window and context takeover, and the inflated message limit.
  /// inflater.maxMessageLength 0 (the default) takes the limit from the frame decoder in the
  /// pipeline (WebSocketDecoderConfig::maxMessageLength), so the one limit counts inflated
  /// bytes too; 1 MiB when there is none. Never unlimited.
  MessageInflaterConfig inflater{.maxMessageLength = 0};
  /// Which engine inflates (DeflateEngineKind::Auto: zlib, fragment by fragment).
  DeflateEngineKind engine = DeflateEngineKind::Auto;
};

/// Decompresses the messages a permessage-deflate peer sends (RFC 7692 7.2.2; Netty's
/// PerMessageDeflateDecoder). Installed by the permessage-deflate handshakers right after the
/// frame decoder.
///
/// A message whose first frame has RSV1 set is inflated fragment by fragment: each frame is
/// passed on with its inflated payload and RSV1 cleared, so a WebSocketFrameAggregator or the
/// application after it sees the original message. Uncompressed messages and control frames
/// pass through. Inflated text is checked to be UTF-8 (the frame decoder leaves compressed
/// text to this handler), across fragments, when the frame decoder's withUTF8Validator is on.
///
/// Failures fail the connection as the frame decoder does (RFC 6455 7.1.7): frames before the
/// bad one are passed on, a CloseWebSocketFrame is written and the channel closed once it is
/// written, exceptionCaught fires with a WebSocketErrc, and later input is dropped:
/// - RSV1 on a control frame (CompressedControlFrame) or on a continuation frame
///   (CompressedContinuationFrame): 1002 (RFC 7692 6.1);
/// - data that is not DEFLATE (InvalidCompressedData): 1002;
/// - a message inflating past the limit (MessageTooLarge): 1009, with no memory taken past it
///   (an inflate bomb stops at the limit);
/// - inflated text that is not UTF-8 (InvalidUtf8): 1007.
///
/// Thread: the channel's loop. Not sharable.
class PerMessageDeflateDecoder : public ChannelInboundHandler {
 public:
  explicit PerMessageDeflateDecoder(PerMessageDeflateDecoderConfig config = {});
  ~PerMessageDeflateDecoder() override;

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;

  const PerMessageDeflateDecoderConfig& config() const noexcept { return config_; }
  /// Bytes of decompressor state kept between messages (0 without context takeover).
  std::size_t retainedBytes() const noexcept;

 private:
  enum class State : std::uint8_t { Idle, Inflating, PassingThrough, Failed };

  void fail(ChannelHandlerContext& ctx, WebSocketErrc errc, std::string_view detail);

  PerMessageDeflateDecoderConfig config_;
  std::unique_ptr<MessageInflater> inflater_;
  Utf8Validator utf8_;
  State state_ = State::Idle;
  bool validateUtf8_ = true;
  bool validatingText_ = false;
  bool closeOnProtocolViolation_ = true;
};

}  // namespace sluice::websocket
