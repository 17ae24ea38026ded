#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/codec/compression/DeflaterPool.h>
#include <sluice/codec/compression/Inflater.h>

#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class DeflaterPoolTest : public testing::SluiceTest {
 protected:
  void SetUp() override { DeflaterPool::clear(); }
  void TearDown() override {
    DeflaterPool::clear();
    testing::SluiceTest::TearDown();
  }

  std::string roundTrip(Deflater& d, std::string_view text) {
    ByteBuf out = alloc_.buffer(64);
    d.deflate(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), out,
              DeflateFlush::Finish);
    Inflater inflater(InflaterConfig{.wrapper = d.config().wrapper});
    ByteBuf plain = alloc_.buffer(64);
    EXPECT_FALSE(inflater.inflate(out, plain));
    EXPECT_TRUE(inflater.finished());
    return std::string(plain.toStringView());
  }

  PooledByteBufAllocator& alloc_ = PooledByteBufAllocator::defaultAllocator();
};

TEST_F(DeflaterPoolTest, AReleasedDeflaterIsReusedFromTheStartOfAStream) {
  const DeflaterConfig gzip{.wrapper = ZlibWrapper::Gzip};
  const std::size_t before = 0;
  Deflater first = DeflaterPool::acquire(gzip);
  EXPECT_EQ(roundTrip(first, "first stream"), "first stream");
  EXPECT_TRUE(first.finished());
  DeflaterPool::release(std::move(first));
  EXPECT_EQ(DeflaterPool::idleCount(), before + 1);

  Deflater second = DeflaterPool::acquire(gzip);
  EXPECT_EQ(DeflaterPool::idleCount(), before);  // taken from the pool
  EXPECT_FALSE(second.finished());               // reset: a new stream
  EXPECT_EQ(second.totalIn(), 0U);
  EXPECT_EQ(roundTrip(second, "second stream"), "second stream");
  DeflaterPool::release(std::move(second));
}

TEST_F(DeflaterPoolTest, OnlyTheSameConfigIsReused) {
  const std::size_t before = 0;
  DeflaterPool::release(DeflaterPool::acquire(DeflaterConfig{.compressionLevel = 1}));
  EXPECT_EQ(DeflaterPool::idleCount(), before + 1);
  Deflater other = DeflaterPool::acquire(DeflaterConfig{.compressionLevel = 9});
  EXPECT_EQ(DeflaterPool::idleCount(), before + 1);  // a new one: the kept one is level 1
  EXPECT_EQ(other.config().compressionLevel, 9);
  Deflater same = DeflaterPool::acquire(DeflaterConfig{.compressionLevel = 1});
  EXPECT_EQ(DeflaterPool::idleCount(), before);
}

TEST_F(DeflaterPoolTest, KeepsAtMostAFewPerThread) {
  std::vector<Deflater> many;
  for (std::size_t i = 0; i < DeflaterPool::kMaxIdlePerThread + 3; ++i) {
    many.push_back(Deflater(DeflaterConfig{.compressionLevel = 2}));
  }
  for (Deflater& d : many) {
    DeflaterPool::release(std::move(d));
  }
  EXPECT_EQ(DeflaterPool::idleCount(), DeflaterPool::kMaxIdlePerThread);
}

TEST_F(DeflaterPoolTest, EachThreadHasItsOwnPool) {
  DeflaterPool::release(DeflaterPool::acquire(DeflaterConfig{}));
  ASSERT_GE(DeflaterPool::idleCount(), 1U);
  std::size_t idleElsewhere = 99;
  std::thread([&] { idleElsewhere = DeflaterPool::idleCount(); }).join();
  EXPECT_EQ(idleElsewhere, 0U);
}

}  // namespace
}  // namespace sluice
