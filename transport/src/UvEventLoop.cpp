#include <pthread.h>
#include <sluice/concurrent/EventLoopGroup.h>
#include <sluice/transport/UvError.h>
#include <sluice/util/Log.h>

#include <algorithm>
#include <csignal>
#include <mutex>
#include <string>
#include <vector>

#include "UvLoopImpl.h"

namespace sluice {
namespace detail {
namespace {

// A write to a socket the peer has closed raises SIGPIPE, which kills the process by
// default. sluice reports the error instead (DESIGN.md, "Process-wide state": the one-time
// SIGPIPE setup).
void ignoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

UvLoopImpl& implOf(uv_handle_t* handle) { return *static_cast<UvLoopImpl*>(handle->data); }

template <typename H>
UvLoopImpl& implOf(H* handle) {
  return implOf(reinterpret_cast<uv_handle_t*>(handle));
}

}  // namespace

constexpr std::uint64_t kLagIntervalMs = 100;

// The `loop` labels of running loops. Each loop takes the lowest free number, so that the
// loops of one group are numbered as its indices and no two running loops share a series.
// Process-wide state that belongs to the metrics registry's (DESIGN.md): never destroyed.
class LoopLabels {
 public:
  static std::size_t acquire() {
    LoopLabels& self = instance();
    std::lock_guard lock(self.mutex_);
    auto it = std::find(self.used_.begin(), self.used_.end(), false);
    if (it == self.used_.end()) {
      self.used_.push_back(true);
      return self.used_.size() - 1;
    }
    *it = true;
    return static_cast<std::size_t>(it - self.used_.begin());
  }
  static void release(std::size_t label) noexcept {
    LoopLabels& self = instance();
    std::lock_guard lock(self.mutex_);
    self.used_[label] = false;
  }

 private:
  static LoopLabels& instance() {
    static auto* labels = new LoopLabels;
    return *labels;
  }
  std::mutex mutex_;
  std::vector<bool> used_;
};

UvLoopImpl::UvLoopImpl(UvEventLoop& loopOwner)
    : owner(loopOwner), termination(Promise<void>::make(nullptr)) {
  ignoreSigpipeOnce();
  int rc = uv_loop_init(&loop);
  if (rc != 0) {
    throw ErrorException(makeUvError(rc, "uv_loop_init"));
  }
  uv_async_init(&loop, &wakeup, [](uv_async_t* h) {
    UvLoopImpl& self = implOf(h);
    self.runIncoming();
  });
  uv_check_init(&loop, &check);
  uv_check_start(&check, [](uv_check_t* h) { implOf(h).endOfIteration(); });
  uv_prepare_init(&loop, &prepare);
  uv_prepare_start(&prepare, [](uv_prepare_t* h) { implOf(h).endOfIteration(); });
  uv_timer_init(&loop, &timer);
  uv_timer_init(&loop, &shutdownTimer);
  for (uv_handle_t* h :
       {reinterpret_cast<uv_handle_t*>(&wakeup), reinterpret_cast<uv_handle_t*>(&check),
        reinterpret_cast<uv_handle_t*>(&prepare), reinterpret_cast<uv_handle_t*>(&timer),
        reinterpret_cast<uv_handle_t*>(&shutdownTimer)}) {
    h->data = this;
  }
  if (MetricsRegistry::isEnabled()) {
    startMetrics();
  }
}

void UvLoopImpl::startMetrics() {
  MetricsRegistry& registry = MetricsRegistry::global();
  index = LoopLabels::acquire();
  const MetricLabels labels{{"loop", std::to_string(index)}};
  lagSeconds = &registry.histogram(
      "sluice_event_loop_lag_seconds",
      "How late the event loop ran a timer due every 100 ms: time spent blocked or busy.",
      Histogram::latencyBuckets(), labels);
  tasksPendingGauge = registry.gaugeCallback(
      "sluice_event_loop_tasks_pending", "Tasks queued to the event loop, not yet run.", labels,
      [this] { return static_cast<double>(tasksPending()); });
  uv_timer_init(&loop, &lagTimer);
  lagTimer.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&lagTimer));
  armLagTimer();
}

void UvLoopImpl::armLagTimer() {
  // Due when the loop's clock reaches now + the interval: the lag is how much later than that
  // the callback runs (the loop's clock is uv_hrtime() in whole milliseconds).
  lagExpectedNs = (uv_now(&loop) + kLagIntervalMs) * 1'000'000;
  uv_timer_start(
      &lagTimer,
      [](uv_timer_t* h) {
        UvLoopImpl& self = implOf(h);
        const std::uint64_t now = uv_hrtime();
        const std::uint64_t lateNs = now > self.lagExpectedNs ? now - self.lagExpectedNs : 0;
        self.lagSeconds->observe(static_cast<double>(lateNs) / 1e9);
        self.armLagTimer();
      },
      kLagIntervalMs, 0);
}

std::uint64_t UvLoopImpl::tasksPending() const noexcept {
  // Completed first: submitted only grows, so the difference is never negative.
  const std::uint64_t completed = completedTasks.load(std::memory_order_acquire);
  const std::uint64_t submitted = submittedTasks.load(std::memory_order_acquire);
  return submitted >= completed ? submitted - completed : 0;
}

void UvLoopImpl::run() {
  uv_run(&loop, UV_RUN_DEFAULT);
  // Every handle is closed (finishShutdownIfDue closed them): the loop can go, and its
  // metrics with it.
  if (lagSeconds != nullptr) {
    tasksPendingGauge.reset();
    LoopLabels::release(index);
  }
  uv_loop_close(&loop);
}

void UvLoopImpl::runIncoming() {
  // Cleared before draining, so that a task queued meanwhile sends a new wake-up.
  wakeupPending.store(false, std::memory_order_release);
  std::vector<Task> batch;
  {
    std::lock_guard lock(mutex);
    batch.swap(incoming);
  }
  for (Task& task : batch) {
    try {
      task();
    } catch (...) {
      Log::log(LogLevel::Warn, "transport", "a task threw: {}",
               Error::fromCurrentException().message());
    }
    // Counted as each task ends, not after the batch: a task that completes a future (sync())
    // must find every task before it counted. Only this thread writes, so a load and a store
    // do, with no locked instruction per task.
    completedTasks.store(completedTasks.load(std::memory_order_relaxed) + 1,
                         std::memory_order_release);
  }
  if (!batch.empty()) {
    lastActivity = owner.nanoTime();
  }
}

void UvLoopImpl::addScheduled(Task task, Duration deadline, Duration period,
                              Promise<void> promise) {
  scheduled.add(std::move(task), deadline, period, std::move(promise));
  armTimer();
}

void UvLoopImpl::armTimer() {
  if (scheduled.empty()) {
    uv_timer_stop(&timer);
    return;
  }
  const Duration wait = scheduled.nextDeadline() - owner.nanoTime();
  // uv timers count whole milliseconds: round up, so a task never runs early.
  const auto ms = wait <= Duration::zero() ? 0 : (wait.count() + 999'999) / 1'000'000;
  uv_update_time(&loop);
  uv_timer_start(
      &timer,
      [](uv_timer_t* h) {
        UvLoopImpl& self = implOf(h);
        if (self.scheduled.runDue(self.owner.nanoTime(), [&] { return self.owner.nanoTime(); }) !=
            0) {
          self.lastActivity = self.owner.nanoTime();
        }
        self.armTimer();
      },
      static_cast<std::uint64_t>(ms), 0);
}

void UvLoopImpl::endOfIteration() {
  // Reads first: handlers flush in channelReadComplete, and those flushes are written below.
  while (!readCompletePending.empty()) {
    std::vector<Pending> batch;
    batch.swap(readCompletePending);
    for (Pending& p : batch) {
      p.client->endReadBurst();
    }
  }
  while (!flushPending.empty()) {
    std::vector<Pending> batch;
    batch.swap(flushPending);
    for (Pending& p : batch) {
      p.client->flushNow();
    }
  }
}

void UvLoopImpl::beginShutdown(Duration quiet, Duration timeout) {
  quietPeriod = quiet;
  lastActivity = owner.nanoTime();
  shutdownDeadline = lastActivity + std::max(quiet, timeout);
  // Netty's rule: channels close when shutdown begins; tasks keep running until it ends.
  std::vector<std::shared_ptr<Channel>> open;
  for (auto& [raw, channel] : channels) {
    open.push_back(channel);
  }
  for (auto& channel : open) {
    channel->closeReason().record(CloseInitiator::Shutdown, "event loop shutdown");
    channel->close();
  }
  const auto pollMs = static_cast<std::uint64_t>(std::clamp<std::int64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(quiet).count() / 4, 1, 100));
  uv_timer_start(
      &shutdownTimer, [](uv_timer_t* h) { implOf(h).finishShutdownIfDue(); }, 0, pollMs);
}

void UvLoopImpl::finishShutdownIfDue() {
  const Duration now = owner.nanoTime();
  if (now - lastActivity < quietPeriod && now < shutdownDeadline) {
    return;
  }
  {
    std::lock_guard lock(mutex);
    if (!incoming.empty() && now < shutdownDeadline) {
      return;  // not quiet after all: runIncoming will run them first
    }
  }
  runIncoming();
  {
    std::lock_guard lock(mutex);
    state.store(kTerminated, std::memory_order_release);
  }
  scheduled.cancelAll();
  // Close every handle; uv_run returns once their close callbacks have run. Channels that are
  // still open close here too, through their own handles' close callbacks.
  for (auto& [raw, channel] : std::unordered_map(channels)) {
    channel->closeReason().record(CloseInitiator::Shutdown, "event loop shutdown");
    channel->close();
  }
  uv_walk(
      &loop,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) {
          uv_close(h, nullptr);
        }
      },
      nullptr);
}

void UvChannelHooks::registerChannel(UvEventLoop& loop, std::shared_ptr<Channel> channel) {
  Channel* raw = channel.get();
  loop.impl_->channels.emplace(raw, std::move(channel));
}

std::shared_ptr<Channel> UvChannelHooks::unregisterChannel(UvEventLoop& loop, Channel* channel) {
  auto& channels = loop.impl_->channels;
  auto it = channels.find(channel);
  if (it == channels.end()) {
    return nullptr;
  }
  std::shared_ptr<Channel> keep = std::move(it->second);
  channels.erase(it);
  return keep;
}

void UvChannelHooks::requestFlush(UvEventLoop& loop, std::shared_ptr<Channel> channel,
                                  UvLoopClient* client) {
  loop.impl_->flushPending.push_back({std::move(channel), client});
}

void UvChannelHooks::requestReadComplete(UvEventLoop& loop, std::shared_ptr<Channel> channel,
                                         UvLoopClient* client) {
  loop.impl_->readCompletePending.push_back({std::move(channel), client});
}

}  // namespace detail

// ---- UvEventLoop ----------------------------------------------------------------------------

UvEventLoop::UvEventLoop(EventLoopGroup* parent, std::string threadName)
    : EventLoop(parent), impl_(std::make_unique<detail::UvLoopImpl>(*this)) {
  impl_->thread = std::thread([this, name = std::move(threadName)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    ThreadScope scope(this);
    impl_->run();
    impl_->termination.trySuccess();
  });
}

UvEventLoop::~UvEventLoop() {
  shutdownGracefully(Duration::zero(), Duration::zero());
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

void UvEventLoop::execute(Task task) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->state.load(std::memory_order_acquire) == detail::UvLoopImpl::kTerminated) {
      throw ErrorException(Error(CoreErrc::RejectedExecution, "event loop has terminated"));
    }
    impl_->incoming.push_back(std::move(task));
    impl_->submittedTasks.store(impl_->submittedTasks.load(std::memory_order_relaxed) + 1,
                                std::memory_order_release);
  }
  // One wake-up per batch: only the first task since the loop last drained sends one.
  if (!impl_->wakeupPending.exchange(true, std::memory_order_acq_rel)) {
    uv_async_send(&impl_->wakeup);
  }
}

ScheduledFuture UvEventLoop::addScheduled(Task task, Duration delay, Duration period) {
  auto promise = Promise<void>::make(this);
  const Duration deadline = nanoTime() + std::max(delay, Duration::zero());
  if (inEventLoop()) {
    impl_->addScheduled(std::move(task), deadline, period, promise);
  } else {
    execute([this, t = std::make_shared<Task>(std::move(task)), deadline, period, promise] {
      impl_->addScheduled(std::move(*t), deadline, period, promise);
    });
  }
  return promise.future();
}

ScheduledFuture UvEventLoop::schedule(Task task, Duration delay) {
  return addScheduled(std::move(task), delay, Duration::zero());
}

ScheduledFuture UvEventLoop::scheduleAtFixedRate(Task task, Duration initialDelay,
                                                 Duration period) {
  return addScheduled(std::move(task), initialDelay, std::max(period, Duration(1)));
}

ScheduledFuture UvEventLoop::scheduleWithFixedDelay(Task task, Duration initialDelay,
                                                    Duration delay) {
  return addScheduled(std::move(task), initialDelay, -std::max(delay, Duration(1)));
}

Future<void> UvEventLoop::shutdownGracefully(Duration quietPeriod, Duration timeout) {
  int expected = detail::UvLoopImpl::kRunning;
  if (impl_->state.compare_exchange_strong(expected, detail::UvLoopImpl::kShuttingDown)) {
    execute([this, quietPeriod, timeout] { impl_->beginShutdown(quietPeriod, timeout); });
  }
  return impl_->termination.future();
}

Future<void> UvEventLoop::terminationFuture() const { return impl_->termination.future(); }

bool UvEventLoop::isShuttingDown() const noexcept {
  return impl_->state.load(std::memory_order_acquire) != detail::UvLoopImpl::kRunning;
}

bool UvEventLoop::isTerminated() const noexcept {
  return impl_->state.load(std::memory_order_acquire) == detail::UvLoopImpl::kTerminated &&
         impl_->termination.isDone();
}

std::uint64_t UvEventLoop::completedTasks() const noexcept {
  return impl_->completedTasks.load(std::memory_order_relaxed);
}

}  // namespace sluice
