#include <sluice/buffer/Unpooled.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

constexpr std::size_t kHeader = 32;  // the buffer header in front of every block

class UnpooledByteBufAllocatorTest : public testing::SluiceTest {};

TEST_F(UnpooledByteBufAllocatorTest, IsNotPooledAndHasOneDefault) {
  UnpooledByteBufAllocator alloc;
  EXPECT_FALSE(alloc.isPooled());
  EXPECT_EQ(&UnpooledByteBufAllocator::defaultAllocator(),
            &UnpooledByteBufAllocator::defaultAllocator());
  EXPECT_NE(static_cast<ByteBufAllocator*>(&UnpooledByteBufAllocator::defaultAllocator()),
            &ByteBufAllocator::defaultAllocator());
}

TEST_F(UnpooledByteBufAllocatorTest, MetricsCountExactBlocksAndNoCache) {
  UnpooledByteBufAllocator alloc;
  ByteBuf a = alloc.buffer(10);
  ByteBuf b = alloc.buffer(1000);
  auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 2U);
  EXPECT_EQ(m.liveBuffers, 2U);
  EXPECT_EQ(m.usedBytes, 10 + 1000 + 2 * kHeader);  // no rounding to size classes
  EXPECT_EQ(m.reservedBytes, m.usedBytes);          // nothing is held beyond live buffers
  EXPECT_EQ(m.cacheHits, 0U);
  EXPECT_EQ(m.cacheHitRate(), 0.0);
  a = ByteBuf();
  m = alloc.metrics();
  EXPECT_EQ(m.liveBuffers, 1U);
  EXPECT_EQ(m.usedBytes, 1000 + kHeader);
  EXPECT_EQ(m.reservedBytes, 1000 + kHeader);  // released memory goes back at once
  b = ByteBuf();
  m = alloc.metrics();
  EXPECT_EQ(m.liveBuffers, 0U);
  EXPECT_EQ(m.usedBytes, 0U);
  EXPECT_EQ(m.reservedBytes, 0U);
  EXPECT_EQ(m.allocations, 2U);
}

TEST_F(UnpooledByteBufAllocatorTest, SlicesAndDuplicatesShareOneBlock) {
  UnpooledByteBufAllocator alloc;
  ByteBuf buf = alloc.copiedBuffer("0123456789");
  ByteBuf slice = buf.slice(2, 3);
  ByteBuf dup = buf.duplicate();
  EXPECT_EQ(alloc.metrics().liveBuffers, 1U);
  EXPECT_EQ(buf.refCnt(), 3U);
  buf = ByteBuf();
  dup = ByteBuf();
  EXPECT_EQ(alloc.metrics().liveBuffers, 1U);
  EXPECT_EQ(slice.toStringView(), "234");
  slice = ByteBuf();
  EXPECT_EQ(alloc.metrics().liveBuffers, 0U);
}

TEST_F(UnpooledByteBufAllocatorTest, GrowthReplacesTheBlockWithAnExactOne) {
  UnpooledByteBufAllocator alloc;
  ByteBuf buf = alloc.buffer(8);
  buf.writeBytes("12345678");
  buf.writeByte('9');  // Netty's doubling: 64 bytes
  auto m = alloc.metrics();
  EXPECT_EQ(buf.capacity(), 64U);
  EXPECT_EQ(m.allocations, 2U);
  EXPECT_EQ(m.liveBuffers, 1U);
  EXPECT_EQ(m.usedBytes, 64 + kHeader);
  EXPECT_EQ(buf.toStringView(), "123456789");
}

TEST_F(UnpooledByteBufAllocatorTest, CopyAllocatesFromTheSameAllocator) {
  UnpooledByteBufAllocator alloc;
  ByteBuf buf = alloc.copiedBuffer("copy me");
  ByteBuf copy = buf.copy(0, 4);
  EXPECT_EQ(copy.toStringView(), "copy");
  EXPECT_EQ(alloc.metrics().liveBuffers, 2U);
  EXPECT_EQ(alloc.metrics().usedBytes, 7 + 4 + 2 * kHeader);
}

TEST_F(UnpooledByteBufAllocatorTest, HeadroomIsPartOfTheBlock) {
  UnpooledByteBufAllocator alloc;
  ByteBuf buf = alloc.bufferWithHeadroom(16, 100);
  EXPECT_EQ(buf.readerIndex(), 16U);
  EXPECT_EQ(buf.writerIndex(), 16U);
  EXPECT_EQ(buf.capacity(), 116U);
  EXPECT_EQ(alloc.metrics().usedBytes, 116 + kHeader);
  EXPECT_THROW(alloc.bufferWithHeadroom(16, 100, 115), std::out_of_range);
  // A headroom so large that headroom + capacity wraps around is refused too.
  EXPECT_THROW(alloc.bufferWithHeadroom(SIZE_MAX, 2), std::out_of_range);
  EXPECT_THROW(alloc.bufferWithHeadroom(std::size_t{1} << 32, 0), std::out_of_range);
  EXPECT_EQ(alloc.metrics().allocations, 1U);
}

TEST_F(UnpooledByteBufAllocatorTest, BuffersMayBeReleasedOnAnyThread) {
  UnpooledByteBufAllocator alloc;
  std::vector<ByteBuf> bufs;
  for (int i = 0; i < 1000; ++i) {
    bufs.push_back(alloc.buffer(static_cast<std::size_t>(i)));
  }
  std::vector<ByteBuf> other(std::make_move_iterator(bufs.begin() + 500),
                             std::make_move_iterator(bufs.end()));
  bufs.resize(500);
  std::thread a([b = std::move(bufs)]() mutable { b.clear(); });
  std::thread b([o = std::move(other)]() mutable { o.clear(); });
  a.join();
  b.join();
  const auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 1000U);
  EXPECT_EQ(m.liveBuffers, 0U);
  EXPECT_EQ(m.usedBytes, 0U);
}

TEST_F(UnpooledByteBufAllocatorTest, UnpooledShorthandsUseTheDefaultUnpooledAllocator) {
  const auto before = UnpooledByteBufAllocator::defaultAllocator().metrics().allocations;
  ByteBuf a = Unpooled::buffer(10, 20);
  ByteBuf b = Unpooled::copiedBuffer("text");
  const std::array<std::uint8_t, 3> bytes{1, 2, 3};
  ByteBuf c = Unpooled::copiedBuffer(std::span<const std::uint8_t>(bytes));
  EXPECT_EQ(UnpooledByteBufAllocator::defaultAllocator().metrics().allocations, before + 3);
  EXPECT_EQ(a.maxCapacity(), 20U);
  EXPECT_EQ(b.toStringView(), "text");
  EXPECT_EQ(c.readableBytes(), 3U);
  EXPECT_EQ(c.getUnsignedByte(2), 3U);
}

}  // namespace
}  // namespace sluice
