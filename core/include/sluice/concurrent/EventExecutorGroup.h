#pragma once

#include <sluice/concurrent/EventExecutor.h>

#include <cstddef>

namespace sluice {

/// A fixed set of executors handed out round-robin by next() (Netty's EventExecutorGroup).
/// Thread: any.
class EventExecutorGroup {
 public:
  using Duration = EventExecutor::Duration;

  virtual ~EventExecutorGroup() = default;
  EventExecutorGroup(const EventExecutorGroup&) = delete;
  EventExecutorGroup& operator=(const EventExecutorGroup&) = delete;

  /// The next executor, round-robin.
  virtual EventExecutor& next() noexcept = 0;
  virtual std::size_t executorCount() const noexcept = 0;
  /// Executor `index` (0 <= index < executorCount()).
  virtual EventExecutor& executor(std::size_t index) noexcept = 0;

  /// Shuts every executor down gracefully; the future completes when all have terminated.
  virtual Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) = 0;
  Future<void> shutdownGracefully() {
    return shutdownGracefully(EventExecutor::kDefaultQuietPeriod,
                              EventExecutor::kDefaultShutdownTimeout);
  }
  virtual Future<void> terminationFuture() const = 0;
  virtual bool isShuttingDown() const noexcept = 0;
  virtual bool isTerminated() const noexcept = 0;

 protected:
  EventExecutorGroup() = default;
};

}  // namespace sluice
