#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sluice::detail {

/// The process-wide "metrics on" flag (MetricsRegistry::setEnabled).
extern std::atomic<bool> gMetricsEnabled;
inline bool metricsEnabled() noexcept { return gMetricsEnabled.load(std::memory_order_relaxed); }

/// How many shards a metric has: a power of two; threads beyond it share shards (still
/// correct, the adds are atomic, merely contended).
inline constexpr std::size_t kMetricShards = 16;

/// This thread's shard, assigned round-robin the first time it records anything, so the
/// first kMetricShards threads (the event loops, in practice) get one each.
std::size_t assignMetricShard() noexcept;
inline std::size_t metricShard() noexcept {
  // Constant-initialized, so reading it needs no TLS wrapper call.
  static thread_local std::size_t shard = kMetricShards;
  if (shard == kMetricShards) [[unlikely]] {
    shard = assignMetricShard();
  }
  return shard;
}

/// One signed 64-bit value per shard, each on its own cache line; the value is their sum.
class MetricShards {
 public:
  void add(std::int64_t delta) noexcept {
    cells_[metricShard()].value.fetch_add(delta, std::memory_order_relaxed);
  }
  std::int64_t sum() const noexcept {
    std::int64_t total = 0;
    for (const Cell& cell : cells_) {
      total += cell.value.load(std::memory_order_relaxed);
    }
    return total;
  }

 private:
  struct alignas(64) Cell {
    std::atomic<std::int64_t> value{0};
  };
  Cell cells_[kMetricShards];
};

}  // namespace sluice::detail
