#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/Future.h>
#include <sluice/util/Log.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace sluice {
namespace detail {

constinit thread_local EventExecutor* tlsCurrentExecutor = nullptr;

namespace {

// Blocking waits park on one of a few shared condition variables chosen by the state's
// address, so a future costs no mutex or condition variable of its own (most are never
// waited on).
struct WaitStripe {
  std::mutex mutex;
  std::condition_variable cv;
};
constexpr std::size_t kStripes = 32;

WaitStripe& stripeFor(const void* state) {
  static auto* stripes = new std::array<WaitStripe, kStripes>;  // never destroyed
  return (*stripes)[(reinterpret_cast<std::uintptr_t>(state) >> 6) % kStripes];
}

class SpinLock {
 public:
  explicit SpinLock(std::atomic_flag& flag) noexcept : flag_(flag) {
    while (flag_.test_and_set(std::memory_order_acquire)) {
      flag_.wait(true, std::memory_order_relaxed);
    }
  }
  ~SpinLock() {
    flag_.clear(std::memory_order_release);
    flag_.notify_one();
  }
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

 private:
  std::atomic_flag& flag_;
};

}  // namespace

bool FutureStateBase::waitUntil(std::chrono::steady_clock::time_point deadline) const {
  if (isDone()) {
    return true;
  }
  const EventExecutor* current = tlsCurrentExecutor;
  if ((executor_ != nullptr && executor_->inEventLoop()) ||
      (current != nullptr && current->isEventLoop())) {
    throw ErrorException(Error(CoreErrc::BlockingOperation,
                               "blocking wait on an event loop thread would deadlock; add a "
                               "listener instead"));
  }
  WaitStripe& stripe = stripeFor(this);
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  std::unique_lock lock(stripe.mutex);
  bool done = true;
  while (outcome_.load(std::memory_order_seq_cst) == kPending) {
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      stripe.cv.wait(lock);
    } else if (stripe.cv.wait_until(lock, deadline) == std::cv_status::timeout) {
      done = isDone();
      break;
    }
  }
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  return done;
}

void FutureStateBase::wakeWaiters() const noexcept {
  // The outcome was stored seq_cst; with the waiter's seq_cst increment-then-check, one of
  // the two sees the other (no fence: ThreadSanitizer does not model fences).
  if (waiters_.load(std::memory_order_seq_cst) > 0) {
    WaitStripe& stripe = stripeFor(this);
    std::lock_guard lock(stripe.mutex);
    stripe.cv.notify_all();
  }
}

void FutureStateBase::addListener(StateListener listener) {
  {
    SpinLock lock(listenersLock_);
    if (!isDone()) {
      listeners_.push_back(std::move(listener));
      return;
    }
  }
  std::vector<StateListener> one;
  one.push_back(std::move(listener));
  dispatchListeners(std::move(one));
}

void FutureStateBase::notifyListeners() {
  std::vector<StateListener> listeners;
  {
    SpinLock lock(listenersLock_);
    listeners.swap(listeners_);
  }
  if (!listeners.empty()) {
    dispatchListeners(std::move(listeners));
  }
}

void FutureStateBase::dispatchListeners(std::vector<StateListener> listeners) {
  if (executor_ == nullptr || executor_->inEventLoop()) {
    runListeners(std::move(listeners));
    return;
  }
  // Shared so that, if the executor has terminated and refuses the task, they still run.
  auto pending = std::make_shared<std::vector<StateListener>>(std::move(listeners));
  try {
    executor_->execute(
        [self = shared_from_this(), pending] { self->runListeners(std::move(*pending)); });
  } catch (const ErrorException&) {
    runListeners(std::move(*pending));
  }
}

void FutureStateBase::runListeners(std::vector<StateListener> listeners) noexcept {
  for (StateListener& l : listeners) {
    try {
      l(*this);
    } catch (...) {
      Log::log(LogLevel::Warn, "concurrent", "a future listener threw: {}",
               Error::fromCurrentException().message());
    }
  }
}

}  // namespace detail
}  // namespace sluice
