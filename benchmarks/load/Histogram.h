#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace sluice::load {

/// A log-linear histogram of unsigned 64-bit values, laid out like HdrHistogram, without deps.
///
/// Values below kSubBucketCount (256) are counted exactly. Above that, each power-of-two range
/// [2^m, 2^(m+1)) is split into kHalfCount (128) equal sub-buckets, so every recorded value is
/// known to within one part in 128 (0.79%) over the whole 64-bit range, in 7424 counters (58 KiB).
/// Recording is a shift, a count-leading-zeros and an increment: cheap enough to record every
/// message of a load test. The exact minimum, maximum and sum are kept beside the buckets.
///
/// Percentiles follow HdrHistogram: valueAtPercentile(p) is the highest value equivalent (in the
/// same bucket) to the smallest recorded value at or below which p% of all values lie, capped at
/// the recorded maximum, so valueAtPercentile(100) == max().
///
/// Thread: one thread at a time (no synchronisation).
class Histogram {
 public:
  static constexpr unsigned kSubBucketBits = 8;
  static constexpr std::uint64_t kSubBucketCount = std::uint64_t{1} << kSubBucketBits;
  static constexpr std::uint64_t kHalfCount = kSubBucketCount / 2;
  static constexpr std::size_t kBucketCount = kSubBucketCount + (64 - kSubBucketBits) * kHalfCount;

  Histogram() : counts_(kBucketCount, 0) {}

  /// Counts `value` `count` times.
  void record(std::uint64_t value, std::uint64_t count = 1) {
    counts_[indexOf(value)] += count;
    total_ += count;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    sum_ += static_cast<double>(value) * static_cast<double>(count);
  }

  /// Forgets every recorded value.
  void reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = 0;
    min_ = std::numeric_limits<std::uint64_t>::max();
    max_ = 0;
    sum_ = 0;
  }

  /// Adds every value recorded in `other` to this histogram.
  void add(const Histogram& other) {
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      counts_[i] += other.counts_[i];
    }
    total_ += other.total_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
  }

  /// The number of values recorded.
  std::uint64_t totalCount() const { return total_; }

  /// The smallest value recorded (exact), or 0 when empty.
  std::uint64_t min() const { return total_ == 0 ? 0 : min_; }

  /// The largest value recorded (exact), or 0 when empty.
  std::uint64_t max() const { return max_; }

  /// The mean of the values recorded (exact up to double rounding), or 0 when empty.
  double mean() const { return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_); }

  /// The value at `percentile` (0 to 100), within the histogram's resolution; 0 when empty.
  std::uint64_t valueAtPercentile(double percentile) const {
    if (total_ == 0) {
      return 0;
    }
    percentile = std::clamp(percentile, 0.0, 100.0);
    // The rank of the value sought, 1-based. The factor just below 1 keeps a product that
    // should be an integer (99.9% of 1000) from rounding up past it to the next rank.
    const double exactRank = percentile / 100.0 * static_cast<double>(total_) * (1.0 - 1e-14);
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(exactRank)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        return std::clamp(highestEquivalentValue(i), min(), max_);
      }
    }
    return max_;
  }

  /// The counter index that `value` is recorded in.
  static std::size_t indexOf(std::uint64_t value) {
    if (value < kSubBucketCount) {
      return static_cast<std::size_t>(value);
    }
    // value lies in [2^m, 2^(m+1)) with m >= kSubBucketBits; keep its top kSubBucketBits bits.
    const auto m = static_cast<unsigned>(std::bit_width(value) - 1);
    const unsigned shift = m - (kSubBucketBits - 1);
    const std::uint64_t sub = value >> shift;  // in [kHalfCount, kSubBucketCount)
    return static_cast<std::size_t>(kSubBucketCount + (m - kSubBucketBits) * kHalfCount +
                                    (sub - kHalfCount));
  }

  /// The smallest value recorded in counter `index`.
  static std::uint64_t lowestEquivalentValue(std::size_t index) {
    if (index < kSubBucketCount) {
      return index;
    }
    const std::uint64_t k = index - kSubBucketCount;
    const std::uint64_t sub = k % kHalfCount + kHalfCount;
    const unsigned shift = static_cast<unsigned>(k / kHalfCount) + 1;
    return sub << shift;
  }

  /// The largest value recorded in counter `index`.
  static std::uint64_t highestEquivalentValue(std::size_t index) {
    if (index < kSubBucketCount) {
      return index;
    }
    const auto shift = static_cast<unsigned>((index - kSubBucketCount) / kHalfCount) + 1;
    // Written as lowest + (width - 1) so that the very last counter ends at 2^64 - 1 exactly.
    return lowestEquivalentValue(index) + ((std::uint64_t{1} << shift) - 1);
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace sluice::load
