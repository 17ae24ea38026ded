#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "Histogram.h"

namespace sluice::load {
namespace {

// The relative width of one bucket above the exact range: 1 part in 128.
constexpr double kResolution = 1.0 / static_cast<double>(Histogram::kHalfCount);

TEST(HistogramTest, EmptyHistogramReportsZero) {
  Histogram h;
  EXPECT_EQ(h.totalCount(), 0u);
  EXPECT_EQ(h.valueAtPercentile(50), 0u);
  EXPECT_EQ(h.valueAtPercentile(100), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(HistogramTest, CountsSmallValuesExactly) {
  Histogram h;
  for (std::uint64_t v = 0; v < Histogram::kSubBucketCount; ++v) {
    h.record(v);
  }
  // 256 values 0..255: the 128th smallest is 127, the 254th is 253.
  EXPECT_EQ(h.valueAtPercentile(50), 127u);
  EXPECT_EQ(h.valueAtPercentile(99), 253u);
  EXPECT_EQ(h.valueAtPercentile(100), 255u);
  EXPECT_EQ(h.valueAtPercentile(0), 0u);
}

TEST(HistogramTest, PercentilesOfAUniformRangeAreWithinResolution) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 10000; ++v) {
    h.record(v);
  }
  EXPECT_EQ(h.totalCount(), 10000u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 10000u);
  EXPECT_DOUBLE_EQ(h.mean(), 5000.5);
  // Each percentile is the top of the bucket that holds the exact answer: never below it, and
  // above it by less than one bucket's width.
  const struct {
    double percentile;
    double exact;
  } cases[] = {{50, 5000}, {90, 9000}, {99, 9900}, {99.9, 9990}};
  for (const auto& c : cases) {
    const auto got = static_cast<double>(h.valueAtPercentile(c.percentile));
    EXPECT_GE(got, c.exact) << "p" << c.percentile;
    EXPECT_LE(got, c.exact * (1 + kResolution)) << "p" << c.percentile;
  }
  EXPECT_EQ(h.valueAtPercentile(100), 10000u);
}

TEST(HistogramTest, ExactRankIsNotRoundedUpToTheNextValue) {
  // 999 fast values and one slow one: p99.9 of 1000 values is the 999th, a fast one.
  Histogram h;
  h.record(100, 999);
  h.record(1'000'000'000);
  EXPECT_EQ(h.valueAtPercentile(99.9), 100u);
  EXPECT_EQ(h.valueAtPercentile(99.95), 1'000'000'000u);
  EXPECT_EQ(h.max(), 1'000'000'000u);
}

TEST(HistogramTest, EveryValueFallsInsideItsBucket) {
  const std::uint64_t values[] = {0,
                                  1,
                                  255,
                                  256,
                                  257,
                                  511,
                                  512,
                                  1000,
                                  123'456'789,
                                  (std::uint64_t{1} << 40) + 12345,
                                  std::uint64_t{1} << 63,
                                  std::numeric_limits<std::uint64_t>::max()};
  for (const std::uint64_t v : values) {
    const std::size_t index = Histogram::indexOf(v);
    ASSERT_LT(index, Histogram::kBucketCount) << v;
    const std::uint64_t lo = Histogram::lowestEquivalentValue(index);
    const std::uint64_t hi = Histogram::highestEquivalentValue(index);
    EXPECT_LE(lo, v);
    EXPECT_GE(hi, v);
    if (v >= Histogram::kSubBucketCount) {
      EXPECT_LE(static_cast<double>(hi - lo) / static_cast<double>(lo), kResolution) << v;
    } else {
      EXPECT_EQ(lo, hi) << v;
    }
  }
  EXPECT_EQ(Histogram::indexOf(std::numeric_limits<std::uint64_t>::max()),
            Histogram::kBucketCount - 1);
}

TEST(HistogramTest, BucketsAreContiguousAndIncreasing) {
  for (std::size_t i = 1; i < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::lowestEquivalentValue(i), Histogram::highestEquivalentValue(i - 1) + 1)
        << i;
  }
}

TEST(HistogramTest, AddMergesAndResetForgets) {
  Histogram a;
  Histogram b;
  a.record(10, 3);
  b.record(20'000, 1);
  a.add(b);
  EXPECT_EQ(a.totalCount(), 4u);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.max(), 20'000u);
  EXPECT_EQ(a.valueAtPercentile(75), 10u);
  EXPECT_EQ(a.valueAtPercentile(100), 20'000u);
  a.reset();
  EXPECT_EQ(a.totalCount(), 0u);
  EXPECT_EQ(a.valueAtPercentile(50), 0u);
  a.record(7);
  EXPECT_EQ(a.min(), 7u);
  EXPECT_EQ(a.valueAtPercentile(50), 7u);
}

}  // namespace
}  // namespace sluice::load
