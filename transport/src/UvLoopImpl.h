#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/concurrent/detail/ScheduledTaskQueue.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/UvEventLoop.h>
#include <uv.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sluice::detail {

/// What a channel on a UvEventLoop gives the loop: the work the loop's hooks do for it at the
/// end of an iteration.
class UvLoopClient {
 public:
  /// Writes what has been flushed (the corked write).
  virtual void flushNow() = 0;
  /// Fires channelReadComplete after the reads of this iteration.
  virtual void endReadBurst() = 0;

 protected:
  ~UvLoopClient() = default;
};

/// The state of one UvEventLoop. Everything but the incoming queue, the state and the
/// counters is touched only on the loop's thread.
struct UvLoopImpl {
  enum State : int { kRunning, kShuttingDown, kTerminated };
  using Duration = EventExecutor::Duration;

  explicit UvLoopImpl(UvEventLoop& owner);

  UvEventLoop& owner;
  uv_loop_t loop{};
  uv_async_t wakeup{};
  uv_check_t check{};
  uv_prepare_t prepare{};
  uv_timer_t timer{};          // the earliest scheduled task
  uv_timer_t shutdownTimer{};  // polls for the end of the quiet period

  std::mutex mutex;  // guards incoming and the state's transition to kTerminated
  std::vector<Task> incoming;
  std::atomic<bool> wakeupPending{false};
  std::atomic<int> state{kRunning};
  std::atomic<std::uint64_t> completedTasks{0};
  // Tasks accepted by execute(); with completedTasks, the queue's depth. Written under
  // `mutex` only, so a load and a store do.
  std::atomic<std::uint64_t> submittedTasks{0};

  ScheduledTaskQueue scheduled;
  Duration quietPeriod{};
  Duration shutdownDeadline{};
  Duration lastActivity{};

  struct Pending {
    std::shared_ptr<Channel> keepAlive;
    UvLoopClient* client;
  };
  std::vector<Pending> readCompletePending;
  std::vector<Pending> flushPending;
  std::unordered_map<Channel*, std::shared_ptr<Channel>> channels;  // registered here

  Promise<void> termination;
  std::thread thread;

  // Metrics (when MetricsRegistry::isEnabled() as the loop starts): the loop's lag, measured
  // by a timer of our own (libuv 1.44 has no uv_metrics_info), and its queue's depth.
  std::size_t index = 0;            // the `loop` label
  uv_timer_t lagTimer{};            // unreferenced: it never keeps the loop alive
  std::uint64_t lagExpectedNs = 0;  // when the lag timer is due, on uv_hrtime()'s clock
  Histogram* lagSeconds = nullptr;
  // Last: unregistered first, before the counters it samples go.
  MetricsRegistry::Registration tasksPendingGauge;

  void run();
  void runIncoming();
  void addScheduled(Task task, Duration deadline, Duration period, Promise<void> promise);
  void armTimer();
  void endOfIteration();
  void beginShutdown(Duration quiet, Duration timeout);
  void finishShutdownIfDue();
  void startMetrics();
  void armLagTimer();
  std::uint64_t tasksPending() const noexcept;
};

/// The loop's services for transport channels (private to the transport).
class UvChannelHooks {
 public:
  static UvLoopImpl& impl(UvEventLoop& loop) noexcept { return *loop.impl_; }
  static uv_loop_t* uvLoop(UvEventLoop& loop) noexcept { return &loop.impl_->loop; }
  /// Keeps `channel` alive while it is registered (until its handle has closed).
  static void registerChannel(UvEventLoop& loop, std::shared_ptr<Channel> channel);
  /// Forgets `channel`, returning the reference that kept it alive.
  static std::shared_ptr<Channel> unregisterChannel(UvEventLoop& loop, Channel* channel);
  /// Asks for flushNow() at the end of this iteration (once, however often it is asked).
  static void requestFlush(UvEventLoop& loop, std::shared_ptr<Channel> channel,
                           UvLoopClient* client);
  static void requestReadComplete(UvEventLoop& loop, std::shared_ptr<Channel> channel,
                                  UvLoopClient* client);
};

}  // namespace sluice::detail
