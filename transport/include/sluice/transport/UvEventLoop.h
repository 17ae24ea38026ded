#pragma once

#include <sluice/concurrent/EventLoop.h>

#include <cstdint>
#include <memory>
#include <string>

namespace sluice {

class EventLoopGroup;

namespace detail {
struct UvLoopImpl;
class UvChannelHooks;
}  // namespace detail

/// An event loop on libuv: one thread running one uv_loop (DESIGN.md, "Threading").
///
/// Tasks from other threads go through a multi-producer queue and wake the loop with one
/// uv_async per batch, not one per task. Scheduled tasks wait in a timer heap behind a single
/// uv timer. Channels flushed during a loop iteration are written together by a uv_check hook
/// (after the iteration's I/O callbacks) and a uv_prepare hook (before the loop would block,
/// which covers flushes made in timers and tasks): a burst of writeAndFlush calls costs one
/// gathering write.
///
/// Graceful shutdown closes every channel registered with the loop, keeps running tasks until
/// none has arrived for the quiet period (or the timeout passes), then cancels what is
/// scheduled, closes its handles and ends its thread. Thread: any, as EventExecutor says.
///
/// Metrics: when MetricsRegistry::isEnabled() as the loop is made, it reports
/// sluice_event_loop_tasks_pending{loop="N"} (tasks queued and not yet run, sampled when the
/// registry is collected) and sluice_event_loop_lag_seconds{loop="N"}, a histogram of how late
/// a timer due every 100 ms ran: the time the loop spent blocked or busy with other work.
/// The timer does not keep the loop alive. N is the lowest number no other running loop
/// has: the loops of the first group made are 0 to n-1, in order, and a second group (a boss
/// group beside the workers) goes on from n, so that no two running loops share a series. A
/// loop that has terminated gives its number back; the next loop made takes it (and shares
/// its lag histogram, whose series the registry keeps).
class UvEventLoop final : public EventLoop {
 public:
  /// Starts the loop's thread, named `threadName` (at most 15 characters are kept).
  explicit UvEventLoop(EventLoopGroup* parent = nullptr, std::string threadName = "sluice-uv");
  /// Shuts down at once if still running and joins the thread. Thread: not this loop's.
  ~UvEventLoop() override;

  void execute(Task task) override;
  ScheduledFuture schedule(Task task, Duration delay) override;
  ScheduledFuture scheduleAtFixedRate(Task task, Duration initialDelay, Duration period) override;
  ScheduledFuture scheduleWithFixedDelay(Task task, Duration initialDelay, Duration delay) override;
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override;
  using EventExecutor::shutdownGracefully;
  Future<void> terminationFuture() const override;
  bool isShuttingDown() const noexcept override;
  bool isTerminated() const noexcept override;

  /// Tasks run since the loop started (a gauge for metrics and tests). Thread: any.
  std::uint64_t completedTasks() const noexcept;

 private:
  friend class detail::UvChannelHooks;
  ScheduledFuture addScheduled(Task task, Duration delay, Duration period);

  std::unique_ptr<detail::UvLoopImpl> impl_;
};

}  // namespace sluice
