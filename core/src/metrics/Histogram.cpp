#include <sluice/metrics/Histogram.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace sluice {

// One thread's buckets. Aligned so that two shards never share a cache line at their edges.
struct alignas(64) Histogram::Shard {
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts;
  std::atomic<double> sum{0};
};

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), shards_(new Shard[detail::kMetricShards]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::invalid_argument("histogram bucket bounds must be strictly ascending");
  }
  for (std::size_t i = 0; i < detail::kMetricShards; ++i) {
    shards_[i].counts.reset(new std::atomic<std::uint64_t>[bounds_.size() + 1]);
    for (std::size_t b = 0; b <= bounds_.size(); ++b) {
      shards_[i].counts[b].store(0, std::memory_order_relaxed);
    }
  }
}

Histogram::~Histogram() = default;

void Histogram::observe(double value) noexcept {
  if (!detail::metricsEnabled()) {
    return;
  }
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) {
    ++bucket;
  }
  Shard& shard = shards_[detail::metricShard()];
  shard.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  shard.sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.counts.assign(bounds_.size() + 1, 0);
  for (std::size_t i = 0; i < detail::kMetricShards; ++i) {
    for (std::size_t b = 0; b <= bounds_.size(); ++b) {
      const std::uint64_t n = shards_[i].counts[b].load(std::memory_order_relaxed);
      s.counts[b] += n;
      s.count += n;
    }
    s.sum += shards_[i].sum.load(std::memory_order_relaxed);
  }
  return s;
}

std::vector<double> Histogram::latencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::vector<double> Histogram::sizeBuckets() {
  std::vector<double> bounds;
  for (double b = 64; b <= 16.0 * 1024 * 1024; b *= 4) {
    bounds.push_back(b);
  }
  return bounds;
}

}  // namespace sluice
