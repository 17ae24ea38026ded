#pragma once

#include <sluice/concurrent/EventLoopGroup.h>
#include <sluice/transport/UvEventLoop.h>

#include <atomic>
#include <memory>
#include <vector>

namespace sluice {

/// A fixed set of UvEventLoops handed out round-robin (Netty's NioEventLoopGroup). A server
/// uses one as its boss group (accepting) and one as its worker group (serving), or one for
/// both. Thread: any.
class UvEventLoopGroup final : public EventLoopGroup {
 public:
  /// `threads` loops; 0 means one per hardware thread.
  explicit UvEventLoopGroup(std::size_t threads = 0);
  /// Shuts every loop down (if not yet) and joins their threads.
  ~UvEventLoopGroup() override;

  UvEventLoop& next() noexcept override;
  std::size_t executorCount() const noexcept override { return loops_.size(); }
  UvEventLoop& executor(std::size_t index) noexcept override { return *loops_[index]; }
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override;
  using EventExecutorGroup::shutdownGracefully;
  Future<void> terminationFuture() const override { return termination_.future(); }
  bool isShuttingDown() const noexcept override;
  bool isTerminated() const noexcept override;

 private:
  std::vector<std::unique_ptr<UvEventLoop>> loops_;
  std::atomic<std::size_t> nextIndex_{0};
  Promise<void> termination_;
};

}  // namespace sluice
