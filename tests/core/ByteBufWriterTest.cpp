#include <sluice/buffer/ByteBufWriter.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/util/Assert.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using ByteBufWriterTest = testing::SluiceTest;

TEST_F(ByteBufWriterTest, WritesTheSameBytesAsTheCheckedAccessors) {
  ByteBuf expected = PooledByteBufAllocator::defaultAllocator().buffer(64);
  expected.writeByte(0x82)
      .writeShort(0x1234)
      .writeShortLE(0x1234)
      .writeMedium(0xABCDEF)
      .writeInt(0xDEADBEEF)
      .writeIntLE(0xDEADBEEF)
      .writeLong(0x0102030405060708ULL)
      .writeLongLE(0x0102030405060708ULL)
      .writeBytes(std::string_view("hi"))
      .writeZero(3);

  ByteBuf actual = PooledByteBufAllocator::defaultAllocator().buffer(64);
  {
    ByteBufWriter out(actual, expected.readableBytes());
    out.writeByte(0x82)
        .writeShort(0x1234)
        .writeShortLE(0x1234)
        .writeMedium(0xABCDEF)
        .writeInt(0xDEADBEEF)
        .writeIntLE(0xDEADBEEF)
        .writeLong(0x0102030405060708ULL)
        .writeLongLE(0x0102030405060708ULL)
        .writeBytes(std::string_view("hi"))
        .writeZero(3);
    EXPECT_EQ(out.remaining(), 0U);
  }
  EXPECT_EQ(actual, expected);
}

TEST_F(ByteBufWriterTest, WriterIndexMovesOnCommitAndDestruction) {
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(16);
  buf.writeByte(1);
  {
    ByteBufWriter out(buf, 8);
    out.writeInt(7);
    EXPECT_EQ(buf.writerIndex(), 1U) << "nothing is visible before commit";
    out.commit();
    EXPECT_EQ(buf.writerIndex(), 5U);
    out.writeShort(9);
    EXPECT_EQ(out.remaining(), 2U);
  }
  EXPECT_EQ(buf.writerIndex(), 7U);
  EXPECT_EQ(buf.getUnsignedInt(1), 7U);
  EXPECT_EQ(buf.getUnsignedShort(5), 9U);
}

TEST_F(ByteBufWriterTest, ReservingGrowsTheBufferOnceUpToMaxCapacity) {
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(4, 1024);
  buf.writeInt(1);
  {
    ByteBufWriter out(buf, 100);
    EXPECT_GE(buf.capacity(), 104U);
    for (int i = 0; i < 25; ++i) {
      out.writeInt(static_cast<std::uint32_t>(i));
    }
  }
  ASSERT_EQ(buf.readableBytes(), 104U);
  EXPECT_EQ(buf.readUnsignedInt(), 1U);
  for (std::uint32_t i = 0; i < 25; ++i) {
    EXPECT_EQ(buf.readUnsignedInt(), i);
  }
}

TEST_F(ByteBufWriterTest, ReservingPastMaxCapacityThrowsAndLeavesTheBufferAlone) {
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(8, 8);
  buf.writeInt(5);
  EXPECT_THROW(ByteBufWriter(buf, 5), std::out_of_range);
  EXPECT_EQ(buf.writerIndex(), 4U);
  EXPECT_EQ(buf.getUnsignedInt(0), 5U);
}

#if SLUICE_DCHECK_IS_ON
TEST_F(ByteBufWriterTest, WritingPastTheReservationIsCaughtInCheckedBuilds) {
  EXPECT_DEATH(
      {
        ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(64);
        ByteBufWriter out(buf, 3);
        out.writeInt(1);
      },
      "write past the reserved bytes");
}
#endif

}  // namespace
}  // namespace sluice
