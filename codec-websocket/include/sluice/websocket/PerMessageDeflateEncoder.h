#pragma once

#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sluice::websocket {

/// Settings of PerMessageDeflateEncoder: the sending side of the agreed parameters and the
/// local choices (level, memLevel, threshold, engine).
struct PerMessageDeflateEncoderConfig {
  /// Level, window, memLevel and context takeover of the compressor.
  MessageDeflaterConfig deflater{};
  /// Whole messages (a final first frame) shorter than this many bytes go out uncompressed:
  /// compressing a few bytes costs more time than it saves bytes. 0 compresses everything.
  std::size_t compressionThreshold = 0;
  /// Which engine compresses (DeflateEngineKind::Auto: libdeflate where it applies).
  DeflateEngineKind engine = DeflateEngineKind::Auto;
};

/// Compresses the data messages written to a permessage-deflate connection (RFC 7692 7.2.1;
/// Netty's PerMessageDeflateEncoder). Installed by the permessage-deflate handshakers after
/// negotiation, between the application and the frame encoder.
///
/// A text or binary message is compressed whole or fragment by fragment: its first frame
/// gets RSV1 (the "Per-Message Compressed" bit), its continuations carry the rest of the
/// compressed data and no RSV1 (RFC 7692 6.1). Each fragment's data is flushed, so a
/// receiver can inflate it as it arrives; the last one loses the 00 00 ff ff tail.
///
/// Passed through untouched: control frames (RFC 7692 6: only data messages are
/// compressed), EncodedMessage (bytes already on their way, such as a broadcast's), frames
/// already carrying RSV1 (compressed by the application, as Netty allows), an
/// UncompressedWebSocketFrame and its continuations (the per-message opt-out), whole
/// messages below compressionThreshold, and anything that is not a frame.
///
/// A compressed frame's buffer has WebSocketFrame::kMaxHeaderSize bytes of headroom, so the
/// frame encoder writes the header in place. A failure to compress (out of memory) fails the
/// write's promise with CodecErrc::EncoderException.
///
/// Memory: with context takeover the compressor's state lives as long as the connection
/// (see ZlibMessageDeflater); without it nothing is kept between messages.
///
/// Thread: the channel's loop. Not sharable.
class PerMessageDeflateEncoder : public ChannelOutboundHandler {
 public:
  explicit PerMessageDeflateEncoder(PerMessageDeflateEncoderConfig config = {});
  ~PerMessageDeflateEncoder() override;

  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

  const PerMessageDeflateEncoderConfig& config() const noexcept { return config_; }
  /// Bytes of compressor state kept between messages (0 without context takeover).
  std::size_t retainedBytes() const noexcept;

  /// Compresses one whole message with `config` (no context takeover) into a new buffer
  /// with frame-header headroom: what a compress-once broadcast shares between connections
  /// that agreed on the same settings. Thread: any.
  static ByteBuf compressMessage(const PerMessageDeflateEncoderConfig& config,
                                 std::span<const std::uint8_t> payload);

 private:
  enum class State : std::uint8_t { Idle, Compressing, PassingThrough };

  ByteBuf compress(ChannelHandlerContext& ctx, const ByteBuf& content, bool endOfMessage);

  PerMessageDeflateEncoderConfig config_;
  std::unique_ptr<MessageDeflater> deflater_;
  // For a fragmented message when deflater_ takes whole messages only (libdeflate, which
  // runs without context takeover, so any engine may compress any one message).
  std::unique_ptr<MessageDeflater> streaming_;
  State state_ = State::Idle;
};

}  // namespace sluice::websocket
