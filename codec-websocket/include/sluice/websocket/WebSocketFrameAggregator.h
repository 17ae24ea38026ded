#pragma once

#include <sluice/codec/MessageAggregator.h>

#include <cstddef>

namespace sluice::websocket {

/// Joins a fragmented message — a non-final TextWebSocketFrame or BinaryWebSocketFrame and
/// its ContinuationWebSocketFrames — into one final Text or Binary frame (Netty's
/// WebSocketFrameAggregator), so that the handlers after it see whole messages:
///
/// ```cpp
/// p.addLast<sluice::websocket::WebSocketFrameAggregator>(65536);
/// ```
///
/// The joined frame keeps the first frame's type and RSV bits; its content is the fragments'
/// payloads joined (no copy when the message came in one frame). Final frames, control
/// frames (which may arrive between fragments, RFC 6455 5.4) and other messages pass
/// through untouched.
///
/// A message whose content grows past maxContentLength is dropped (its remaining fragments
/// too); the aggregator fires exceptionCaught with WebSocketErrc::MessageTooLarge, writes a
/// CloseWebSocketFrame with 1009 (RFC 6455 7.4.1) from its position and closes the channel
/// once that is written. Thread: the loop.
class WebSocketFrameAggregator : public MessageAggregator {
 public:
  /// An aggregator of messages up to `maxContentLength` payload bytes.
  explicit WebSocketFrameAggregator(std::size_t maxContentLength);

 protected:
  bool isStartMessage(const Message& msg) override;
  bool isContentMessage(const Message& msg) override;
  bool isLastContentMessage(const Message& content) override;
  bool isAggregated(const Message& msg) override;
  ByteBuf* contentOf(Message& msg) override;
  Message beginAggregation(Message start) override;
  void finishAggregation(Message& aggregated, ByteBuf content) override;
  void handleOversizedMessage(ChannelHandlerContext& ctx, const Message& oversized) override;
};

}  // namespace sluice::websocket
