#pragma once

#include <sluice/concurrent/EventLoop.h>
#include <sluice/concurrent/detail/ScheduledTaskQueue.h>

#include <deque>

namespace sluice {

/// The event loop of an EmbeddedChannel (Netty's EmbeddedEventLoop): no thread of its own.
/// Tasks run when the test calls runTasks() (EmbeddedChannel::runPendingTasks()), scheduled
/// tasks when their deadline on a virtual clock has come and runScheduledTasks() is called.
/// The clock starts at zero and moves only through advanceTimeBy(), so timeouts are tested
/// without waiting. It reports that every thread is in its loop.
///
/// Thread: the test's thread (it is not thread-safe).
class EmbeddedEventLoop final : public EventLoop {
 public:
  EmbeddedEventLoop();

  void execute(Task task) override;
  ScheduledFuture schedule(Task task, Duration delay) override;
  ScheduledFuture scheduleAtFixedRate(Task task, Duration initialDelay, Duration period) override;
  ScheduledFuture scheduleWithFixedDelay(Task task, Duration initialDelay, Duration delay) override;
  /// Terminates at once, cancelling scheduled tasks.
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override;
  using EventExecutor::shutdownGracefully;
  Future<void> terminationFuture() const override { return termination_.future(); }
  bool isShuttingDown() const noexcept override { return terminated_; }
  bool isTerminated() const noexcept override { return terminated_; }
  Duration nanoTime() const noexcept override { return now_; }

  /// Runs queued tasks, including those they queue, until none is left.
  void runTasks();
  /// Runs scheduled tasks whose deadline has come; returns how many ran.
  std::size_t runScheduledTasks();
  /// Time until the next scheduled task is due, or a negative duration when none is queued.
  Duration nextScheduledTaskDelay() const noexcept;
  /// Moves the virtual clock forward (tasks that become due run at the next
  /// runScheduledTasks()).
  void advanceTimeBy(Duration duration) noexcept { now_ += duration; }
  bool hasPendingTasks() const noexcept { return !tasks_.empty(); }

 private:
  ScheduledFuture addScheduled(Task task, Duration delay, Duration period);

  std::deque<Task> tasks_;
  detail::ScheduledTaskQueue scheduled_;
  Duration now_{0};
  bool terminated_ = false;
  Promise<void> termination_;
};

}  // namespace sluice
