#include <sluice/channel/AdaptiveRecvByteBufAllocator.h>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class AdaptiveRecvByteBufAllocatorTest : public testing::SluiceTest {};

TEST_F(AdaptiveRecvByteBufAllocatorTest, StartsAtTheInitialSize) {
  AdaptiveRecvByteBufAllocator a;
  EXPECT_EQ(a.guess(), 2048U);
}

TEST_F(AdaptiveRecvByteBufAllocatorTest, GrowsAfterAFullReadUpToTheMaximum) {
  AdaptiveRecvByteBufAllocator a;
  std::size_t last = a.guess();
  for (int i = 0; i < 20; ++i) {
    a.record(a.guess());  // every read fills its buffer
    EXPECT_GE(a.guess(), last);
    last = a.guess();
  }
  EXPECT_EQ(a.guess(), 65536U);
}

TEST_F(AdaptiveRecvByteBufAllocatorTest, ShrinksOnlyAfterTwoSmallReadsInARow) {
  AdaptiveRecvByteBufAllocator a;
  a.record(10);
  EXPECT_EQ(a.guess(), 2048U);  // one small read is not a trend
  a.record(10);
  EXPECT_LT(a.guess(), 2048U);
  for (int i = 0; i < 100; ++i) {
    a.record(1);
  }
  EXPECT_EQ(a.guess(), 64U);  // never below the minimum
}

TEST_F(AdaptiveRecvByteBufAllocatorTest, AMediumReadResetsTheShrinkCount) {
  AdaptiveRecvByteBufAllocator a;
  a.record(10);
  a.record(1500);  // fits, but is not small
  a.record(10);
  EXPECT_EQ(a.guess(), 2048U);
}

TEST_F(AdaptiveRecvByteBufAllocatorTest, RejectsInconsistentLimits) {
  EXPECT_THROW(AdaptiveRecvByteBufAllocator({.minimum = 0}), std::invalid_argument);
  EXPECT_THROW(AdaptiveRecvByteBufAllocator({.minimum = 64, .initial = 32, .maximum = 128}),
               std::invalid_argument);
  AdaptiveRecvByteBufAllocator fixed({.minimum = 1024, .initial = 1024, .maximum = 1024});
  fixed.record(1024);
  EXPECT_EQ(fixed.guess(), 1024U);
}

}  // namespace
}  // namespace sluice
