#include <sluice/channel/Channel.h>
#include <sluice/handler/IdleStateHandler.h>

#include <algorithm>

namespace sluice {

IdleStateHandler::IdleStateHandler(IdleStateHandlerConfig config) : config_(config) {
  // Netty: a positive time shorter than a millisecond is a millisecond.
  const auto atLeastOneMs = [](Duration& d) {
    if (d > Duration::zero()) {
      d = std::max<Duration>(d, std::chrono::milliseconds(1));
    } else {
      d = Duration::zero();
    }
  };
  atLeastOneMs(config_.readerIdleTime);
  atLeastOneMs(config_.writerIdleTime);
  atLeastOneMs(config_.allIdleTime);
}

void IdleStateHandler::handlerAdded(ChannelHandlerContext& ctx) {
  if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
    initialize(ctx);
  }
}

void IdleStateHandler::handlerRemoved(ChannelHandlerContext&) { destroy(); }

void IdleStateHandler::channelRegistered(ChannelHandlerContext& ctx) {
  if (ctx.channel().isActive()) {
    initialize(ctx);
  }
  ctx.fireChannelRegistered();
}

void IdleStateHandler::channelActive(ChannelHandlerContext& ctx) {
  initialize(ctx);
  ctx.fireChannelActive();
}

void IdleStateHandler::channelInactive(ChannelHandlerContext& ctx) {
  destroy();
  ctx.fireChannelInactive();
}

void IdleStateHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (config_.readerIdleTime > Duration::zero() || config_.allIdleTime > Duration::zero()) {
    reading_ = true;
    firstReaderIdleEvent_ = firstAllIdleEvent_ = true;
  }
  ctx.fireChannelRead(std::move(msg));
}

void IdleStateHandler::channelReadComplete(ChannelHandlerContext& ctx) {
  if (reading_) {
    lastReadTime_ = ctx.executor().nanoTime();
    reading_ = false;
  }
  ctx.fireChannelReadComplete();
}

void IdleStateHandler::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  if (config_.writerIdleTime <= Duration::zero() && config_.allIdleTime <= Duration::zero()) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  if (promise.isVoid()) {
    // A void promise cannot be listened to: use a real one, and keep the void promise's
    // contract of reporting a failure through exceptionCaught.
    ChannelPromise real = ctx.newPromise();
    ctx.write(std::move(msg), real);
    real.addListener([this, &ctx](const ChannelFuture& f) {
      onWriteComplete(ctx);
      if (!f.isSuccess()) {
        ctx.fireExceptionCaught(f.cause());
      }
    });
    return;
  }
  ChannelFuture f = ctx.write(std::move(msg), std::move(promise));
  f.addListener([this, &ctx](const ChannelFuture&) { onWriteComplete(ctx); });
}

void IdleStateHandler::onWriteComplete(ChannelHandlerContext& ctx) {
  if (state_ != 1) {
    return;  // removed or inactive: ctx may be gone
  }
  lastWriteTime_ = ctx.executor().nanoTime();
  firstWriterIdleEvent_ = firstAllIdleEvent_ = true;
}

void IdleStateHandler::initialize(ChannelHandlerContext& ctx) {
  if (state_ != 0) {
    return;  // already initialised, or destroyed before
  }
  state_ = 1;
  lastReadTime_ = lastWriteTime_ = ctx.executor().nanoTime();
  if (config_.readerIdleTime > Duration::zero()) {
    readerIdleTimeout_ =
        schedule(ctx, &IdleStateHandler::readerIdleTimeout, config_.readerIdleTime);
  }
  if (config_.writerIdleTime > Duration::zero()) {
    writerIdleTimeout_ =
        schedule(ctx, &IdleStateHandler::writerIdleTimeout, config_.writerIdleTime);
  }
  if (config_.allIdleTime > Duration::zero()) {
    allIdleTimeout_ = schedule(ctx, &IdleStateHandler::allIdleTimeout, config_.allIdleTime);
  }
}

void IdleStateHandler::destroy() {
  state_ = 2;
  for (ScheduledFuture* f : {&readerIdleTimeout_, &writerIdleTimeout_, &allIdleTimeout_}) {
    if (f->isValid()) {
      f->cancel();
      *f = ScheduledFuture();
    }
  }
}

ScheduledFuture IdleStateHandler::schedule(ChannelHandlerContext& ctx,
                                           void (IdleStateHandler::*task)(ChannelHandlerContext&),
                                           Duration delay) {
  // The handler cancels its timers before ctx goes away (handlerRemoved, channelInactive).
  return ctx.executor().schedule([this, &ctx, task] { (this->*task)(ctx); }, delay);
}

void IdleStateHandler::readerIdleTimeout(ChannelHandlerContext& ctx) {
  if (state_ != 1 || !ctx.channel().isOpen()) {
    return;
  }
  Duration next = config_.readerIdleTime;
  if (!reading_) {
    next -= ctx.executor().nanoTime() - lastReadTime_;
  }
  if (next <= Duration::zero()) {
    readerIdleTimeout_ =
        schedule(ctx, &IdleStateHandler::readerIdleTimeout, config_.readerIdleTime);
    const bool first = std::exchange(firstReaderIdleEvent_, false);
    channelIdle(ctx, IdleStateEvent{IdleState::ReaderIdle, first});
  } else {
    readerIdleTimeout_ = schedule(ctx, &IdleStateHandler::readerIdleTimeout, next);
  }
}

void IdleStateHandler::writerIdleTimeout(ChannelHandlerContext& ctx) {
  if (state_ != 1 || !ctx.channel().isOpen()) {
    return;
  }
  const Duration next = config_.writerIdleTime - (ctx.executor().nanoTime() - lastWriteTime_);
  if (next <= Duration::zero()) {
    writerIdleTimeout_ =
        schedule(ctx, &IdleStateHandler::writerIdleTimeout, config_.writerIdleTime);
    const bool first = std::exchange(firstWriterIdleEvent_, false);
    channelIdle(ctx, IdleStateEvent{IdleState::WriterIdle, first});
  } else {
    writerIdleTimeout_ = schedule(ctx, &IdleStateHandler::writerIdleTimeout, next);
  }
}

void IdleStateHandler::allIdleTimeout(ChannelHandlerContext& ctx) {
  if (state_ != 1 || !ctx.channel().isOpen()) {
    return;
  }
  Duration next = config_.allIdleTime;
  if (!reading_) {
    next -= ctx.executor().nanoTime() - std::max(lastReadTime_, lastWriteTime_);
  }
  if (next <= Duration::zero()) {
    allIdleTimeout_ = schedule(ctx, &IdleStateHandler::allIdleTimeout, config_.allIdleTime);
    const bool first = std::exchange(firstAllIdleEvent_, false);
    channelIdle(ctx, IdleStateEvent{IdleState::AllIdle, first});
  } else {
    allIdleTimeout_ = schedule(ctx, &IdleStateHandler::allIdleTimeout, next);
  }
}

void IdleStateHandler::channelIdle(ChannelHandlerContext& ctx, IdleStateEvent event) {
  ctx.fireUserEventTriggered(event);
}

}  // namespace sluice
