#pragma once

#include <sluice/metrics/detail/MetricShards.h>

#include <cstdint>

namespace sluice {

/// A monotonically increasing count (Prometheus counter): connections accepted, bytes sent.
///
/// Lock-free on the hot path: each thread adds to its own shard (one cache line per event
/// loop), so loops never contend; a read sums the shards. Adding costs one relaxed load of
/// the enabled flag and one uncontended relaxed atomic add; with metrics off
/// (MetricsRegistry::setEnabled(false)) it costs the load alone. Thread: any.
///
/// Series are made by MetricsRegistry and live as long as it; keep the reference.
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept {
    if (detail::metricsEnabled()) {
      shards_.add(static_cast<std::int64_t>(n));
    }
  }
  /// The sum over every thread's shard.
  std::uint64_t value() const noexcept { return static_cast<std::uint64_t>(shards_.sum()); }

 private:
  detail::MetricShards shards_;
};

}  // namespace sluice
