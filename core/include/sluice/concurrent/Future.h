#pragma once

#include <sluice/util/Error.h>
#include <sluice/util/MoveOnlyFunction.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

class EventExecutor;
template <typename T>
class Future;
template <typename T>
class Promise;

namespace detail {

/// What every future's shared state has, whatever its value type: the outcome, the error,
/// the listeners and the executor they run on.
class FutureStateBase : public std::enable_shared_from_this<FutureStateBase> {
 public:
  /// A listener gets the state, from which it rebuilds its typed future; holding no
  /// reference itself, a pending state with listeners forms no cycle.
  using StateListener = MoveOnlyFunction<void(FutureStateBase&)>;

  enum : int { kPending = 0, kSucceeded = 1, kFailed = 2, kCancelled = 3 };

  explicit FutureStateBase(EventExecutor* executor) noexcept : executor_(executor) {}
  virtual ~FutureStateBase() = default;
  FutureStateBase(const FutureStateBase&) = delete;
  FutureStateBase& operator=(const FutureStateBase&) = delete;

  int outcome() const noexcept { return outcome_.load(std::memory_order_acquire); }
  bool isDone() const noexcept { return outcome() != kPending; }
  const Error& error() const noexcept { return error_; }
  EventExecutor* executor() const noexcept { return executor_; }

  /// Moves from pending to `outcome` once; false if already done. `fill` stores the value
  /// or the error before the outcome is published.
  template <typename Fill>
  bool tryComplete(int outcome, Fill&& fill) {
    int expected = kPending;
    if (!completing_.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
      return false;
    }
    fill();
    outcome_.store(outcome, std::memory_order_seq_cst);  // see wakeWaiters()
    wakeWaiters();
    notifyListeners();
    return true;
  }

  /// Adds a listener, run once the state completes on the state's executor (at once if it
  /// is already complete and the caller is on that executor).
  void addListener(StateListener listener);

  /// Blocks until done or `deadline`; false on time-out. Throws ErrorException
  /// (BlockingOperation) when called on the executor's own thread while still pending.
  bool waitUntil(std::chrono::steady_clock::time_point deadline) const;
  void wait() const { waitUntil(std::chrono::steady_clock::time_point::max()); }

 protected:
  Error error_;

 private:
  void wakeWaiters() const noexcept;
  void notifyListeners();
  // Runs them here if the caller is on the executor (or there is none), else posts them.
  void dispatchListeners(std::vector<StateListener> listeners);
  void runListeners(std::vector<StateListener> listeners) noexcept;

  EventExecutor* executor_;
  std::atomic<int> outcome_{kPending};
  std::atomic<int> completing_{0};
  mutable std::atomic<int> waiters_{0};
  std::atomic_flag listenersLock_ = ATOMIC_FLAG_INIT;
  std::vector<StateListener> listeners_;
};

template <typename T>
class FutureState final : public FutureStateBase {
 public:
  using FutureStateBase::FutureStateBase;
  std::optional<T> value;
  void setError(Error e) { error_ = std::move(e); }
};

template <>
class FutureState<void> : public FutureStateBase {
 public:
  using FutureStateBase::FutureStateBase;
  void setError(Error e) { error_ = std::move(e); }
};

}  // namespace detail

/// The result of an asynchronous operation, ready now or later (Netty's Future): it
/// completes once, with a value or an Error, or by being cancelled. Copies share one state.
///
/// Listeners run on the future's executor (for a channel's futures: the channel's event
/// loop), in the order added; one added after completion runs at once when the caller is on
/// that executor, otherwise it is posted there. Blocking waits (await(), sync()) are for
/// threads that are not that executor: on it they throw ErrorException(BlockingOperation)
/// instead of deadlocking. Thread: any.
template <typename T>
class Future {
 public:
  using Listener = MoveOnlyFunction<void(const Future<T>&)>;

  /// An invalid future (no state); every query but isValid() is a programming error.
  Future() = default;

  bool isValid() const noexcept { return state_ != nullptr; }
  bool isDone() const noexcept { return state_->isDone(); }
  bool isSuccess() const noexcept {
    return state_->outcome() == detail::FutureStateBase::kSucceeded;
  }
  bool isCancelled() const noexcept {
    return state_->outcome() == detail::FutureStateBase::kCancelled;
  }
  /// The error once failed or cancelled; an empty Error otherwise.
  Error cause() const {
    const int o = state_->outcome();
    if (o == detail::FutureStateBase::kFailed) {
      return state_->error();
    }
    if (o == detail::FutureStateBase::kCancelled) {
      return Error(CoreErrc::Cancelled);
    }
    return {};
  }
  /// The value of a succeeded future. Throws std::logic_error if it has not succeeded.
  template <typename U = T>
  requires(!std::is_void_v<U>) const U& getNow() const {
    if (!isSuccess()) {
      throw std::logic_error("Future::getNow() before success");
    }
    return *static_cast<detail::FutureState<T>&>(*state_).value;
  }

  /// Runs `listener(*this)` once this completes (see the class comment for where).
  const Future& addListener(Listener listener) const {
    state_->addListener([l = std::move(listener)](detail::FutureStateBase& s) mutable {
      l(Future<T>(std::static_pointer_cast<detail::FutureState<T>>(s.shared_from_this())));
    });
    return *this;
  }

  /// Waits for completion. Off the executor's thread only.
  const Future& await() const {
    state_->wait();
    return *this;
  }
  /// Waits at most `timeout`; true if it completed.
  template <typename Rep, typename Period>
  bool await(std::chrono::duration<Rep, Period> timeout) const {
    return state_->waitUntil(std::chrono::steady_clock::now() + timeout);
  }
  /// Waits, then throws ErrorException if it failed or was cancelled (Netty's sync()).
  const Future& sync() const {
    await();
    if (!isSuccess()) {
      throw ErrorException(cause());
    }
    return *this;
  }
  /// Waits and returns the value, throwing as sync() does (Netty's get()).
  template <typename U = T>
  requires(!std::is_void_v<U>) const U& get() const {
    sync();
    return getNow();
  }

  /// Completes the future as cancelled if it has not completed; true if this call did.
  bool cancel() const {
    return state_->tryComplete(detail::FutureStateBase::kCancelled, [] {});
  }

  /// The executor listeners run on (null: the completing thread).
  EventExecutor* executor() const noexcept { return state_->executor(); }

  friend bool operator==(const Future& a, const Future& b) noexcept { return a.state_ == b.state_; }

 protected:
  explicit Future(std::shared_ptr<detail::FutureState<T>> state) : state_(std::move(state)) {}

  std::shared_ptr<detail::FutureState<T>> state_;

  friend class Promise<T>;
};

/// The writing side of a Future (Netty's Promise). Thread: any; the first completion wins.
template <typename T>
class Promise : public Future<T> {
 public:
  /// An invalid promise; see make().
  Promise() = default;

  /// A pending promise whose listeners run on `executor` (null: the completing thread).
  static Promise make(EventExecutor* executor) {
    return Promise(std::make_shared<detail::FutureState<T>>(executor));
  }

  Future<T> future() const { return Future<T>(this->state_); }

  template <typename U = T>
  requires(!std::is_void_v<U>) bool trySuccess(U value) const {
    auto& s = static_cast<detail::FutureState<T>&>(*this->state_);
    return s.tryComplete(detail::FutureStateBase::kSucceeded,
                         [&] { s.value.emplace(std::move(value)); });
  }
  template <typename U = T>
  requires std::is_void_v<U>
  bool trySuccess() const {
    return this->state_->tryComplete(detail::FutureStateBase::kSucceeded, [] {});
  }
  bool tryFailure(Error error) const {
    auto& s = *this->state_;
    return s.tryComplete(detail::FutureStateBase::kFailed, [&] { s.setError(std::move(error)); });
  }

  /// As trySuccess, but completing twice is a programming error: throws std::logic_error.
  template <typename... Args>
  void setSuccess(Args&&... args) const {
    if (!trySuccess(std::forward<Args>(args)...)) {
      throw std::logic_error("promise already complete");
    }
  }
  void setFailure(Error error) const {
    if (!tryFailure(std::move(error))) {
      throw std::logic_error("promise already complete");
    }
  }

 private:
  explicit Promise(std::shared_ptr<detail::FutureState<T>> state) : Future<T>(std::move(state)) {}
};

/// A future that has already succeeded, with listeners on `executor`.
inline Future<void> makeSucceededFuture(EventExecutor* executor = nullptr) {
  auto p = Promise<void>::make(executor);
  p.trySuccess();
  return p.future();
}
template <typename T>
Future<T> makeSucceededFuture(T value, EventExecutor* executor = nullptr) {
  auto p = Promise<T>::make(executor);
  p.trySuccess(std::move(value));
  return p.future();
}
/// A future that has already failed with `error`.
template <typename T = void>
Future<T> makeFailedFuture(Error error, EventExecutor* executor = nullptr) {
  auto p = Promise<T>::make(executor);
  p.tryFailure(std::move(error));
  return p.future();
}

}  // namespace sluice
