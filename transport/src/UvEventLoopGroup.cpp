#include <sluice/transport/UvEventLoopGroup.h>

#include <algorithm>
#include <string>
#include <thread>

namespace sluice {

UvEventLoopGroup::UvEventLoopGroup(std::size_t threads)
    : termination_(Promise<void>::make(nullptr)) {
  if (threads == 0) {
    threads = std::max(1U, std::thread::hardware_concurrency());
  }
  loops_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    loops_.push_back(std::make_unique<UvEventLoop>(this, "sluice-uv-" + std::to_string(i)));
  }
  auto remaining = std::make_shared<std::atomic<std::size_t>>(threads);
  for (auto& loop : loops_) {
    loop->terminationFuture().addListener([remaining, p = termination_](const Future<void>&) {
      if (remaining->fetch_sub(1) == 1) {
        p.trySuccess();
      }
    });
  }
}

UvEventLoopGroup::~UvEventLoopGroup() {
  shutdownGracefully(Duration::zero(), Duration::zero());
  loops_.clear();  // joins each thread
}

UvEventLoop& UvEventLoopGroup::next() noexcept {
  return *loops_[nextIndex_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

Future<void> UvEventLoopGroup::shutdownGracefully(Duration quietPeriod, Duration timeout) {
  for (auto& loop : loops_) {
    loop->shutdownGracefully(quietPeriod, timeout);
  }
  return termination_.future();
}

bool UvEventLoopGroup::isShuttingDown() const noexcept {
  return std::all_of(loops_.begin(), loops_.end(),
                     [](const auto& l) { return l->isShuttingDown(); });
}

bool UvEventLoopGroup::isTerminated() const noexcept {
  return std::all_of(loops_.begin(), loops_.end(), [](const auto& l) { return l->isTerminated(); });
}

}  // namespace sluice
