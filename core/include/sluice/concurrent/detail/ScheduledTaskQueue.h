#pragma once

#include <sluice/concurrent/Future.h>
#include <sluice/util/MoveOnlyFunction.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace sluice::detail {

/// The scheduled tasks of one executor, earliest deadline first; ties run in the order they
/// were scheduled. Deadlines are on the executor's own clock (EventExecutor::nanoTime()).
/// Not thread-safe: the owning executor guards it.
class ScheduledTaskQueue {
 public:
  using Duration = std::chrono::nanoseconds;

  /// `period` > 0: fixed rate; < 0: fixed delay of -period; 0: once.
  void add(Task task, Duration deadline, Duration period, Promise<void> promise);

  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  /// The earliest deadline; the queue must not be empty.
  Duration nextDeadline() const noexcept { return heap_.front().deadline; }

  /// Runs every task due at `now` (skipping cancelled ones) and re-queues periodic ones.
  /// `clock` is read after each run for fixed-delay tasks. Returns how many ran.
  template <typename Clock>
  std::size_t runDue(Duration now, Clock&& clock);

  /// Cancels every queued task (at executor termination).
  void cancelAll() noexcept;

 private:
  struct Entry {
    Duration deadline;
    std::uint64_t sequence;
    Duration period;
    std::shared_ptr<Task> task;  // shared so a periodic task survives its own re-queueing
    Promise<void> promise;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const noexcept {
      return a.deadline != b.deadline ? a.deadline > b.deadline : a.sequence > b.sequence;
    }
  };

  Entry popFront();
  void push(Entry entry);
  static void runOne(Entry& entry) noexcept;

  std::vector<Entry> heap_;
  std::uint64_t nextSequence_ = 0;
};

template <typename Clock>
std::size_t ScheduledTaskQueue::runDue(Duration now, Clock&& clock) {
  std::size_t ran = 0;
  while (!heap_.empty() && heap_.front().deadline <= now) {
    Entry entry = popFront();
    if (entry.promise.isDone()) {
      continue;  // cancelled
    }
    runOne(entry);
    ++ran;
    if (entry.period != Duration::zero() && !entry.promise.isDone()) {
      entry.deadline =
          entry.period > Duration::zero() ? entry.deadline + entry.period : clock() - entry.period;
      push(std::move(entry));
    }
  }
  return ran;
}

}  // namespace sluice::detail
