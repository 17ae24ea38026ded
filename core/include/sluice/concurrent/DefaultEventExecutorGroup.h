#pragma once

#include <sluice/concurrent/DefaultEventExecutor.h>
#include <sluice/concurrent/EventExecutorGroup.h>

#include <atomic>
#include <memory>
#include <vector>

namespace sluice {

/// A group of DefaultEventExecutors: plain threads for handlers that block (Netty's
/// DefaultEventExecutorGroup). `pipeline.addLast(group, handler)` pins the handler of each
/// channel to one of its executors, so the handler's callbacks for that channel stay in
/// order; its writes hop back to the channel's event loop.
class DefaultEventExecutorGroup final : public EventExecutorGroup {
 public:
  /// `threads` executors; 0 means one per hardware thread.
  explicit DefaultEventExecutorGroup(std::size_t threads = 0);
  /// Shuts every executor down (if not yet) and joins their threads.
  ~DefaultEventExecutorGroup() override;

  EventExecutor& next() noexcept override;
  std::size_t executorCount() const noexcept override { return executors_.size(); }
  EventExecutor& executor(std::size_t index) noexcept override { return *executors_[index]; }
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override;
  using EventExecutorGroup::shutdownGracefully;
  Future<void> terminationFuture() const override { return termination_.future(); }
  bool isShuttingDown() const noexcept override;
  bool isTerminated() const noexcept override;

 private:
  std::vector<std::unique_ptr<DefaultEventExecutor>> executors_;
  std::atomic<std::size_t> nextIndex_{0};
  Promise<void> termination_;
};

}  // namespace sluice
