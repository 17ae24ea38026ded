#pragma once

#include <sluice/concurrent/Future.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/util/MoveOnlyFunction.h>

#include <chrono>
#include <type_traits>

namespace sluice {

class EventExecutor;
class EventExecutorGroup;

namespace detail {
/// The executor whose thread this is, set by executors while they run (constinit: reading it
/// is one TLS load, with no initialisation check).
extern constinit thread_local EventExecutor* tlsCurrentExecutor;
}  // namespace detail

/// Runs tasks on one thread, in order (Netty's EventExecutor). The base of EventLoop, of
/// DefaultEventExecutor (plain threads for blocking handlers) and of EmbeddedEventLoop.
///
/// Thread: every method may be called from any thread. Tasks run on the executor's thread,
/// one at a time, in the order execute() was called; a task that throws is logged and the
/// executor goes on.
class EventExecutor {
 public:
  using Duration = std::chrono::nanoseconds;
  static constexpr Duration kDefaultQuietPeriod = std::chrono::seconds(2);
  static constexpr Duration kDefaultShutdownTimeout = std::chrono::seconds(15);

  virtual ~EventExecutor() = default;
  EventExecutor(const EventExecutor&) = delete;
  EventExecutor& operator=(const EventExecutor&) = delete;

  /// True on this executor's own thread.
  bool inEventLoop() const noexcept {
    return detail::tlsCurrentExecutor == this || alwaysInEventLoop_;
  }

  /// Queues `task` to run on this executor's thread. Throws ErrorException
  /// (RejectedExecution) once the executor has terminated.
  virtual void execute(Task task) = 0;

  /// Runs `task` once after `delay`. Cancel it through the returned future.
  virtual ScheduledFuture schedule(Task task, Duration delay) = 0;
  /// Runs `task` after `initialDelay`, then every `period` measured from each start.
  virtual ScheduledFuture scheduleAtFixedRate(Task task, Duration initialDelay,
                                              Duration period) = 0;
  /// Runs `task` after `initialDelay`, then `delay` after each run ends.
  virtual ScheduledFuture scheduleWithFixedDelay(Task task, Duration initialDelay,
                                                 Duration delay) = 0;

  /// Starts a graceful shutdown: tasks keep running until none has been submitted for
  /// `quietPeriod`, or `timeout` has passed; then pending scheduled tasks are cancelled and
  /// the executor terminates. Returns terminationFuture().
  virtual Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) = 0;
  Future<void> shutdownGracefully() {
    return shutdownGracefully(kDefaultQuietPeriod, kDefaultShutdownTimeout);
  }
  /// Completes when the executor has terminated.
  virtual Future<void> terminationFuture() const = 0;
  virtual bool isShuttingDown() const noexcept = 0;
  virtual bool isTerminated() const noexcept = 0;

  /// This executor's clock: monotonic nanoseconds. EmbeddedEventLoop's is virtual and moves
  /// only when a test advances it, which is how timeouts are tested without waiting.
  virtual Duration nanoTime() const noexcept {
    return std::chrono::duration_cast<Duration>(
        std::chrono::steady_clock::now().time_since_epoch());
  }

  /// True for event loops, whose thread must never block (Future::sync() fails fast there).
  virtual bool isEventLoop() const noexcept { return false; }

  /// The group this executor belongs to, if any.
  EventExecutorGroup* parent() const noexcept { return parent_; }

  /// Runs `fn` on this executor and returns a future of its result (or of what it threw).
  template <typename F, typename R = std::invoke_result_t<F&>>
  Future<R> submit(F fn) {
    auto promise = Promise<R>::make(this);
    execute([promise, fn = std::move(fn)]() mutable {
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          promise.trySuccess();
        } else {
          promise.trySuccess(fn());
        }
      } catch (...) {
        promise.tryFailure(Error::fromCurrentException());
      }
    });
    return promise.future();
  }

  /// A new pending promise whose listeners run here.
  template <typename T = void>
  Promise<T> newPromise() {
    return Promise<T>::make(this);
  }

 protected:
  explicit EventExecutor(EventExecutorGroup* parent = nullptr) noexcept : parent_(parent) {}

  /// For executors whose thread is the caller's: EmbeddedEventLoop says it is always in its
  /// loop, as Netty's does.
  void setAlwaysInEventLoop(bool value) noexcept { alwaysInEventLoop_ = value; }

  /// Marks the calling thread as this executor's while it runs tasks.
  class ThreadScope {
   public:
    explicit ThreadScope(EventExecutor* executor) noexcept
        : previous_(std::exchange(detail::tlsCurrentExecutor, executor)) {}
    ~ThreadScope() { detail::tlsCurrentExecutor = previous_; }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

   private:
    EventExecutor* previous_;
  };

 private:
  EventExecutorGroup* parent_;
  bool alwaysInEventLoop_ = false;
};

}  // namespace sluice
