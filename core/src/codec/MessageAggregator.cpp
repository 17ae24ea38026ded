#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/MessageAggregator.h>

#include <stdexcept>

namespace sluice {

MessageAggregator::MessageAggregator(MessageAggregatorConfig config) : config_(config) {
  if (config.maxCumulationBufferComponents < 2) {
    throw std::invalid_argument("maxCumulationBufferComponents must be >= 2");
  }
}

void MessageAggregator::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (isAggregated(msg)) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  if (isStartMessage(msg)) {
    startMessage(ctx, std::move(msg));
    return;
  }
  if (isContentMessage(msg)) {
    if (!current_.hasValue()) {
      // Content of a message dropped as oversized, or with no start at all: drop it.
      if (handlingOversizedMessage_ && isLastContentMessage(msg)) {
        handlingOversizedMessage_ = false;
      }
      return;
    }
    const bool last = isLastContentMessage(msg);
    appendContent(ctx, contentOf(msg));
    if (!current_.hasValue()) {  // it grew too large
      if (last) {
        handlingOversizedMessage_ = false;
      }
      return;
    }
    aggregate(current_, msg);
    const DecoderResult* result = decoderResultOf(msg);
    if (result != nullptr && result->isFailure()) {
      // A content that failed to decode ends the message: it is passed on with the failure,
      // so that the handler sees what arrived and can answer.
      setDecoderResult(current_, DecoderResult::failure(result->cause()));
      finish(ctx);
      return;
    }
    if (last) {
      finish(ctx);
    }
    return;
  }
  ctx.fireChannelRead(std::move(msg));
}

void MessageAggregator::startMessage(ChannelHandlerContext& ctx, Message msg) {
  handlingOversizedMessage_ = false;
  if (current_.hasValue()) {
    reset();
    ctx.fireExceptionCaught(
        Error(CodecErrc::MessageAggregation, "start message received while aggregating"));
  }
  // The continue response comes first: failing an expectation may call for another answer
  // than the oversize one.
  if (Message response = newContinueResponse(msg, config_.maxContentLength, ctx.pipeline())) {
    // Asked before the write, which takes the response away.
    const bool closeAfterWrite = closeAfterContinueResponse(response);
    handlingOversizedMessage_ = ignoreContentAfterContinueResponse(response);
    ChannelFuture written = ctx.writeAndFlush(std::move(response));
    written.addListener(ChannelFutureListener::kFireExceptionOnFailure);
    if (closeAfterWrite) {
      written.addListener(ChannelFutureListener::kClose);
      return;
    }
    if (handlingOversizedMessage_) {
      return;
    }
  } else if (std::optional<std::size_t> declared = contentLength(msg);
             declared && *declared > config_.maxContentLength) {
    handlingOversizedMessage_ = true;
    handleOversizedMessage(ctx, msg);
    return;
  }
  ByteBuf* bytes = contentOf(msg);
  ByteBuf first = bytes != nullptr ? std::move(*bytes) : ByteBuf();
  const DecoderResult* result = decoderResultOf(msg);
  if (result != nullptr && result->isFailure()) {
    // Nothing more of a message that failed to decode will come: pass it on at once.
    Message failed = beginAggregation(std::move(msg));
    finishAggregation(failed, std::move(first));
    ctx.fireChannelRead(std::move(failed));
    return;
  }
  current_ = beginAggregation(std::move(msg));
  appendContent(ctx, &first);
}

void MessageAggregator::finish(ChannelHandlerContext& ctx) {
  Message done = std::move(current_);
  finishAggregation(done, joinContent(ctx));
  reset();
  ctx.fireChannelRead(std::move(done));
}

void MessageAggregator::appendContent(ChannelHandlerContext& ctx, ByteBuf* bytes) {
  if (bytes == nullptr || !bytes->isReadable()) {
    return;
  }
  if (bytes->readableBytes() > config_.maxContentLength - contentBytes_) {
    handlingOversizedMessage_ = true;
    Message oversized = std::move(current_);
    reset();
    handleOversizedMessage(ctx, oversized);
    return;
  }
  contentBytes_ += bytes->readableBytes();
  content_.push_back(std::move(*bytes));
  if (content_.size() >= config_.maxCumulationBufferComponents) {
    ByteBuf joined = joinContent(ctx);  // empties content_
    content_.push_back(std::move(joined));
  }
}

ByteBuf MessageAggregator::joinContent(ChannelHandlerContext& ctx) {
  if (content_.empty()) {
    return {};
  }
  if (content_.size() == 1) {
    ByteBuf only = std::move(content_.front());
    content_.clear();
    return only;
  }
  ByteBuf joined = ctx.alloc().buffer(contentBytes_);
  for (ByteBuf& part : content_) {
    joined.writeBytes(part);
  }
  content_.clear();
  return joined;
}

void MessageAggregator::handleOversizedMessage(ChannelHandlerContext& ctx, const Message&) {
  ctx.fireExceptionCaught(
      Error(CodecErrc::TooLongFrame,
            fmt::format("content length exceeded {} bytes.", config_.maxContentLength)));
}

void MessageAggregator::reset() {
  current_.reset();
  content_.clear();
  contentBytes_ = 0;
}

void MessageAggregator::channelReadComplete(ChannelHandlerContext& ctx) {
  // With autoRead off nobody else asks for the rest of an unfinished message (Netty #6583).
  if (current_.hasValue() && !ctx.channel().config().isAutoRead()) {
    ctx.read();
  }
  ctx.fireChannelReadComplete();
}

void MessageAggregator::channelInactive(ChannelHandlerContext& ctx) {
  reset();  // an unfinished message is dropped, as in Netty
  ctx.fireChannelInactive();
}

void MessageAggregator::handlerRemoved(ChannelHandlerContext&) { reset(); }

}  // namespace sluice
