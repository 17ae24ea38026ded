#include <sluice/channel/Channel.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/handler/FlushConsolidationHandler.h>

#include <stdexcept>

namespace sluice {

FlushConsolidationHandler::FlushConsolidationHandler(FlushConsolidationHandlerConfig config)
    : config_(config) {
  if (config.explicitFlushAfterFlushes == 0) {
    throw std::invalid_argument("explicitFlushAfterFlushes must be positive");
  }
}

void FlushConsolidationHandler::handlerAdded(ChannelHandlerContext&) { removed_ = false; }

void FlushConsolidationHandler::flush(ChannelHandlerContext& ctx) {
  if (readInProgress_) {
    // The burst's end (channelReadComplete) flushes; cap how many wait for it.
    if (++flushPendingCount_ == config_.explicitFlushAfterFlushes) {
      flushNow(ctx);
    }
  } else if (config_.consolidateWhenNoReadInProgress) {
    if (++flushPendingCount_ == config_.explicitFlushAfterFlushes) {
      flushNow(ctx);
    } else {
      scheduleFlush(ctx);
    }
  } else {
    flushNow(ctx);
  }
}

void FlushConsolidationHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  readInProgress_ = true;
  ctx.fireChannelRead(std::move(msg));
}

void FlushConsolidationHandler::channelReadComplete(ChannelHandlerContext& ctx) {
  resetReadAndFlushIfNeeded(ctx);
  ctx.fireChannelReadComplete();
}

void FlushConsolidationHandler::exceptionCaught(ChannelHandlerContext& ctx, const Error& error) {
  resetReadAndFlushIfNeeded(ctx);
  ctx.fireExceptionCaught(error);
}

void FlushConsolidationHandler::disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) {
  resetReadAndFlushIfNeeded(ctx);
  ctx.disconnect(std::move(promise));
}

void FlushConsolidationHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  resetReadAndFlushIfNeeded(ctx);
  ctx.close(std::move(promise));
}

void FlushConsolidationHandler::channelWritabilityChanged(ChannelHandlerContext& ctx) {
  if (!ctx.channel().isWritable()) {
    // Held-back bytes must reach the socket for the channel to drain.
    flushIfNeeded(ctx);
  }
  ctx.fireChannelWritabilityChanged();
}

void FlushConsolidationHandler::handlerRemoved(ChannelHandlerContext& ctx) {
  flushIfNeeded(ctx);
  removed_ = true;
}

void FlushConsolidationHandler::resetReadAndFlushIfNeeded(ChannelHandlerContext& ctx) {
  readInProgress_ = false;
  flushIfNeeded(ctx);
}

void FlushConsolidationHandler::flushIfNeeded(ChannelHandlerContext& ctx) {
  if (flushPendingCount_ > 0) {
    flushNow(ctx);
  }
}

void FlushConsolidationHandler::flushNow(ChannelHandlerContext& ctx) {
  flushPendingCount_ = 0;
  ctx.flush();
}

void FlushConsolidationHandler::scheduleFlush(ChannelHandlerContext& ctx) {
  if (flushScheduled_) {
    return;
  }
  flushScheduled_ = true;
  // The pipeline keeps a removed handler alive until the channel is destroyed, and the
  // task holds the channel, so `this` and `ctx` outlive it; removed_ stops it from acting.
  ctx.executor().execute([this, &ctx, keep = ctx.channel().weak_from_this().lock()] {
    flushScheduled_ = false;
    if (!removed_ && flushPendingCount_ > 0 && !readInProgress_) {
      flushNow(ctx);
    }
  });
}

}  // namespace sluice
