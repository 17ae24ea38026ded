#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/handler/WriteTimeoutHandler.h>

#include <algorithm>
#include <chrono>

namespace sluice {

WriteTimeoutHandler::WriteTimeoutHandler(Duration timeout)
    : timeout_(std::max<Duration>(timeout, std::chrono::milliseconds(1))) {}

void WriteTimeoutHandler::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  ChannelPromise tracked = promise;
  if (promise.isVoid()) {
    // A void promise cannot be listened to; track a real one and report its failure
    // through exceptionCaught, which is what a void promise does.
    tracked = ctx.newPromise();
    tracked.addListener([&ctx](const ChannelFuture& f) {
      if (!f.isSuccess()) {
        ctx.fireExceptionCaught(f.cause());
      }
    });
  }
  ctx.write(std::move(msg), tracked);
  if (tracked.isDone() || removed_) {
    return;
  }
  auto it = timers_.emplace(timers_.end());
  *it = ctx.executor().schedule(
      [this, &ctx, tracked] {
        // The entry is erased by the write's listener, which runs whatever happens here.
        if (!tracked.isDone()) {
          writeTimedOut(ctx);
        }
      },
      timeout_);
  tracked.addListener([this, it](const ChannelFuture&) {
    if (removed_) {
      return;
    }
    it->cancel();
    timers_.erase(it);
  });
}

void WriteTimeoutHandler::handlerRemoved(ChannelHandlerContext&) {
  removed_ = true;
  for (ScheduledFuture& f : timers_) {
    f.cancel();
  }
  timers_.clear();
}

void WriteTimeoutHandler::writeTimedOut(ChannelHandlerContext& ctx) {
  if (closed_) {
    return;
  }
  closed_ = true;
  ctx.channel().closeReason().record(
      CloseInitiator::Timeout,
      fmt::format("write timeout {} ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()));
  ctx.fireExceptionCaught(Error(CoreErrc::Timeout, "write timed out"));
  ctx.close();
}

}  // namespace sluice
