#pragma once

#include <sluice/concurrent/DefaultEventExecutor.h>
#include <sluice/concurrent/EventLoop.h>

#include <string>

namespace sluice {

/// An event loop on a plain thread with no I/O of its own (Netty's DefaultEventLoop): for
/// channels that are not sockets, and for tests that need a loop on a real thread. Socket
/// channels use the transport's UvEventLoop.
class DefaultEventLoop final : public EventLoop {
 public:
  explicit DefaultEventLoop(std::string threadName = "sluice-loop")
      : executor_(nullptr, std::move(threadName), this) {}

  void execute(Task task) override { executor_.execute(std::move(task)); }
  ScheduledFuture schedule(Task task, Duration delay) override {
    return executor_.schedule(std::move(task), delay);
  }
  ScheduledFuture scheduleAtFixedRate(Task task, Duration initialDelay, Duration period) override {
    return executor_.scheduleAtFixedRate(std::move(task), initialDelay, period);
  }
  ScheduledFuture scheduleWithFixedDelay(Task task, Duration initialDelay,
                                         Duration delay) override {
    return executor_.scheduleWithFixedDelay(std::move(task), initialDelay, delay);
  }
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override {
    return executor_.shutdownGracefully(quietPeriod, timeout);
  }
  using EventExecutor::shutdownGracefully;
  Future<void> terminationFuture() const override { return executor_.terminationFuture(); }
  bool isShuttingDown() const noexcept override { return executor_.isShuttingDown(); }
  bool isTerminated() const noexcept override { return executor_.isTerminated(); }

 private:
  DefaultEventExecutor executor_;
};

}  // namespace sluice
