#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/handler/IdleStateEvent.h>

#include <chrono>
#include <cstdint>

namespace sluice {

/// Settings of an IdleStateHandler. A zero time disables that check (Netty's 0).
struct IdleStateHandlerConfig {
  EventExecutor::Duration readerIdleTime{0};
  EventExecutor::Duration writerIdleTime{0};
  EventExecutor::Duration allIdleTime{0};
};

/// Fires an IdleStateEvent user event when a channel has not read, written, or either, for
/// a while (Netty's IdleStateHandler). A handler after it reacts, typically by sending a
/// ping or closing the channel.
///
/// Timers are scheduled on ctx.executor() and read its clock (nanoTime()), so the handler
/// is tested on EmbeddedChannel's virtual clock. A read counts when its burst ends
/// (channelReadComplete); while a burst is in progress the reader is not idle. A write
/// counts when it completes. After an event the same check fires again each further period
/// of idleness, with `first` false. Timers start when the channel is active (or when the
/// handler is added to an active channel) and stop when it goes inactive or the handler is
/// removed.
///
/// Thread: the loop.
class IdleStateHandler : public ChannelDuplexHandler {
 public:
  using Duration = EventExecutor::Duration;

  explicit IdleStateHandler(IdleStateHandlerConfig config);
  /// Netty's IdleStateHandler(readerIdleTimeSeconds, writerIdleTimeSeconds, allIdleTimeSeconds).
  IdleStateHandler(Duration readerIdleTime, Duration writerIdleTime, Duration allIdleTime)
      : IdleStateHandler(IdleStateHandlerConfig{readerIdleTime, writerIdleTime, allIdleTime}) {}

  Duration readerIdleTime() const noexcept { return config_.readerIdleTime; }
  Duration writerIdleTime() const noexcept { return config_.writerIdleTime; }
  Duration allIdleTime() const noexcept { return config_.allIdleTime; }

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelRegistered(ChannelHandlerContext& ctx) override;
  void channelActive(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

 protected:
  /// Called with each event; the default fires it as a user event.
  virtual void channelIdle(ChannelHandlerContext& ctx, IdleStateEvent event);

 private:
  void initialize(ChannelHandlerContext& ctx);
  void destroy();
  void readerIdleTimeout(ChannelHandlerContext& ctx);
  void writerIdleTimeout(ChannelHandlerContext& ctx);
  void allIdleTimeout(ChannelHandlerContext& ctx);
  ScheduledFuture schedule(ChannelHandlerContext& ctx,
                           void (IdleStateHandler::*task)(ChannelHandlerContext&), Duration delay);
  void onWriteComplete(ChannelHandlerContext& ctx);

  IdleStateHandlerConfig config_;
  ScheduledFuture readerIdleTimeout_;
  ScheduledFuture writerIdleTimeout_;
  ScheduledFuture allIdleTimeout_;
  Duration lastReadTime_{0};
  Duration lastWriteTime_{0};
  // 0: not initialised, 1: initialised, 2: destroyed (never restarts).
  std::uint8_t state_ = 0;
  bool reading_ = false;
  bool firstReaderIdleEvent_ = true;
  bool firstWriterIdleEvent_ = true;
  bool firstAllIdleEvent_ = true;
};

}  // namespace sluice
