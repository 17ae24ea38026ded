#pragma once

#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/detail/ScheduledTaskQueue.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace sluice {

/// An executor on a plain thread of its own, for work that may block (Netty's
/// DefaultEventExecutor). Handlers added with pipeline.addLast(group, handler) run on one.
class DefaultEventExecutor final : public EventExecutor {
 public:
  /// Starts the thread, named `threadName` (at most 15 characters are kept).
  explicit DefaultEventExecutor(EventExecutorGroup* parent = nullptr,
                                std::string threadName = "sluice-executor");
  /// As above, but the thread runs as `identity` (its inEventLoop() is true there): how
  /// DefaultEventLoop lends this executor its thread.
  DefaultEventExecutor(EventExecutorGroup* parent, std::string threadName, EventExecutor* identity);
  /// Shuts down at once if still running and joins the thread. Thread: not this executor's.
  ~DefaultEventExecutor() override;

  void execute(Task task) override;
  ScheduledFuture schedule(Task task, Duration delay) override;
  ScheduledFuture scheduleAtFixedRate(Task task, Duration initialDelay, Duration period) override;
  ScheduledFuture scheduleWithFixedDelay(Task task, Duration initialDelay, Duration delay) override;
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override;
  using EventExecutor::shutdownGracefully;
  Future<void> terminationFuture() const override { return termination_.future(); }
  bool isShuttingDown() const noexcept override;
  bool isTerminated() const noexcept override;

 private:
  enum class State { Running, ShuttingDown, Terminated };

  ScheduledFuture addScheduled(Task task, Duration delay, Duration period);
  void run();
  // Under mutex_: true when the graceful shutdown may finish now.
  bool shutdownDue(Duration now) const noexcept;

  mutable std::mutex mutex_;
  std::condition_variable wakeUp_;
  std::deque<Task> tasks_;
  detail::ScheduledTaskQueue scheduled_;  // touched only on the executor's thread
  State state_ = State::Running;
  Duration quietPeriod_{};
  Duration shutdownDeadline_{};
  Duration lastActivity_{};
  Promise<void> termination_;
  EventExecutor* identity_;
  std::thread thread_;
};

}  // namespace sluice
