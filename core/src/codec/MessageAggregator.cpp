#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
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
    handlingOversizedMessage_ = false;
    if (current_.hasValue()) {
      reset();
      ctx.fireExceptionCaught(
          Error(CodecErrc::MessageAggregation, "start message received while aggregating"));
    }
    if (std::optional<std::size_t> declared = contentLength(msg);
        declared && *declared > config_.maxContentLength) {
      handlingOversizedMessage_ = true;
      handleOversizedMessage(ctx, msg);
      return;
    }
    ByteBuf* bytes = contentOf(msg);
    ByteBuf first = bytes != nullptr ? std::move(*bytes) : ByteBuf();
    current_ = beginAggregation(std::move(msg));
    appendContent(ctx, &first);
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
    if (last) {
      Message done = std::move(current_);
      finishAggregation(done, joinContent(ctx));
      reset();
      ctx.fireChannelRead(std::move(done));
    }
    return;
  }
  ctx.fireChannelRead(std::move(msg));
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

void MessageAggregator::channelInactive(ChannelHandlerContext& ctx) {
  reset();  // an unfinished message is dropped, as in Netty
  ctx.fireChannelInactive();
}

void MessageAggregator::handlerRemoved(ChannelHandlerContext&) { reset(); }

}  // namespace sluice
