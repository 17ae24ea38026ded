#include <sluice/concurrent/detail/ScheduledTaskQueue.h>
#include <sluice/util/Log.h>

#include <algorithm>

namespace sluice::detail {

void ScheduledTaskQueue::add(Task task, Duration deadline, Duration period, Promise<void> promise) {
  push(Entry{deadline, nextSequence_++, period, std::make_shared<Task>(std::move(task)),
             std::move(promise)});
}

void ScheduledTaskQueue::push(Entry entry) {
  entry.sequence = nextSequence_++;
  heap_.push_back(std::move(entry));
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

ScheduledTaskQueue::Entry ScheduledTaskQueue::popFront() {
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  Entry entry = std::move(heap_.back());
  heap_.pop_back();
  return entry;
}

void ScheduledTaskQueue::runOne(Entry& entry) noexcept {
  try {
    (*entry.task)();
    if (entry.period == Duration::zero()) {
      entry.promise.trySuccess();
    }
  } catch (...) {
    Error error = Error::fromCurrentException();
    Log::log(LogLevel::Warn, "concurrent", "a scheduled task threw: {}", error.message());
    // A periodic task that throws stops, as in Netty.
    entry.promise.tryFailure(std::move(error));
  }
}

void ScheduledTaskQueue::cancelAll() noexcept {
  for (Entry& e : heap_) {
    e.promise.cancel();
  }
  heap_.clear();
}

}  // namespace sluice::detail
