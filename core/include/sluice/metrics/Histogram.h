#pragma once

#include <sluice/metrics/detail/MetricShards.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace sluice {

/// A distribution over fixed buckets (Prometheus histogram): event-loop lag, message sizes.
/// `bounds` are the buckets' inclusive upper bounds, ascending; +Inf is implicit. Observing
/// finds the bucket by a short linear scan (bucket lists are short) and adds to this thread's
/// shard: lock-free, like Counter. Thread: any.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  ~Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double value) noexcept;

  /// A consistent-enough read: counts per bucket (not cumulative, +Inf last), their total,
  /// and the sum of the observed values.
  struct Snapshot {
    std::vector<std::uint64_t> counts;
    std::uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const noexcept { return bounds_; }

  /// Bucket bounds for latencies in seconds, 100 us to 10 s.
  static std::vector<double> latencyBuckets();
  /// Bucket bounds for sizes in bytes, 64 B to 16 MiB by powers of 4.
  static std::vector<double> sizeBuckets();

 private:
  struct Shard;
  std::vector<double> bounds_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace sluice
