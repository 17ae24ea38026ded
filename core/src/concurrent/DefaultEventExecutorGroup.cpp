#include <sluice/concurrent/DefaultEventExecutorGroup.h>

#include <algorithm>
#include <thread>

namespace sluice {

DefaultEventExecutorGroup::DefaultEventExecutorGroup(std::size_t threads)
    : termination_(Promise<void>::make(nullptr)) {
  if (threads == 0) {
    threads = std::max(1U, std::thread::hardware_concurrency());
  }
  executors_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    executors_.push_back(
        std::make_unique<DefaultEventExecutor>(this, "sluice-exec-" + std::to_string(i)));
  }
  // The group has terminated when the last of its executors has.
  auto remaining = std::make_shared<std::atomic<std::size_t>>(threads);
  for (auto& e : executors_) {
    e->terminationFuture().addListener([remaining, promise = termination_](const Future<void>&) {
      if (remaining->fetch_sub(1) == 1) {
        promise.trySuccess();
      }
    });
  }
}

DefaultEventExecutorGroup::~DefaultEventExecutorGroup() {
  shutdownGracefully(Duration::zero(), Duration::zero());
  executors_.clear();  // joins each thread
}

EventExecutor& DefaultEventExecutorGroup::next() noexcept {
  return *executors_[nextIndex_.fetch_add(1, std::memory_order_relaxed) % executors_.size()];
}

Future<void> DefaultEventExecutorGroup::shutdownGracefully(Duration quietPeriod, Duration timeout) {
  for (auto& e : executors_) {
    e->shutdownGracefully(quietPeriod, timeout);
  }
  return termination_.future();
}

bool DefaultEventExecutorGroup::isShuttingDown() const noexcept {
  return std::all_of(executors_.begin(), executors_.end(),
                     [](const auto& e) { return e->isShuttingDown(); });
}

bool DefaultEventExecutorGroup::isTerminated() const noexcept {
  return std::all_of(executors_.begin(), executors_.end(),
                     [](const auto& e) { return e->isTerminated(); });
}

}  // namespace sluice
