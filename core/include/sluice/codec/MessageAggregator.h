#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/Message.h>
#include <sluice/codec/DecoderResult.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace sluice {

class ChannelPipeline;

/// Settings of a MessageAggregator.
struct MessageAggregatorConfig {
  /// The most content bytes one aggregated message may carry. Safe by default: 64 KiB.
  std::size_t maxContentLength = 65536;
  /// The content buffers kept apart before they are joined; the content is joined into one
  /// buffer when the message is complete (no copy when it came in one buffer).
  std::size_t maxCumulationBufferComponents = 1024;
};

/// Joins a message that arrives in pieces — a start, contents, a last content — into one
/// (Netty's MessageAggregator): the base of HttpObjectAggregator and
/// WebSocketFrameAggregator.
///
/// A subclass says which messages are starts, contents and last contents, where their
/// bytes are, and how to build the aggregated message. Messages that are already whole
/// (isAggregated) and messages of other types pass on untouched.
///
/// Oversize. A start whose declared length (contentLength) exceeds maxContentLength, or
/// content that grows past it, calls handleOversizedMessage(), which by default fires
/// CodecErrc::TooLongFrame ("content length exceeded M bytes."); the pieces of that
/// message are then dropped up to and including its last content, and aggregation resumes
/// with the next start. An HTTP aggregator overrides it to answer 413.
///
/// Out of order. Content without a start is dropped; a start inside a message drops the
/// unfinished one and fires CodecErrc::MessageAggregation ("start message received while
/// aggregating"), then aggregates the new one.
///
/// Continue responses. Before anything else, a start is offered to newContinueResponse()
/// (HTTP's "Expect: 100-continue"): a response it returns is written and flushed at once;
/// closeAfterContinueResponse() says whether the channel closes after that write, and
/// ignoreContentAfterContinueResponse() whether the message it answered is dropped with its
/// content (a refused expectation) instead of aggregated.
///
/// Failed messages. For message types that carry a DecoderResult (decoderResultOf), a start
/// that failed to decode is made into an aggregated message at once and fired; a content
/// that failed ends the message being aggregated, which takes its failure and is fired.
///
/// With autoRead off, channelReadComplete asks for more while a message is unfinished, so
/// that the aggregation cannot stall waiting for a read nobody asks for.
///
/// Thread: the loop.
class MessageAggregator : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;

  std::size_t maxContentLength() const noexcept { return config_.maxContentLength; }
  /// True while a message is being aggregated.
  bool isAggregating() const noexcept { return current_.hasValue(); }

 protected:
  explicit MessageAggregator(MessageAggregatorConfig config = {});

  virtual bool isStartMessage(const Message& msg) = 0;
  virtual bool isContentMessage(const Message& msg) = 0;
  /// Whether this content message ends the message.
  virtual bool isLastContentMessage(const Message& content) = 0;
  /// Whether `msg` is already whole (a FullHttpRequest, a final unfragmented frame): it
  /// passes on untouched.
  virtual bool isAggregated(const Message& msg) = 0;
  /// The content bytes a start or content message carries, or null; the base moves them
  /// out.
  virtual ByteBuf* contentOf(Message& msg) = 0;
  /// The length a start message declares, if it declares one, for an early oversize check.
  virtual std::optional<std::size_t> contentLength(const Message& start) {
    (void)start;
    return std::nullopt;
  }
  /// Makes the message being aggregated from its start (whose content has been moved out).
  virtual Message beginAggregation(Message start) = 0;
  /// Lets the aggregated message take what a content message carries besides its bytes
  /// (trailing headers). The default does nothing.
  virtual void aggregate(Message& aggregated, Message& content) {
    (void)aggregated;
    (void)content;
  }
  /// Puts the joined content into the aggregated message; it is then fired.
  virtual void finishAggregation(Message& aggregated, ByteBuf content) = 0;
  /// A message is too large (see the class comment); `oversized` is its start or the
  /// aggregated message so far.
  virtual void handleOversizedMessage(ChannelHandlerContext& ctx, const Message& oversized);

  /// The response to write before the content of `start` arrives, or an empty Message when
  /// none is due (the default). Asked before the declared length is checked, because a
  /// failed expectation may call for its own answer. May change `start` (HTTP strips the
  /// Expect field it has answered).
  virtual Message newContinueResponse(Message& start, std::size_t maxContentLength,
                                      ChannelPipeline& pipeline) {
    (void)start;
    (void)maxContentLength;
    (void)pipeline;
    return {};
  }
  /// Whether the channel closes once `response` (from newContinueResponse) has been
  /// written. Asked before it is written. False by default.
  virtual bool closeAfterContinueResponse(const Message& response) {
    (void)response;
    return false;
  }
  /// Whether the message `response` answered, and its content, are dropped rather than
  /// aggregated. Asked before it is written. False by default.
  virtual bool ignoreContentAfterContinueResponse(const Message& response) {
    (void)response;
    return false;
  }
  /// The decoder result `msg` carries, or null when its type carries none (the default;
  /// Netty's DecoderResultProvider). Asked of starts and contents.
  virtual const DecoderResult* decoderResultOf(const Message& msg) {
    (void)msg;
    return nullptr;
  }
  /// Marks the aggregated message with the failure of one of its contents. Called only
  /// when decoderResultOf found one. The default does nothing.
  virtual void setDecoderResult(Message& aggregated, DecoderResult result) {
    (void)aggregated;
    (void)result;
  }

 private:
  void startMessage(ChannelHandlerContext& ctx, Message msg);
  void appendContent(ChannelHandlerContext& ctx, ByteBuf* bytes);
  void finish(ChannelHandlerContext& ctx);
  ByteBuf joinContent(ChannelHandlerContext& ctx);
  void reset();

  MessageAggregatorConfig config_;
  Message current_;
  std::vector<ByteBuf> content_;
  std::size_t contentBytes_ = 0;
  bool handlingOversizedMessage_ = false;
};

}  // namespace sluice
