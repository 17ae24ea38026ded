#include <sluice/metrics/detail/MetricShards.h>

namespace sluice::detail {

// Process-wide (DESIGN.md, "Process-wide state": the metrics registry and its switch).
std::atomic<bool> gMetricsEnabled{true};

std::size_t assignMetricShard() noexcept {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kMetricShards;
}

}  // namespace sluice::detail
