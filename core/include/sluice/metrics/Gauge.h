#pragma once

#include <sluice/metrics/detail/MetricShards.h>

#include <cstdint>

namespace sluice {

/// A value that goes up and down (Prometheus gauge) kept by increments: open connections,
/// bytes queued for writing. Sharded like Counter, so a connection opened on one loop and
/// closed on another still sums right. A value sampled rather than counted (pool memory, a
/// queue's depth) is a callback gauge instead: MetricsRegistry::gaugeCallback. Thread: any.
class Gauge {
 public:
  void add(std::int64_t delta) noexcept {
    if (detail::metricsEnabled()) {
      shards_.add(delta);
    }
  }
  void inc() noexcept { add(1); }
  void dec() noexcept { add(-1); }
  std::int64_t value() const noexcept { return shards_.sum(); }

 private:
  detail::MetricShards shards_;
};

}  // namespace sluice
