#include <sluice/channel/embedded/EmbeddedEventLoop.h>

namespace sluice {

EmbeddedEventLoop::EmbeddedEventLoop() : termination_(Promise<void>::make(nullptr)) {
  setAlwaysInEventLoop(true);
}

void EmbeddedEventLoop::execute(Task task) {
  if (terminated_) {
    throw ErrorException(Error(CoreErrc::RejectedExecution, "event loop has terminated"));
  }
  tasks_.push_back(std::move(task));
}

ScheduledFuture EmbeddedEventLoop::addScheduled(Task task, Duration delay, Duration period) {
  auto promise = Promise<void>::make(this);
  scheduled_.add(std::move(task), now_ + std::max(delay, Duration::zero()), period, promise);
  return promise.future();
}

ScheduledFuture EmbeddedEventLoop::schedule(Task task, Duration delay) {
  return addScheduled(std::move(task), delay, Duration::zero());
}

ScheduledFuture EmbeddedEventLoop::scheduleAtFixedRate(Task task, Duration initialDelay,
                                                       Duration period) {
  return addScheduled(std::move(task), initialDelay, std::max(period, Duration(1)));
}

ScheduledFuture EmbeddedEventLoop::scheduleWithFixedDelay(Task task, Duration initialDelay,
                                                          Duration delay) {
  return addScheduled(std::move(task), initialDelay, -std::max(delay, Duration(1)));
}

Future<void> EmbeddedEventLoop::shutdownGracefully(Duration, Duration) {
  if (!terminated_) {
    runTasks();
    terminated_ = true;
    scheduled_.cancelAll();
    termination_.trySuccess();
  }
  return termination_.future();
}

void EmbeddedEventLoop::runTasks() {
  while (!tasks_.empty()) {
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    task();
  }
}

std::size_t EmbeddedEventLoop::runScheduledTasks() {
  return scheduled_.runDue(now_, [this] { return now_; });
}

EventExecutor::Duration EmbeddedEventLoop::nextScheduledTaskDelay() const noexcept {
  if (scheduled_.empty()) {
    return Duration(-1);
  }
  return std::max(scheduled_.nextDeadline() - now_, Duration::zero());
}

}  // namespace sluice
