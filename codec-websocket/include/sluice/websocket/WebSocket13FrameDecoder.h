#pragma once

#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/websocket/Utf8Validator.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>
#include <sluice/websocket/WebSocketError.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::websocket {

/// Decodes RFC 6455 frames into WebSocketFrames (Netty's WebSocket13FrameDecoder, version 13
/// of the protocol): TextWebSocketFrame, BinaryWebSocketFrame, ContinuationWebSocketFrame,
/// PingWebSocketFrame, PongWebSocketFrame and CloseWebSocketFrame, with their payloads
/// unmasked.
///
/// ```cpp
/// p.addLast<sluice::websocket::WebSocket13FrameEncoder>(false);  // server: no masking
/// p.addLast<sluice::websocket::WebSocket13FrameDecoder>(
///     sluice::websocket::WebSocketDecoderConfig{.maxFramePayloadLength = 16384});
/// ```
///
/// Every rule of RFC 6455 section 5 is enforced; a frame that breaks one fails the
/// connection (RFC 6455 7.1.7): the frames decoded before it are passed on, then, when
/// closeOnProtocolViolation, a CloseWebSocketFrame is written and flushed from this handler
/// (so an encoder must sit before it in the pipeline) and the channel closes once it is
/// written; then exceptionCaught fires with a WebSocketErrc error, and all further input is
/// discarded. The status is 1002 for protocol errors, 1007 for invalid UTF-8, 1009 for the
/// limits (see WebSocketErrc and closeStatusOf). Length fields that do not use the minimal
/// encoding are protocol errors too: RFC 6455 5.2 requires the minimal number of bytes, and
/// Netty rejects them the same way.
///
/// UTF-8 is checked incrementally across the fragments of a text message (the state carries
/// over), and within a frame as its bytes arrive: invalid text fails the connection with
/// 1007 in the read that brings the offending byte, not when its frame or message is
/// complete. Each payload byte is checked once: the bytes of a frame still arriving are
/// unmasked into a scratch block for the check and left masked in the input, and when the
/// frame completes only the bytes not yet checked are. Messages whose first frame has RSV
/// bits set (compressed by an extension) are left to the extension's decoder to check.
///
/// After a close frame, the rest of the input is discarded (RFC 6455 5.5.1: nothing follows
/// a close frame).
///
/// Observability. Every frame counts in sluice_websocket_frames_received_total{opcode}, every
/// data message (at its final frame) in sluice_websocket_messages_received_total{type}, the
/// close frame's code in sluice_websocket_close_codes_received_total{code}. The channel's
/// CloseReason gets the peer's code and reason; unless the close frame answers ours, the
/// close is the peer's (CloseInitiator::Peer). A failure records, before the close frame
/// goes, CloseInitiator::Protocol with the rule broken ("RFC 6455 5.1: a client frame must be
/// masked"), or CloseInitiator::Limit with the limit ("maxFramePayloadLength 65536"), and the
/// code sent.
///
/// Payloads. A frame is decoded when all of it has arrived. Its payload is unmasked word at
/// a time. A large payload (256 bytes or more, and at least a quarter of the buffer it
/// arrived in) stays where it is: the frame's content is a slice of the received buffer,
/// unmasked in place when this decoder is the only holder of that buffer, with the frame
/// header in front of it as headroom. Smaller payloads are copied (unmasking in the same
/// pass) into a pooled buffer with kMaxHeaderSize bytes of headroom, so that a small frame
/// kept by the application does not pin a whole read buffer. Either way an echoed frame's
/// header is prepended without copying the payload.
///
/// Decoding loops over every whole frame of a read in one decode() call, with no virtual
/// call per frame. Thread: the channel's loop. Not sharable.
class WebSocket13FrameDecoder : public ByteToMessageDecoder {
 public:
  explicit WebSocket13FrameDecoder(WebSocketDecoderConfig config = {});

  const WebSocketDecoderConfig& config() const noexcept { return config_; }

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

 private:
  enum class State : std::uint8_t { Reading, ReceivedClose, Corrupt };

  /// Feeds the payload bytes of the pending (incomplete) text frame that arrived since the
  /// last call to utf8_; `received` is all of the payload received so far, still masked.
  /// Returns false once the text is invalid.
  bool validateReceivedText(std::span<const std::uint8_t> received, bool masked,
                            std::uint32_t maskingKey, bool firstFrame) noexcept;
  void protocolViolation(ChannelHandlerContext& ctx, ByteBuf& in, Out& out, WebSocketErrc errc,
                         std::string_view detail = {});
  /// Counts the peer's close frame and records it in the channel's CloseReason.
  void onCloseReceived(ChannelHandlerContext& ctx, const ByteBuf& payload);

  WebSocketDecoderConfig config_;
  Utf8Validator utf8_;
  std::size_t messageLength_ = 0;  // payload bytes of the fragmented message so far
  // Payload bytes of the frame still being received that utf8_ has checked; 0 between frames.
  std::size_t validatedPayload_ = 0;
  State state_ = State::Reading;
  bool inFragmentedMessage_ = false;
  bool validatingText_ = false;  // the current fragmented message is text to check
  bool binaryMessage_ = false;   // the current message's first frame was binary (metrics)
};

}  // namespace sluice::websocket
