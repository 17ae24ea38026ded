#pragma once

#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/ScheduledFuture.h>

#include <list>

namespace sluice {

/// Fails a channel whose writes do not complete in time (Netty's WriteTimeoutHandler): when
/// a write has not completed `timeout` after it was made, it fires exceptionCaught with
/// CoreErrc::Timeout ("write timed out") and closes the channel, once. Each write gets a
/// timer on ctx.executor(), cancelled as soon as the write completes, so it runs on
/// EmbeddedChannel's virtual clock. Thread: the loop.
class WriteTimeoutHandler : public ChannelOutboundHandler {
 public:
  using Duration = EventExecutor::Duration;

  /// A positive timeout; shorter than a millisecond counts as one, as in Netty.
  explicit WriteTimeoutHandler(Duration timeout);

  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;

 protected:
  /// Called once on timeout; the default records the close reason (CloseInitiator::Timeout,
  /// "write timeout <N> ms"), fires the error and closes.
  virtual void writeTimedOut(ChannelHandlerContext& ctx);

 private:
  Duration timeout_;
  std::list<ScheduledFuture> timers_;  // one per write still in flight
  bool closed_ = false;
  bool removed_ = false;
};

}  // namespace sluice
