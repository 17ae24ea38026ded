#include <sluice/buffer/ByteBufUtil.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>

#include <array>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

// Every test runs against both allocators: a ByteBuf behaves the same whatever its memory.
class ByteBufTest : public testing::SluiceTest, public ::testing::WithParamInterface<bool> {
 protected:
  ByteBufAllocator& alloc() {
    return GetParam() ? static_cast<ByteBufAllocator&>(PooledByteBufAllocator::defaultAllocator())
                      : UnpooledByteBufAllocator::defaultAllocator();
  }
};

INSTANTIATE_TEST_SUITE_P(Allocators, ByteBufTest, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Pooled" : "Unpooled"; });

TEST_P(ByteBufTest, NewBufferHasRequestedCapacityAndZeroIndices) {
  ByteBuf buf = alloc().buffer(100, 1000);
  EXPECT_EQ(buf.capacity(), 100U);
  EXPECT_EQ(buf.maxCapacity(), 1000U);
  EXPECT_EQ(buf.readerIndex(), 0U);
  EXPECT_EQ(buf.writerIndex(), 0U);
  EXPECT_EQ(buf.readableBytes(), 0U);
  EXPECT_EQ(buf.writableBytes(), 100U);
  EXPECT_EQ(buf.maxWritableBytes(), 1000U);
  EXPECT_EQ(buf.refCnt(), 1U);
  EXPECT_FALSE(buf.isReadable());
  EXPECT_TRUE(buf.isWritable(100));
  EXPECT_FALSE(buf.isWritable(101));
}

TEST_P(ByteBufTest, RejectsInitialCapacityAboveMax) {
  EXPECT_THROW(alloc().buffer(10, 5), std::out_of_range);
  EXPECT_THROW(alloc().buffer(1, ByteBuf::kMaxCapacity + 1), std::out_of_range);
}

TEST_P(ByteBufTest, BigEndianIntegersRoundTripAndMatchWireOrder) {
  ByteBuf buf = alloc().buffer(32);
  buf.writeByte(0x81)
      .writeShort(0x0102)
      .writeMedium(0x030405)
      .writeInt(0x06070809)
      .writeLong(0x0A0B0C0D0E0F1011ULL);
  EXPECT_EQ(ByteBufUtil::hexDump(buf), "810102030405060708090a0b0c0d0e0f1011");
  EXPECT_EQ(buf.readUnsignedByte(), 0x81);
  EXPECT_EQ(buf.readUnsignedShort(), 0x0102);
  EXPECT_EQ(buf.readUnsignedMedium(), 0x030405U);
  EXPECT_EQ(buf.readUnsignedInt(), 0x06070809U);
  EXPECT_EQ(buf.readLong(), 0x0A0B0C0D0E0F1011LL);
  EXPECT_FALSE(buf.isReadable());
}

TEST_P(ByteBufTest, LittleEndianIntegersRoundTripAndMatchWireOrder) {
  ByteBuf buf = alloc().buffer(32);
  buf.writeShortLE(0x0102)
      .writeMediumLE(0x030405)
      .writeIntLE(0x06070809)
      .writeLongLE(0x0A0B0C0D0E0F1011ULL);
  EXPECT_EQ(ByteBufUtil::hexDump(buf), "02010504030908070611100f0e0d0c0b0a");
  EXPECT_EQ(buf.readUnsignedShortLE(), 0x0102);
  EXPECT_EQ(buf.readUnsignedMediumLE(), 0x030405U);
  EXPECT_EQ(buf.readUnsignedIntLE(), 0x06070809U);
  EXPECT_EQ(buf.readLongLE(), 0x0A0B0C0D0E0F1011LL);
}

TEST_P(ByteBufTest, SignedReadsSignExtend) {
  ByteBuf buf = alloc().buffer(16);
  buf.writeByte(0xFF).writeShort(0xFFFE).writeMedium(0xFFFFFD).writeInt(0xFFFFFFFC);
  EXPECT_EQ(buf.getByte(0), -1);
  EXPECT_EQ(buf.getShort(1), -2);
  EXPECT_EQ(buf.getMedium(3), -3);
  EXPECT_EQ(buf.getInt(6), -4);
  EXPECT_EQ(buf.readByte(), -1);
  EXPECT_EQ(buf.readShort(), -2);
  EXPECT_EQ(buf.readMedium(), -3);
  EXPECT_EQ(buf.readInt(), -4);
  ByteBuf le = alloc().buffer(8);
  le.writeMediumLE(0x800000);
  EXPECT_EQ(le.getMediumLE(0), -8388608);
}

TEST_P(ByteBufTest, AbsoluteAccessorsDoNotMoveIndices) {
  ByteBuf buf = alloc().buffer(16);
  buf.writeZero(16);
  buf.setInt(4, 0xDEADBEEF).setShortLE(0, 0x1234).setLong(8, 1).setBoolean(2, true);
  EXPECT_EQ(buf.readerIndex(), 0U);
  EXPECT_EQ(buf.writerIndex(), 16U);
  EXPECT_EQ(buf.getUnsignedInt(4), 0xDEADBEEFU);
  EXPECT_EQ(buf.getUnsignedIntLE(4), 0xEFBEADDEU);
  EXPECT_EQ(buf.getUnsignedShortLE(0), 0x1234);
  EXPECT_EQ(buf.getLong(8), 1);
  EXPECT_EQ(buf.getLongLE(8), 0x0100000000000000LL);
  EXPECT_TRUE(buf.getBoolean(2));
}

// Every accessor at the last index it may touch succeeds, one past it throws.
TEST_P(ByteBufTest, AccessorsAtCapacityBoundaries) {
  ByteBuf buf = alloc().buffer(16, 16);
  buf.writeZero(16);
  struct Case {
    std::size_t width;
    std::function<void(std::size_t)> get;
    std::function<void(std::size_t)> set;
  };
  const std::vector<Case> cases = {
      {1, [&](std::size_t i) { (void)buf.getByte(i); }, [&](std::size_t i) { buf.setByte(i, 1); }},
      {2, [&](std::size_t i) { (void)buf.getShort(i); },
       [&](std::size_t i) { buf.setShort(i, 1); }},
      {2, [&](std::size_t i) { (void)buf.getShortLE(i); },
       [&](std::size_t i) { buf.setShortLE(i, 1); }},
      {3, [&](std::size_t i) { (void)buf.getMedium(i); },
       [&](std::size_t i) { buf.setMedium(i, 1); }},
      {3, [&](std::size_t i) { (void)buf.getUnsignedMediumLE(i); },
       [&](std::size_t i) { buf.setMediumLE(i, 1); }},
      {4, [&](std::size_t i) { (void)buf.getInt(i); }, [&](std::size_t i) { buf.setInt(i, 1); }},
      {4, [&](std::size_t i) { (void)buf.getIntLE(i); },
       [&](std::size_t i) { buf.setIntLE(i, 1); }},
      {8, [&](std::size_t i) { (void)buf.getLong(i); }, [&](std::size_t i) { buf.setLong(i, 1); }},
      {8, [&](std::size_t i) { (void)buf.getLongLE(i); },
       [&](std::size_t i) { buf.setLongLE(i, 1); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.width);
    EXPECT_NO_THROW(c.get(16 - c.width));
    EXPECT_NO_THROW(c.set(16 - c.width));
    EXPECT_THROW(c.get(16 - c.width + 1), std::out_of_range);
    EXPECT_THROW(c.set(16 - c.width + 1), std::out_of_range);
    EXPECT_THROW(c.get(std::size_t{0} - 1), std::out_of_range);  // index wrap-around
  }
  std::array<std::uint8_t, 4> four{};
  EXPECT_NO_THROW(buf.getBytes(12, four));
  EXPECT_THROW(buf.getBytes(13, four), std::out_of_range);
  EXPECT_THROW(buf.setBytes(13, std::span<const std::uint8_t>(four)), std::out_of_range);
  EXPECT_THROW(buf.setZero(15, 2), std::out_of_range);
}

// Every relative accessor with exactly its width left succeeds; with one byte less it throws
// and leaves the index where it was. Writes are bounded by maxCapacity, reads by writerIndex.
TEST_P(ByteBufTest, RelativeAccessorsAtTheirBoundaries) {
  struct Case {
    std::size_t width;
    std::function<void(ByteBuf&)> write;
    std::function<void(ByteBuf&)> read;
  };
  const std::vector<Case> cases = {
      {1, [](ByteBuf& b) { b.writeByte(0x80); }, [](ByteBuf& b) { (void)b.readByte(); }},
      {1, [](ByteBuf& b) { b.writeBoolean(true); }, [](ByteBuf& b) { (void)b.readBoolean(); }},
      {2, [](ByteBuf& b) { b.writeShort(1); }, [](ByteBuf& b) { (void)b.readShort(); }},
      {2, [](ByteBuf& b) { b.writeShortLE(1); }, [](ByteBuf& b) { (void)b.readUnsignedShortLE(); }},
      {3, [](ByteBuf& b) { b.writeMedium(1); }, [](ByteBuf& b) { (void)b.readMedium(); }},
      {3, [](ByteBuf& b) { b.writeMediumLE(1); }, [](ByteBuf& b) { (void)b.readMediumLE(); }},
      {4, [](ByteBuf& b) { b.writeInt(1); }, [](ByteBuf& b) { (void)b.readUnsignedInt(); }},
      {4, [](ByteBuf& b) { b.writeIntLE(1); }, [](ByteBuf& b) { (void)b.readIntLE(); }},
      {8, [](ByteBuf& b) { b.writeLong(1); }, [](ByteBuf& b) { (void)b.readLong(); }},
      {8, [](ByteBuf& b) { b.writeLongLE(1); }, [](ByteBuf& b) { (void)b.readLongLE(); }},
      {5, [](ByteBuf& b) { b.writeBytes("12345"); },
       [](ByteBuf& b) {
         std::array<std::uint8_t, 5> five{};
         b.readBytes(five);
       }},
      {6, [](ByteBuf& b) { b.writeZero(6); }, [](ByteBuf& b) { b.skipBytes(6); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.width);
    // Exactly the width fits (the block may have room beyond it: maxCapacity decides).
    ByteBuf buf = alloc().buffer(1, c.width);
    EXPECT_NO_THROW(c.write(buf));
    EXPECT_EQ(buf.writerIndex(), c.width);
    EXPECT_THROW(c.write(buf), std::out_of_range);
    EXPECT_EQ(buf.writerIndex(), c.width);
    EXPECT_NO_THROW(c.read(buf));
    EXPECT_EQ(buf.readerIndex(), c.width);
    EXPECT_THROW(c.read(buf), std::out_of_range);
    EXPECT_EQ(buf.readerIndex(), c.width);
    // One byte short, for writing and for reading.
    ByteBuf small = alloc().buffer(c.width - 1, c.width - 1);
    EXPECT_THROW(c.write(small), std::out_of_range);
    EXPECT_EQ(small.writerIndex(), 0U);
    small.writeZero(c.width - 1);
    EXPECT_THROW(c.read(small), std::out_of_range);
    EXPECT_EQ(small.readerIndex(), 0U);
    // A slice is bounded by its own length, not by the memory around it.
    ByteBuf big = alloc().buffer(64);
    big.writeZero(64);
    ByteBuf slice = big.slice(8, c.width);
    EXPECT_NO_THROW(c.read(slice));
    EXPECT_THROW(c.read(slice), std::out_of_range);
    ByteBuf shorter = big.slice(8, c.width - 1);
    EXPECT_THROW(c.read(shorter), std::out_of_range);
    slice.clear();
    EXPECT_NO_THROW(c.write(slice));
    EXPECT_THROW(c.write(slice), std::out_of_range);
  }
}

TEST_P(ByteBufTest, ReadsPastWriterIndexThrowAndLeaveIndicesAlone) {
  ByteBuf buf = alloc().buffer(16);
  buf.writeMedium(1);
  EXPECT_THROW(buf.readInt(), std::out_of_range);
  EXPECT_THROW(buf.readLong(), std::out_of_range);
  std::array<std::uint8_t, 4> four{};
  EXPECT_THROW(buf.readBytes(four), std::out_of_range);
  EXPECT_THROW(buf.skipBytes(4), std::out_of_range);
  EXPECT_THROW(buf.readSlice(4), std::out_of_range);
  EXPECT_EQ(buf.readerIndex(), 0U);
  EXPECT_EQ(buf.readUnsignedMedium(), 1U);
  EXPECT_THROW(buf.readByte(), std::out_of_range);
}

TEST_P(ByteBufTest, IndexSettersValidate) {
  ByteBuf buf = alloc().buffer(8, 8);
  buf.writeZero(4);
  EXPECT_THROW(buf.readerIndex(5), std::out_of_range);
  EXPECT_THROW(buf.writerIndex(9), std::out_of_range);
  buf.readerIndex(2);
  EXPECT_THROW(buf.writerIndex(1), std::out_of_range);
  EXPECT_THROW(buf.setIndex(5, 4), std::out_of_range);
  EXPECT_THROW(buf.setIndex(0, 9), std::out_of_range);
  buf.setIndex(1, 8);
  EXPECT_EQ(buf.readableBytes(), 7U);
  buf.clear();
  EXPECT_EQ(buf.readerIndex(), 0U);
  EXPECT_EQ(buf.writerIndex(), 0U);
  EXPECT_EQ(buf.capacity(), 8U);
}

TEST_P(ByteBufTest, GrowsByDoublingUpToMaxCapacity) {
  ByteBuf buf = alloc().buffer(4, 300);
  for (int i = 0; i < 300; ++i) {
    buf.writeByte(static_cast<std::uint8_t>(i));
  }
  EXPECT_EQ(buf.readableBytes(), 300U);
  EXPECT_EQ(buf.capacity(), 300U);
  EXPECT_THROW(buf.writeByte(0), std::out_of_range);
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(buf.readUnsignedByte(), static_cast<std::uint8_t>(i));
  }
}

TEST_P(ByteBufTest, GrowthKeepsIndicesAndEarlierBytes) {
  ByteBuf buf = alloc().buffer(8);
  buf.writeLong(0x1122334455667788ULL);
  buf.readInt();
  buf.writeBytes(std::string(10000, 'x'));
  EXPECT_EQ(buf.readerIndex(), 4U);
  EXPECT_EQ(buf.getUnsignedInt(0), 0x11223344U);
  EXPECT_EQ(buf.readUnsignedInt(), 0x55667788U);
  EXPECT_EQ(buf.readableBytes(), 10000U);
}

TEST_P(ByteBufTest, EnsureWritablePastMaxCapacityThrows) {
  ByteBuf buf = alloc().buffer(8, 16);
  EXPECT_NO_THROW(buf.ensureWritable(16));
  EXPECT_GE(buf.capacity(), 16U);
  EXPECT_THROW(buf.ensureWritable(17), std::out_of_range);
  EXPECT_THROW(buf.writeBytes(std::string(17, 'x')), std::out_of_range);
  EXPECT_EQ(buf.writerIndex(), 0U);
}

TEST_P(ByteBufTest, CapacitySetterShrinksAndGrows) {
  ByteBuf buf = alloc().buffer(64);
  buf.writeBytes("0123456789");
  buf.readerIndex(8);
  buf.capacity(5);
  EXPECT_EQ(buf.capacity(), 5U);
  EXPECT_EQ(buf.writerIndex(), 5U);
  EXPECT_EQ(buf.readerIndex(), 5U);
  buf.capacity(1000);
  EXPECT_EQ(buf.capacity(), 1000U);
  EXPECT_EQ(buf.toString(0, 5), "01234");
  EXPECT_THROW(buf.capacity(ByteBuf::kMaxCapacity + 1), std::out_of_range);
}

TEST_P(ByteBufTest, BytesAndStrings) {
  ByteBuf buf = alloc().buffer(4);
  buf.writeBytes("hello, ").writeBytes(std::string_view("world"));
  EXPECT_EQ(buf.toStringView(), "hello, world");
  EXPECT_EQ(buf.toString(7, 5), "world");
  std::array<std::uint8_t, 5> five{};
  buf.readBytes(five);
  EXPECT_EQ(std::string(five.begin(), five.end()), "hello");
  buf.setBytes(7, "WORLD");
  EXPECT_EQ(buf.toString(), ", WORLD");
  buf.writeZero(3);
  EXPECT_EQ(buf.getByte(buf.writerIndex() - 1), 0);
}

TEST_P(ByteBufTest, WriteBytesFromAnotherBufferTransfersAndAdvancesSource) {
  ByteBuf src = alloc().copiedBuffer("abcdef");
  ByteBuf dst = alloc().buffer(2);
  dst.writeBytes(src, 2);
  EXPECT_EQ(src.readerIndex(), 2U);
  dst.writeBytes(src);
  EXPECT_FALSE(src.isReadable());
  EXPECT_EQ(dst.toStringView(), "abcdef");
  EXPECT_THROW(dst.writeBytes(src, 1), std::out_of_range);
}

TEST_P(ByteBufTest, SliceSharesMemoryAndHoldsItsOwnReference) {
  ByteBuf buf = alloc().copiedBuffer("0123456789");
  ByteBuf slice = buf.slice(2, 5);
  EXPECT_EQ(buf.refCnt(), 2U);
  EXPECT_EQ(slice.toStringView(), "23456");
  EXPECT_EQ(slice.capacity(), 5U);
  EXPECT_EQ(slice.maxCapacity(), 5U);
  slice.setByte(0, 'X');
  EXPECT_EQ(buf.toStringView(), "01X3456789");          // shared memory
  EXPECT_THROW(slice.writeByte(0), std::out_of_range);  // a slice never grows
  EXPECT_THROW(buf.slice(8, 3), std::out_of_range);
}

TEST_P(ByteBufTest, SliceOutlivesTheParentHandle) {
  ByteBuf slice;
  {
    ByteBuf buf = alloc().copiedBuffer("keep me alive");
    slice = buf.slice(5, 2);
  }
  EXPECT_EQ(slice.refCnt(), 1U);
  EXPECT_EQ(slice.toStringView(), "me");
}

TEST_P(ByteBufTest, ReadSliceAdvancesTheReader) {
  ByteBuf buf = alloc().copiedBuffer("headbody");
  ByteBuf head = buf.readSlice(4);
  EXPECT_EQ(head.toStringView(), "head");
  EXPECT_EQ(buf.toStringView(), "body");
  ByteBuf retained = buf.readRetainedSlice(4);
  EXPECT_EQ(retained.toStringView(), "body");
  EXPECT_EQ(buf.refCnt(), 3U);
}

TEST_P(ByteBufTest, DuplicateHasIndependentIndicesOverSharedBytes) {
  ByteBuf buf = alloc().copiedBuffer("abcd");
  buf.readByte();
  ByteBuf dup = buf.duplicate();
  EXPECT_EQ(dup.readerIndex(), 1U);
  EXPECT_EQ(dup.writerIndex(), 4U);
  dup.readByte();
  EXPECT_EQ(buf.readerIndex(), 1U);
  dup.setByte(3, 'Z');
  EXPECT_EQ(buf.toStringView(), "bcZ");
  EXPECT_EQ(buf.retainedDuplicate().refCnt(), 3U);
}

TEST_P(ByteBufTest, GrowingASharedHandleMovesItToNewMemory) {
  ByteBuf buf = alloc().buffer(4);
  buf.writeBytes("abcd");
  ByteBuf dup = buf.duplicate();
  dup.writeBytes(std::string(100, 'e'));  // must not scribble over memory buf still uses
  EXPECT_EQ(buf.refCnt(), 1U);
  EXPECT_EQ(dup.refCnt(), 1U);
  EXPECT_EQ(buf.toStringView(), "abcd");
  EXPECT_EQ(dup.readableBytes(), 104U);
  dup.setByte(0, 'X');
  EXPECT_EQ(buf.getByte(0), 'a');
}

TEST_P(ByteBufTest, CopyIsDeep) {
  ByteBuf buf = alloc().copiedBuffer("original");
  ByteBuf copy = buf.copy();
  copy.setByte(0, 'O');
  EXPECT_EQ(buf.toStringView(), "original");
  EXPECT_EQ(copy.toStringView(), "Original");
  EXPECT_EQ(buf.refCnt(), 1U);
  EXPECT_EQ(copy.refCnt(), 1U);
  EXPECT_EQ(buf.copy(2, 3).toStringView(), "igi");
  copy.writeBytes(" and more");  // a copy is an ordinary growable buffer
  EXPECT_EQ(copy.toStringView(), "Original and more");
}

TEST_P(ByteBufTest, MovedFromHandleIsEmpty) {
  ByteBuf a = alloc().copiedBuffer("x");
  ByteBuf b = std::move(a);
  EXPECT_EQ(a.refCnt(), 0U);  // NOLINT(bugprone-use-after-move): the moved-from state is API
  EXPECT_EQ(a.capacity(), 0U);
  EXPECT_FALSE(a.isReadable());
  EXPECT_THROW(a.readByte(), std::out_of_range);
  EXPECT_THROW(a.writeByte(1), std::out_of_range);
  EXPECT_EQ(b.toStringView(), "x");
  ByteBuf& alias = b;
  b = std::move(alias);  // self-move leaves it intact
  EXPECT_EQ(b.toStringView(), "x");
}

TEST_P(ByteBufTest, DiscardReadBytesMovesContentToZero) {
  ByteBuf buf = alloc().copiedBuffer("discard-keep");
  buf.skipBytes(8);
  buf.discardReadBytes();
  EXPECT_EQ(buf.readerIndex(), 0U);
  EXPECT_EQ(buf.writerIndex(), 4U);
  EXPECT_EQ(buf.toStringView(), "keep");
  buf.skipBytes(4);
  buf.discardReadBytes();
  EXPECT_EQ(buf.writerIndex(), 0U);
}

TEST_P(ByteBufTest, HeadroomLetsAnEncoderPrependWithoutCopying) {
  ByteBuf buf = alloc().bufferWithHeadroom(14, 5);
  EXPECT_EQ(buf.readerIndex(), 14U);
  EXPECT_EQ(buf.capacity(), 19U);
  buf.writeBytes("hello");
  const std::uint8_t* payload = buf.readableSpan().data();
  ASSERT_TRUE(buf.canPrepend(2));
  auto header = buf.prepend(2);
  header[0] = 0x81;
  header[1] = 5;
  EXPECT_EQ(buf.readableSpan().data() + 2, payload);  // the payload did not move
  EXPECT_EQ(ByteBufUtil::hexDump(buf), "810568656c6c6f");
  EXPECT_FALSE(buf.canPrepend(13));
  EXPECT_THROW(buf.prepend(13), std::out_of_range);
}

TEST_P(ByteBufTest, PrependIsRefusedWhenTheMemoryIsShared) {
  ByteBuf buf = alloc().bufferWithHeadroom(8, 8);
  buf.writeBytes("payload");
  ByteBuf other = buf.duplicate();
  EXPECT_FALSE(buf.canPrepend(2));
  EXPECT_THROW(buf.prepend(2), std::out_of_range);
  other = ByteBuf();
  EXPECT_TRUE(buf.canPrepend(2));
}

TEST_P(ByteBufTest, IndexOfSearchesForwardAndBackward) {
  ByteBuf buf = alloc().copiedBuffer("line one\r\nline two\n");
  EXPECT_EQ(buf.indexOf(0, buf.writerIndex(), '\n'), 9);
  EXPECT_EQ(buf.indexOf(10, buf.writerIndex(), '\n'), 18);
  EXPECT_EQ(buf.indexOf(buf.writerIndex(), 0, 'l'), 10);  // backwards: the last 'l'
  EXPECT_EQ(buf.indexOf(0, buf.writerIndex(), '#'), -1);
  EXPECT_EQ(buf.indexOf(3, 3, 'e'), -1);
  EXPECT_EQ(buf.bytesBefore('\r'), 8);
  buf.skipBytes(10);
  EXPECT_EQ(buf.bytesBefore('\n'), 8);
  EXPECT_EQ(buf.bytesBefore('\r'), -1);
}

TEST_P(ByteBufTest, ForEachByteStopsWhereTheProcessorSays) {
  ByteBuf buf = alloc().copiedBuffer("abc;def");
  std::string seen;
  EXPECT_EQ(buf.forEachByte([&](std::uint8_t b) {
    seen.push_back(static_cast<char>(b));
    return b != ';';
  }),
            3);
  EXPECT_EQ(seen, "abc;");
  EXPECT_EQ(buf.forEachByte([](std::uint8_t) { return true; }), -1);
  EXPECT_EQ(buf.forEachByte(4, 3, [](std::uint8_t b) { return b != 'e'; }), 5);
  EXPECT_THROW(buf.forEachByte(5, 3, [](std::uint8_t) { return true; }), std::out_of_range);
}

TEST_P(ByteBufTest, EqualityComparesReadableBytesOnly) {
  ByteBuf a = alloc().copiedBuffer("xxsame");
  a.skipBytes(2);
  ByteBuf b = Unpooled::copiedBuffer("same");
  EXPECT_EQ(a, b);
  b.writeByte('!');
  EXPECT_NE(a, b);
  EXPECT_EQ(ByteBuf(), ByteBuf());
  EXPECT_EQ(ByteBuf(), alloc().buffer(8));
}

TEST_P(ByteBufTest, FormatsLikeNettysToString) {
  ByteBuf buf = alloc().buffer(16, 32);
  buf.writeInt(1);
  EXPECT_EQ(fmt::format("{}", buf), "ByteBuf(ridx: 0, widx: 4, cap: 16/32)");
}

TEST(ByteBufUtilTest, HexDumpsRoundTrip) {
  ByteBuf buf = Unpooled::copiedBuffer(std::string("\x00\x01\xAB\xff hi", 7));
  EXPECT_EQ(ByteBufUtil::hexDump(buf), "0001abff206869");
  EXPECT_EQ(ByteBufUtil::decodeHexDump("0001ABff206869"),
            (std::vector<std::uint8_t>{0, 1, 0xAB, 0xFF, ' ', 'h', 'i'}));
  EXPECT_THROW(ByteBufUtil::decodeHexDump("abc"), std::invalid_argument);
  EXPECT_THROW(ByteBufUtil::decodeHexDump("zz"), std::invalid_argument);
  const std::string pretty = ByteBufUtil::prettyHexDump(buf);
  EXPECT_NE(pretty.find("|00000000| 00 01 ab ff 20 68 69"), std::string::npos) << pretty;
  EXPECT_NE(pretty.find("|.... hi         |"), std::string::npos) << pretty;
}

}  // namespace
}  // namespace sluice
