#pragma once

#include <sluice/codec/MessageToMessageEncoder.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <cstddef>
#include <cstdint>

namespace sluice::websocket {

/// Settings of WebSocket13FrameEncoder.
struct WebSocketEncoderConfig {
  /// Mask every frame (RFC 6455 5.1: a client MUST mask what it sends, a server MUST NOT).
  bool maskPayload = false;
  /// When non-zero, text, binary and continuation frames with a longer payload are sent as
  /// several frames of at most this many payload bytes (RFC 6455 5.4). 0 (the default)
  /// sends every frame as it is.
  std::size_t maxFragmentPayloadLength = 0;
};

/// Encodes WebSocketFrames into RFC 6455 frames (Netty's WebSocket13FrameEncoder).
///
/// The output is ByteBufs. When the payload has room in front of it (headroom, as frames
/// made from text and frames from WebSocket13FrameDecoder have) and no other handle shares
/// its buffer, the 2-14 byte header is written into that room and the payload goes out in
/// the same buffer, copied never. Otherwise a small payload (at most 256 bytes) is copied
/// behind a new header, and a larger one goes out as two buffers, header and payload, that
/// the transport sends in one gathering write.
///
/// Masking (clients). Each frame gets a fresh masking key from a xorshift generator seeded
/// once per encoder from std::random_device: RFC 6455 5.3 asks for keys a script cannot
/// predict, and a per-frame random_device call would cost a system call. The payload is
/// masked in place only when the frame's buffer is unique (no slice, duplicate or broadcast
/// shares it); a shared payload is copied and masked into a new buffer in one pass, so a
/// buffer sent to many channels is never modified.
///
/// Writing an invalid frame is a programming error that fails the write's promise with
/// CodecErrc::EncoderException: a control frame over 125 bytes or not final (RFC 6455 5.5).
///
/// Observability. Every frame on the wire counts in sluice_websocket_frames_sent_total{opcode}
/// (a frame split by maxFragmentPayloadLength as its parts), every data message, at its final
/// frame, in sluice_websocket_messages_sent_total{type}. The first close frame's code counts
/// in sluice_websocket_close_codes_sent_total{code} and is recorded in the channel's
/// CloseReason (who closed is recorded by whoever decided to). Broadcast frames, encoded once
/// by WebSocketBroadcast, are counted there.
///
/// Thread: the channel's loop. Not sharable (the masking generator is per encoder).
class WebSocket13FrameEncoder : public MessageToMessageEncoder<WebSocketFrame> {
 public:
  explicit WebSocket13FrameEncoder(WebSocketEncoderConfig config = {});
  /// Netty's constructor: `maskPayload` true on a client.
  explicit WebSocket13FrameEncoder(bool maskPayload)
      : WebSocket13FrameEncoder(WebSocketEncoderConfig{.maskPayload = maskPayload}) {}

  const WebSocketEncoderConfig& config() const noexcept { return config_; }

 protected:
  void encode(ChannelHandlerContext& ctx, WebSocketFrame& frame, Out& out) override;

 private:
  void encodeFrame(ChannelHandlerContext& ctx, std::uint8_t firstByte, ByteBuf payload, Out& out);
  std::uint32_t nextMaskingKey() noexcept;
  /// Counts the frame in the metrics; a close frame is recorded in the channel's CloseReason.
  void onEncoded(ChannelHandlerContext& ctx, const WebSocketFrame& frame, std::size_t wireFrames);

  WebSocketEncoderConfig config_;
  std::uint64_t random_;
  bool binaryMessage_ = false;  // the message being sent started with a binary frame
  bool closeSent_ = false;      // a close frame went out (counted once)
};

}  // namespace sluice::websocket
