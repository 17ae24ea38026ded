#pragma once

#include <sluice/buffer/ByteBuf.h>

#include <string_view>

namespace sluice::websocket::detail {

// RFC 6455 5.5.1: a close frame's body is empty, or a two-byte status code followed by a
// reason. One reading for CloseWebSocketFrame and for the frame codec, which sees the body
// before (decoder) or as (encoder) a frame.

/// The status code, or -1 when the body has none (fewer than two bytes).
inline int closeStatusCode(const ByteBuf& body) noexcept {
  return body.readableBytes() < 2 ? -1 : body.getUnsignedShort(body.readerIndex());
}

/// The reason after the code; empty when there is none.
inline std::string_view closeReasonText(const ByteBuf& body) noexcept {
  const std::string_view bytes = body.toStringView();
  return bytes.size() <= 2 ? std::string_view() : bytes.substr(2);
}

}  // namespace sluice::websocket::detail
