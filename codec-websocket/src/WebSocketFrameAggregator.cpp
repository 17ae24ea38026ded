#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/websocket/WebSocketError.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketFrameAggregator.h>

#include "WebSocketFailure.h"

namespace sluice::websocket {

WebSocketFrameAggregator::WebSocketFrameAggregator(std::size_t maxContentLength)
    : MessageAggregator(MessageAggregatorConfig{.maxContentLength = maxContentLength}) {}

bool WebSocketFrameAggregator::isStartMessage(const Message& msg) {
  return msg.isExactly<TextWebSocketFrame>() || msg.isExactly<BinaryWebSocketFrame>();
}

bool WebSocketFrameAggregator::isContentMessage(const Message& msg) {
  return msg.isExactly<ContinuationWebSocketFrame>();
}

bool WebSocketFrameAggregator::isLastContentMessage(const Message& content) {
  return content.get<WebSocketFrame>().isFinalFragment();
}

bool WebSocketFrameAggregator::isAggregated(const Message& msg) {
  const auto* frame = msg.getIf<WebSocketFrame>();
  if (frame == nullptr) {
    return false;
  }
  // Control frames are whole by definition (RFC 6455 5.5); a final text or binary frame is a
  // whole message. A final continuation ends a message and is content.
  return frame->isControlFrame() ||
         (frame->isFinalFragment() && frame->opcode() != WebSocketOpcode::Continuation);
}

ByteBuf* WebSocketFrameAggregator::contentOf(Message& msg) {
  return &msg.get<WebSocketFrame>().content();
}

Message WebSocketFrameAggregator::beginAggregation(Message start) { return start; }

void WebSocketFrameAggregator::finishAggregation(Message& aggregated, ByteBuf content) {
  const WebSocketFrame& first = aggregated.get<WebSocketFrame>();
  const int rsv = first.rsv();
  if (first.opcode() == WebSocketOpcode::Text) {
    aggregated = Message::make<TextWebSocketFrame>(true, rsv, std::move(content));
  } else {
    aggregated = Message::make<BinaryWebSocketFrame>(true, rsv, std::move(content));
  }
}

void WebSocketFrameAggregator::handleOversizedMessage(ChannelHandlerContext& ctx,
                                                      const Message& oversized) {
  (void)oversized;
  ChannelFuture closeWritten;
  const bool sendClose = ctx.channel().isActive();
  if (sendClose) {
    detail::recordFailure(ctx.channel(), WebSocketErrc::MessageTooLarge,
                          fmt::format("maxContentLength {}", maxContentLength()));
    // RFC 6455 7.4.1: 1009, a message too big to process.
    closeWritten = ctx.writeAndFlush(
        CloseWebSocketFrame(WebSocketCloseStatus::kMessageTooBig,
                            std::error_code(WebSocketErrc::MessageTooLarge).message()));
  }
  // Fired while the pipeline is whole; the channel closes once the close frame is written.
  ctx.fireExceptionCaught(
      Error(WebSocketErrc::MessageTooLarge,
            fmt::format("message too large: more than {} bytes", maxContentLength())));
  if (sendClose) {
    closeWritten.addListener(ChannelFutureListener::kClose);
  }
}

}  // namespace sluice::websocket
