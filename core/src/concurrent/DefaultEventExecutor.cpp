#include <pthread.h>
#include <sluice/concurrent/DefaultEventExecutor.h>
#include <sluice/util/Log.h>

namespace sluice {

DefaultEventExecutor::DefaultEventExecutor(EventExecutorGroup* parent, std::string threadName)
    : DefaultEventExecutor(parent, std::move(threadName), nullptr) {}

DefaultEventExecutor::DefaultEventExecutor(EventExecutorGroup* parent, std::string threadName,
                                           EventExecutor* identity)
    : EventExecutor(parent),
      termination_(Promise<void>::make(nullptr)),
      identity_(identity != nullptr ? identity : this) {
  thread_ = std::thread([this, name = std::move(threadName)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    run();
  });
}

DefaultEventExecutor::~DefaultEventExecutor() {
  shutdownGracefully(Duration::zero(), Duration::zero());
  if (thread_.joinable()) {
    thread_.join();
  }
}

void DefaultEventExecutor::execute(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::Terminated) {
      throw ErrorException(Error(CoreErrc::RejectedExecution, "executor has terminated"));
    }
    tasks_.push_back(std::move(task));
  }
  wakeUp_.notify_one();
}

ScheduledFuture DefaultEventExecutor::addScheduled(Task task, Duration delay, Duration period) {
  auto promise = Promise<void>::make(identity_);
  const Duration deadline = nanoTime() + std::max(delay, Duration::zero());
  if (identity_->inEventLoop()) {
    scheduled_.add(std::move(task), deadline, period, promise);
  } else {
    // The queue is the executor thread's alone; the task carrying the entry gets it there.
    execute([this, task = std::make_shared<Task>(std::move(task)), deadline, period,
             promise]() mutable { scheduled_.add(std::move(*task), deadline, period, promise); });
  }
  return promise.future();
}

ScheduledFuture DefaultEventExecutor::schedule(Task task, Duration delay) {
  return addScheduled(std::move(task), delay, Duration::zero());
}

ScheduledFuture DefaultEventExecutor::scheduleAtFixedRate(Task task, Duration initialDelay,
                                                          Duration period) {
  return addScheduled(std::move(task), initialDelay, std::max(period, Duration(1)));
}

ScheduledFuture DefaultEventExecutor::scheduleWithFixedDelay(Task task, Duration initialDelay,
                                                             Duration delay) {
  return addScheduled(std::move(task), initialDelay, -std::max(delay, Duration(1)));
}

Future<void> DefaultEventExecutor::shutdownGracefully(Duration quietPeriod, Duration timeout) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::Running) {
      state_ = State::ShuttingDown;
      quietPeriod_ = quietPeriod;
      lastActivity_ = nanoTime();
      shutdownDeadline_ = lastActivity_ + std::max(timeout, quietPeriod);
    }
  }
  wakeUp_.notify_one();
  return termination_.future();
}

bool DefaultEventExecutor::isShuttingDown() const noexcept {
  std::lock_guard lock(mutex_);
  return state_ != State::Running;
}

bool DefaultEventExecutor::isTerminated() const noexcept {
  std::lock_guard lock(mutex_);
  return state_ == State::Terminated;
}

bool DefaultEventExecutor::shutdownDue(Duration now) const noexcept {
  return state_ == State::ShuttingDown &&
         (now - lastActivity_ >= quietPeriod_ || now >= shutdownDeadline_);
}

void DefaultEventExecutor::run() {
  ThreadScope scope(identity_);
  std::deque<Task> batch;
  for (;;) {
    bool terminate = false;
    {
      std::unique_lock lock(mutex_);
      for (;;) {
        const Duration now = nanoTime();
        if (!tasks_.empty() || (!scheduled_.empty() && scheduled_.nextDeadline() <= now)) {
          break;
        }
        if (shutdownDue(now)) {
          // Whatever is still queued runs before the executor terminates.
          break;
        }
        Duration wake = Duration::max();
        if (!scheduled_.empty()) {
          wake = scheduled_.nextDeadline();
        }
        if (state_ == State::ShuttingDown) {
          wake = std::min({wake, lastActivity_ + quietPeriod_, shutdownDeadline_});
        }
        if (wake == Duration::max()) {
          wakeUp_.wait(lock);
        } else {
          wakeUp_.wait_for(lock, wake - now);
        }
      }
      batch.swap(tasks_);
      if (batch.empty() && shutdownDue(nanoTime())) {
        state_ = State::Terminated;
        terminate = true;
      }
    }
    if (terminate) {
      scheduled_.cancelAll();
      termination_.trySuccess();
      return;
    }
    const bool ranAny = !batch.empty();
    for (Task& task : batch) {
      try {
        task();
      } catch (...) {
        Log::log(LogLevel::Warn, "concurrent", "a task threw: {}",
                 Error::fromCurrentException().message());
      }
    }
    batch.clear();
    const std::size_t ranScheduled = scheduled_.runDue(nanoTime(), [this] { return nanoTime(); });
    if (ranAny || ranScheduled != 0) {
      std::lock_guard lock(mutex_);
      lastActivity_ = nanoTime();
    }
  }
}

}  // namespace sluice
