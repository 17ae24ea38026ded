#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <stdexcept>
#include <string>

#include "WebSocketCloseBody.h"

namespace sluice::websocket {
namespace {

// The text in a pooled buffer with room for the frame header in front of it.
ByteBuf bufferWithHeader(std::string_view bytes) {
  ByteBuf buf = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(
      WebSocketFrame::kMaxHeaderSize, bytes.size());
  buf.writeBytes(bytes);
  return buf;
}

}  // namespace

WebSocketFrame::WebSocketFrame(WebSocketOpcode opcode, bool finalFragment, int rsv, ByteBuf content)
    : content_(std::move(content)),
      opcode_(opcode),
      fin_(finalFragment),
      rsv_(static_cast<std::uint8_t>(rsv)) {
  if (rsv < 0 || rsv > 7) {
    throw std::invalid_argument("WebSocket frame RSV must be 0..7, got " + std::to_string(rsv));
  }
}

static_assert(sizeof(TextWebSocketFrame) <= Message::kInlineSize,
              "frames are stored inline in a Message");

TextWebSocketFrame::TextWebSocketFrame(bool finalFragment, int rsv, std::string_view text)
    : TextWebSocketFrame(finalFragment, rsv, bufferWithHeader(text)) {}

ContinuationWebSocketFrame::ContinuationWebSocketFrame(bool finalFragment, int rsv,
                                                       std::string_view text)
    : ContinuationWebSocketFrame(finalFragment, rsv, bufferWithHeader(text)) {}

namespace {

ByteBuf closeBody(int statusCode, std::string_view reasonText) {
  // RFC 6455 7.4: 1005, 1006 and 1015 MUST NOT be set as a status code in a close frame; the
  // other unassigned codes have no meaning to a peer.
  if (!WebSocketCloseStatus::isValidStatusCode(statusCode)) {
    throw std::invalid_argument("invalid WebSocket close status code " +
                                std::to_string(statusCode));
  }
  // RFC 6455 5.5: a control frame's payload is at most 125 bytes, two of them the code.
  if (reasonText.size() > 123) {
    throw std::invalid_argument("WebSocket close reason longer than 123 bytes");
  }
  ByteBuf buf = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(
      WebSocketFrame::kMaxHeaderSize, 2 + reasonText.size());
  buf.writeShort(static_cast<std::uint16_t>(statusCode));
  buf.writeBytes(reasonText);
  return buf;
}

}  // namespace

CloseWebSocketFrame::CloseWebSocketFrame(int statusCode, std::string_view reasonText)
    : CloseWebSocketFrame(true, 0, closeBody(statusCode, reasonText)) {}

int CloseWebSocketFrame::statusCode() const noexcept { return detail::closeStatusCode(content()); }

std::string_view CloseWebSocketFrame::reasonText() const noexcept {
  return detail::closeReasonText(content());
}

}  // namespace sluice::websocket
