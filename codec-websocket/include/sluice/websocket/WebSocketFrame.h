#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/Message.h>
#include <sluice/websocket/WebSocketCloseStatus.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace sluice::websocket {

/// The frame opcodes of RFC 6455 5.2 that sluice knows; the others are reserved.
enum class WebSocketOpcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

/// One WebSocket frame (Netty's WebSocketFrame): the FIN bit, the three RSV bits and the
/// payload, unmasked. The base of the six frame types in this file; a handler for every
/// frame is a `SimpleChannelInboundHandler<WebSocketFrame>`, and opcode() tells the types
/// apart without a type test.
///
/// Ownership. A frame owns its content (a ByteBuf) and is move-only, like the buffer;
/// sharing is explicit (`TextWebSocketFrame(frame.content().duplicate())`). A frame is 40
/// bytes and moves as plain bytes, so a Message holds it inline: decoding or writing a frame
/// allocates nothing besides its payload.
///
/// Frames made from text or bytes reserve kMaxHeaderSize bytes of headroom in their buffer
/// so that WebSocket13FrameEncoder writes the header in front of the payload, with no copy.
///
/// Thread: one thread at a time, like ByteBuf.
class WebSocketFrame {
 public:
  /// The longest frame header: 2 bytes, an 8-byte extended length and a 4-byte mask.
  static constexpr std::size_t kMaxHeaderSize = 14;

  WebSocketFrame(const WebSocketFrame&) = delete;
  WebSocketFrame& operator=(const WebSocketFrame&) = delete;
  WebSocketFrame(WebSocketFrame&&) noexcept = default;
  WebSocketFrame& operator=(WebSocketFrame&&) noexcept = default;
  ~WebSocketFrame() = default;

  /// The opcode, fixed by the frame's type.
  WebSocketOpcode opcode() const noexcept { return opcode_; }
  /// Whether this is the last frame of its message (the FIN bit).
  bool isFinalFragment() const noexcept { return fin_; }
  /// The RSV1-3 bits as a number 0..7 (RSV1 is 4; permessage-deflate's "compressed" bit).
  int rsv() const noexcept { return rsv_; }
  /// Whether this is a close, ping or pong frame (RFC 6455 5.5).
  bool isControlFrame() const noexcept { return (static_cast<int>(opcode_) & 0x8) != 0; }

  /// The payload (unmasked). Move it out to keep it beyond the frame.
  ByteBuf& content() noexcept { return content_; }
  const ByteBuf& content() const noexcept { return content_; }

 protected:
  /// Throws std::invalid_argument unless 0 <= rsv <= 7.
  WebSocketFrame(WebSocketOpcode opcode, bool finalFragment, int rsv, ByteBuf content);

 private:
  ByteBuf content_;
  WebSocketOpcode opcode_;
  bool fin_;
  std::uint8_t rsv_;
};

/// A text frame (opcode 1), or the first frame of a fragmented text message. Its payload
/// should be UTF-8; text() does not check it (the decoder does, for received frames).
class TextWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<TextWebSocketFrame, WebSocketFrame>;

  /// An empty final frame.
  TextWebSocketFrame() : TextWebSocketFrame(true, 0, ByteBuf()) {}
  /// A final frame holding a copy of `text` (in a pooled buffer with header headroom).
  explicit TextWebSocketFrame(std::string_view text) : TextWebSocketFrame(true, 0, text) {}
  /// A final frame over `content` (moved).
  explicit TextWebSocketFrame(ByteBuf content) : TextWebSocketFrame(true, 0, std::move(content)) {}
  TextWebSocketFrame(bool finalFragment, int rsv, std::string_view text);
  TextWebSocketFrame(bool finalFragment, int rsv, ByteBuf content)
      : WebSocketFrame(WebSocketOpcode::Text, finalFragment, rsv, std::move(content)) {}

  /// The payload as characters (a view of the content, no copy).
  std::string_view text() const noexcept { return content().toStringView(); }
};

/// A binary frame (opcode 2), or the first frame of a fragmented binary message.
class BinaryWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<BinaryWebSocketFrame, WebSocketFrame>;

  BinaryWebSocketFrame() : BinaryWebSocketFrame(true, 0, ByteBuf()) {}
  explicit BinaryWebSocketFrame(ByteBuf content)
      : BinaryWebSocketFrame(true, 0, std::move(content)) {}
  BinaryWebSocketFrame(bool finalFragment, int rsv, ByteBuf content)
      : WebSocketFrame(WebSocketOpcode::Binary, finalFragment, rsv, std::move(content)) {}
};

/// A continuation frame (opcode 0): a later fragment of a text or binary message.
class ContinuationWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<ContinuationWebSocketFrame, WebSocketFrame>;

  ContinuationWebSocketFrame() : ContinuationWebSocketFrame(true, 0, ByteBuf()) {}
  explicit ContinuationWebSocketFrame(ByteBuf content)
      : ContinuationWebSocketFrame(true, 0, std::move(content)) {}
  /// A continuation holding a copy of `text` (a fragment of a text message).
  ContinuationWebSocketFrame(bool finalFragment, int rsv, std::string_view text);
  ContinuationWebSocketFrame(bool finalFragment, int rsv, ByteBuf content)
      : WebSocketFrame(WebSocketOpcode::Continuation, finalFragment, rsv, std::move(content)) {}

  /// The payload as characters (a view, no copy), for fragments of text messages.
  std::string_view text() const noexcept { return content().toStringView(); }
};

/// A ping (opcode 9). The peer answers with a pong carrying the same payload (RFC 6455
/// 5.5.2); the payload is at most 125 bytes (RFC 6455 5.5).
class PingWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<PingWebSocketFrame, WebSocketFrame>;

  PingWebSocketFrame() : PingWebSocketFrame(true, 0, ByteBuf()) {}
  explicit PingWebSocketFrame(ByteBuf content) : PingWebSocketFrame(true, 0, std::move(content)) {}
  PingWebSocketFrame(bool finalFragment, int rsv, ByteBuf content)
      : WebSocketFrame(WebSocketOpcode::Ping, finalFragment, rsv, std::move(content)) {}
};

/// A pong (opcode 10): the answer to a ping, or an unsolicited heartbeat (RFC 6455 5.5.3).
class PongWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<PongWebSocketFrame, WebSocketFrame>;

  PongWebSocketFrame() : PongWebSocketFrame(true, 0, ByteBuf()) {}
  explicit PongWebSocketFrame(ByteBuf content) : PongWebSocketFrame(true, 0, std::move(content)) {}
  PongWebSocketFrame(bool finalFragment, int rsv, ByteBuf content)
      : WebSocketFrame(WebSocketOpcode::Pong, finalFragment, rsv, std::move(content)) {}
};

/// A close frame (opcode 8): an optional two-byte status code, then an optional UTF-8
/// reason (RFC 6455 5.5.1).
class CloseWebSocketFrame : public WebSocketFrame {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<CloseWebSocketFrame, WebSocketFrame>;

  /// A close frame with no body (the receiver reports 1005, "no status").
  CloseWebSocketFrame() : CloseWebSocketFrame(true, 0, ByteBuf()) {}
  /// A close frame with `status` and its reason text. Throws std::invalid_argument when the
  /// status may not be sent (isValidStatusCode is false: 1005, 1006, 1015...).
  explicit CloseWebSocketFrame(const WebSocketCloseStatus& status)
      : CloseWebSocketFrame(status.code(), status.reasonText()) {}
  /// A close frame with `status` and `reasonText`; throws as above.
  CloseWebSocketFrame(const WebSocketCloseStatus& status, std::string_view reasonText)
      : CloseWebSocketFrame(status.code(), reasonText) {}
  /// A close frame with `statusCode` and `reasonText`. Throws std::invalid_argument when
  /// the code may not be sent (RFC 6455 7.4) or the reason does not fit in a control frame
  /// (more than 123 bytes, RFC 6455 5.5).
  CloseWebSocketFrame(int statusCode, std::string_view reasonText);
  /// A close frame over `content` (moved; not checked).
  explicit CloseWebSocketFrame(ByteBuf content)
      : CloseWebSocketFrame(true, 0, std::move(content)) {}
  CloseWebSocketFrame(bool finalFragment, int rsv, ByteBuf content)
      : WebSocketFrame(WebSocketOpcode::Close, finalFragment, rsv, std::move(content)) {}

  /// The status code, or -1 when the body has none (fewer than two bytes).
  int statusCode() const noexcept;
  /// The reason after the status code (a view, no copy); empty when there is none.
  std::string_view reasonText() const noexcept;
};

}  // namespace sluice::websocket

namespace sluice {

// Each frame is a ByteBuf and three bytes, all relocatable by copying: Message stores frames
// inline and moves them with a memcpy.
template <>
struct IsTriviallyRelocatable<websocket::TextWebSocketFrame> : std::true_type {};
template <>
struct IsTriviallyRelocatable<websocket::BinaryWebSocketFrame> : std::true_type {};
template <>
struct IsTriviallyRelocatable<websocket::ContinuationWebSocketFrame> : std::true_type {};
template <>
struct IsTriviallyRelocatable<websocket::PingWebSocketFrame> : std::true_type {};
template <>
struct IsTriviallyRelocatable<websocket::PongWebSocketFrame> : std::true_type {};
template <>
struct IsTriviallyRelocatable<websocket::CloseWebSocketFrame> : std::true_type {};

}  // namespace sluice
