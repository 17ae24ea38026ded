#pragma once

// A data frame of a given opcode, as a Message: for handlers that rebuild frames they
// transform (permessage-deflate). Private to sluice::websocket.

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/Message.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <utility>

namespace sluice::websocket::detail {

/// A text, binary or (for any other opcode) continuation frame.
inline Message makeDataFrame(WebSocketOpcode opcode, bool fin, int rsv, ByteBuf content) {
  switch (opcode) {
    case WebSocketOpcode::Text:
      return Message::make<TextWebSocketFrame>(fin, rsv, std::move(content));
    case WebSocketOpcode::Binary:
      return Message::make<BinaryWebSocketFrame>(fin, rsv, std::move(content));
    default:
      return Message::make<ContinuationWebSocketFrame>(fin, rsv, std::move(content));
  }
}

}  // namespace sluice::websocket::detail
