#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

// A private pooled allocator, so that "no copy was made" is a counter that did not move.
class CompositeByteBufTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    expectNoOutstandingBuffers(alloc_);
    SluiceTest::TearDown();
  }

  ByteBuf buf(std::string_view bytes) { return alloc_.copiedBuffer(bytes); }
  ByteBuf buf(std::span<const std::uint8_t> bytes) {
    ByteBuf b = alloc_.buffer(bytes.size());
    b.writeBytes(bytes);
    return b;
  }
  // A composite of "aaaa", "bbbb", "cccc" (indices 0-3, 4-7, 8-11).
  CompositeByteBuf abc() {
    CompositeByteBuf c = alloc_.compositeBuffer();
    c.addComponent(buf("aaaa")).addComponent(buf("bbbb")).addComponent(buf("cccc"));
    return c;
  }
  std::uint64_t allocations() const { return alloc_.metrics().allocations; }
  std::uint64_t live() const { return alloc_.metrics().liveBuffers; }

  PooledByteBufAllocator alloc_;
};

TEST_F(CompositeByteBufTest, StartsEmpty) {
  CompositeByteBuf c = alloc_.compositeBuffer();
  EXPECT_EQ(c.numComponents(), 0U);
  EXPECT_EQ(c.maxNumComponents(), CompositeByteBuf::kDefaultMaxComponents);
  EXPECT_EQ(c.readableBytes(), 0U);
  EXPECT_EQ(c.capacity(), 0U);
  EXPECT_FALSE(c.isReadable());
  EXPECT_EQ(c.nioBufferCount(), 0U);
  std::array<iovec, 2> iov{};
  EXPECT_EQ(c.readableIovecs(iov), 0U);
  EXPECT_EQ(c.toString(), "");
  EXPECT_THROW(c.readUnsignedByte(), std::out_of_range);
}

TEST_F(CompositeByteBufTest, AddsComponentsWithoutCopying) {
  ByteBuf a = buf("first ");
  ByteBuf b = buf("second ");
  ByteBuf c = buf("third");
  b.skipBytes(1);  // only the readable bytes are added
  const std::uint8_t* pa = a.readableSpan().data();
  const std::uint8_t* pb = b.readableSpan().data();
  const std::uint8_t* pc = c.readableSpan().data();
  const auto allocationsBefore = allocations();

  CompositeByteBuf comp = alloc_.compositeBuffer();
  comp.addComponent(std::move(a)).addComponent(std::move(b)).addComponent(std::move(c));

  EXPECT_EQ(allocations(), allocationsBefore);
  EXPECT_EQ(live(), 3U);
  EXPECT_EQ(comp.numComponents(), 3U);
  EXPECT_EQ(comp.readableBytes(), 6U + 6U + 5U);
  EXPECT_EQ(comp.writerIndex(), comp.readableBytes());
  EXPECT_EQ(comp.toString(), "first econd third");
  ASSERT_EQ(comp.nioBufferCount(), 3U);
  std::array<iovec, 3> iov{};
  ASSERT_EQ(comp.readableIovecs(iov), 3U);
  EXPECT_EQ(iov[0].iov_base, pa);
  EXPECT_EQ(iov[0].iov_len, 6U);
  EXPECT_EQ(iov[1].iov_base, pb);
  EXPECT_EQ(iov[1].iov_len, 6U);
  EXPECT_EQ(iov[2].iov_base, pc);
  EXPECT_EQ(iov[2].iov_len, 5U);
  EXPECT_EQ(comp.component(1).readableSpan().data(), pb);
}

TEST_F(CompositeByteBufTest, AddComponentsTakesEachInOrder) {
  std::vector<ByteBuf> parts;
  parts.push_back(buf("one "));
  parts.push_back(buf("two "));
  parts.push_back(buf("three"));
  CompositeByteBuf comp = alloc_.compositeBuffer();
  comp.addComponents(parts);
  EXPECT_EQ(comp.numComponents(), 3U);
  EXPECT_EQ(comp.toString(), "one two three");
  for (const ByteBuf& p : parts) {
    EXPECT_EQ(p.refCnt(), 0U);  // moved into the composite
  }
}

TEST_F(CompositeByteBufTest, EmptyBuffersAreDroppedAndReleased) {
  CompositeByteBuf comp = alloc_.compositeBuffer();
  comp.addComponent(alloc_.buffer(16));
  comp.addComponent(ByteBuf());
  ByteBuf read = buf("gone");
  read.skipBytes(4);
  comp.addComponent(std::move(read));
  EXPECT_EQ(comp.numComponents(), 0U);
  EXPECT_EQ(live(), 0U);
  comp.addComponent(buf("kept"));
  EXPECT_EQ(comp.numComponents(), 1U);
}

// The 16-byte message every straddling read is checked against.
constexpr std::array<std::uint8_t, 16> kMessage = {0x81, 0x92, 0xA3, 0xB4, 0xC5, 0xD6, 0xE7, 0xF8,
                                                   0x09, 0x1A, 0x2B, 0x3C, 0x4D, 0x5E, 0x6F, 0x70};

// Each integer accessor of CompositeByteBuf beside the ByteBuf one it must agree with.
struct IntCase {
  const char* name;
  std::size_t width;
  std::function<std::uint64_t(const CompositeByteBuf&, std::size_t)> get;
  std::function<std::uint64_t(CompositeByteBuf&)> read;
  std::function<std::uint64_t(const ByteBuf&, std::size_t)> expected;
};

std::vector<IntCase> intCases() {
  using C = CompositeByteBuf;
  using B = ByteBuf;
  auto u = [](auto v) { return static_cast<std::uint64_t>(v); };
  return {
      {"UnsignedByte", 1, [=](const C& c, std::size_t i) { return u(c.getUnsignedByte(i)); },
       [=](C& c) { return u(c.readUnsignedByte()); },
       [=](const B& b, std::size_t i) { return u(b.getUnsignedByte(i)); }},
      {"UnsignedShort", 2, [=](const C& c, std::size_t i) { return u(c.getUnsignedShort(i)); },
       [=](C& c) { return u(c.readUnsignedShort()); },
       [=](const B& b, std::size_t i) { return u(b.getUnsignedShort(i)); }},
      {"UnsignedShortLE", 2, [=](const C& c, std::size_t i) { return u(c.getUnsignedShortLE(i)); },
       [=](C& c) { return u(c.readUnsignedShortLE()); },
       [=](const B& b, std::size_t i) { return u(b.getUnsignedShortLE(i)); }},
      {"UnsignedMedium", 3, [=](const C& c, std::size_t i) { return u(c.getUnsignedMedium(i)); },
       [=](C& c) { return u(c.readUnsignedMedium()); },
       [=](const B& b, std::size_t i) { return u(b.getUnsignedMedium(i)); }},
      {"UnsignedInt", 4, [=](const C& c, std::size_t i) { return u(c.getUnsignedInt(i)); },
       [=](C& c) { return u(c.readUnsignedInt()); },
       [=](const B& b, std::size_t i) { return u(b.getUnsignedInt(i)); }},
      {"Int", 4, [=](const C& c, std::size_t i) { return u(c.getInt(i)); },
       [=](C& c) { return u(c.readInt()); },
       [=](const B& b, std::size_t i) { return u(b.getInt(i)); }},
      {"UnsignedIntLE", 4, [=](const C& c, std::size_t i) { return u(c.getUnsignedIntLE(i)); },
       [=](C& c) { return u(c.readUnsignedIntLE()); },
       [=](const B& b, std::size_t i) { return u(b.getUnsignedIntLE(i)); }},
      {"Long", 8, [=](const C& c, std::size_t i) { return u(c.getLong(i)); },
       [=](C& c) { return u(c.readLong()); },
       [=](const B& b, std::size_t i) { return u(b.getLong(i)); }},
      {"LongLE", 8, [=](const C& c, std::size_t i) { return u(c.getLongLE(i)); },
       [=](C& c) { return u(c.readLongLE()); },
       [=](const B& b, std::size_t i) { return u(b.getLongLE(i)); }},
  };
}

// Checks every accessor at every index of a composite holding kMessage, absolute and
// relative, against a plain ByteBuf holding the same bytes.
void expectEveryReadMatches(CompositeByteBuf& comp, const ByteBuf& reference) {
  ASSERT_EQ(comp.readableBytes(), kMessage.size());
  for (const IntCase& c : intCases()) {
    SCOPED_TRACE(c.name);
    for (std::size_t i = 0; i + c.width <= kMessage.size(); ++i) {
      SCOPED_TRACE(::testing::Message() << "index " << i);
      ASSERT_EQ(c.get(comp, i), c.expected(reference, i));
      comp.readerIndex(i);
      ASSERT_EQ(c.read(comp), c.expected(reference, i));
      ASSERT_EQ(comp.readerIndex(), i + c.width);
    }
    // One byte short: throws and leaves the reader where it was.
    comp.readerIndex(kMessage.size() - c.width + 1);
    EXPECT_THROW(c.read(comp), std::out_of_range);
    EXPECT_EQ(comp.readerIndex(), kMessage.size() - c.width + 1);
    EXPECT_THROW(c.get(comp, kMessage.size() - c.width + 1), std::out_of_range);
    comp.readerIndex(0);
  }
  for (std::size_t from = 0; from <= kMessage.size(); ++from) {
    for (std::size_t len = 0; from + len <= kMessage.size(); ++len) {
      std::vector<std::uint8_t> out(len);
      comp.getBytes(from, out);
      ASSERT_TRUE(std::equal(out.begin(), out.end(), kMessage.begin() + static_cast<long>(from)))
          << "getBytes(" << from << ", " << len << ")";
    }
  }
}

TEST_F(CompositeByteBufTest, ReadsStraddleEverySplitOfTwoComponents) {
  const ByteBuf reference = buf(kMessage);
  for (std::size_t split = 1; split < kMessage.size(); ++split) {
    SCOPED_TRACE(::testing::Message() << "split at " << split);
    CompositeByteBuf comp = alloc_.compositeBuffer();
    comp.addComponent(buf(std::span(kMessage).first(split)));
    comp.addComponent(buf(std::span(kMessage).subspan(split)));
    ASSERT_EQ(comp.numComponents(), 2U);
    expectEveryReadMatches(comp, reference);
  }
}

TEST_F(CompositeByteBufTest, ReadsStraddleEverySplitOfThreeComponents) {
  const ByteBuf reference = buf(kMessage);
  for (std::size_t first = 1; first < kMessage.size(); ++first) {
    for (std::size_t second = first + 1; second < kMessage.size(); ++second) {
      SCOPED_TRACE(::testing::Message() << "splits at " << first << " and " << second);
      CompositeByteBuf comp = alloc_.compositeBuffer();
      comp.addComponent(buf(std::span(kMessage).first(first)));
      comp.addComponent(buf(std::span(kMessage).subspan(first, second - first)));
      comp.addComponent(buf(std::span(kMessage).subspan(second)));
      ASSERT_EQ(comp.numComponents(), 3U);
      expectEveryReadMatches(comp, reference);
    }
  }
}

TEST_F(CompositeByteBufTest, SequentialReadsWalkAcrossComponents) {
  CompositeByteBuf comp = alloc_.compositeBuffer();
  // 0x01 | 0x0203 0x04 | 0x05060708 | 0x090A0B0C0D0E0F10
  comp.addComponent(buf(std::array<std::uint8_t, 1>{0x01}));
  comp.addComponent(buf(std::array<std::uint8_t, 3>{0x02, 0x03, 0x04}));
  comp.addComponent(buf(std::array<std::uint8_t, 2>{0x05, 0x06}));
  comp.addComponent(buf(
      std::array<std::uint8_t, 10>{0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10}));
  EXPECT_EQ(comp.readUnsignedByte(), 0x01);
  EXPECT_EQ(comp.readUnsignedShort(), 0x0203);
  EXPECT_EQ(comp.readUnsignedByte(), 0x04);
  EXPECT_EQ(comp.readUnsignedInt(), 0x05060708U);
  EXPECT_EQ(comp.readLong(), 0x090A0B0C0D0E0F10LL);
  EXPECT_FALSE(comp.isReadable());
  comp.readerIndex(2);
  std::array<std::uint8_t, 5> five{};
  comp.readBytes(five);
  EXPECT_EQ(five, (std::array<std::uint8_t, 5>{0x03, 0x04, 0x05, 0x06, 0x07}));
  EXPECT_EQ(comp.readerIndex(), 7U);
  comp.skipBytes(9);
  EXPECT_FALSE(comp.isReadable());
  EXPECT_THROW(comp.skipBytes(1), std::out_of_range);
  EXPECT_THROW(comp.readBytes(five), std::out_of_range);
}

TEST_F(CompositeByteBufTest, ReaderIndexSetterValidates) {
  CompositeByteBuf comp = abc();
  comp.readerIndex(12);
  EXPECT_FALSE(comp.isReadable());
  EXPECT_THROW(comp.readerIndex(13), std::out_of_range);
  EXPECT_EQ(comp.readerIndex(), 12U);
  comp.readerIndex(0);
  EXPECT_EQ(comp.readableBytes(), 12U);
}

TEST_F(CompositeByteBufTest, ReadSliceWithinOneComponentSharesItsMemory) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(5);
  const auto allocationsBefore = allocations();
  ByteBuf slice = comp.readSlice(3);
  EXPECT_EQ(slice.toStringView(), "bbb");
  EXPECT_EQ(allocations(), allocationsBefore);
  EXPECT_EQ(comp.component(1).refCnt(), 2U);
  EXPECT_EQ(slice.readableSpan().data(), comp.component(1).readableSpan().data() + 1);
  EXPECT_EQ(comp.readerIndex(), 8U);
  // The slice keeps the memory alive after the composite lets go of it.
  comp = alloc_.compositeBuffer();
  EXPECT_EQ(slice.refCnt(), 1U);
  EXPECT_EQ(slice.toStringView(), "bbb");
}

TEST_F(CompositeByteBufTest, ReadSliceAcrossComponentsCopies) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(2);
  const auto allocationsBefore = allocations();
  ByteBuf slice = comp.readSlice(8);
  EXPECT_EQ(slice.toStringView(), "aabbbbcc");
  EXPECT_EQ(allocations(), allocationsBefore + 1);
  for (std::size_t i = 0; i < comp.numComponents(); ++i) {
    EXPECT_EQ(comp.component(i).refCnt(), 1U);
  }
  EXPECT_EQ(comp.readerIndex(), 10U);
  EXPECT_THROW(comp.readSlice(3), std::out_of_range);
  EXPECT_EQ(comp.readSlice(0).refCnt(), 0U);
}

TEST_F(CompositeByteBufTest, IndexOfSearchesAcrossComponents) {
  CompositeByteBuf comp = alloc_.compositeBuffer();
  comp.addComponent(buf("GET / HT")).addComponent(buf("TP/1.1\r")).addComponent(buf("\nHost"));
  EXPECT_EQ(comp.indexOf(0, comp.writerIndex(), '\r'), 14);
  EXPECT_EQ(comp.indexOf(0, comp.writerIndex(), '\n'), 15);  // first byte of the third
  EXPECT_EQ(comp.indexOf(0, comp.writerIndex(), 'T'), 2);
  EXPECT_EQ(comp.indexOf(3, comp.writerIndex(), 'T'), 7);  // last byte of the first
  EXPECT_EQ(comp.indexOf(8, comp.writerIndex(), 'T'), 8);  // first byte of the second
  EXPECT_EQ(comp.indexOf(9, comp.writerIndex(), 'T'), -1);
  EXPECT_EQ(comp.indexOf(7, comp.writerIndex(), 'H'), 16);  // skips the whole second
  EXPECT_EQ(comp.indexOf(0, 14, '\r'), -1);                 // toIndex is exclusive
  EXPECT_EQ(comp.indexOf(0, 15, '\r'), 14);
  EXPECT_EQ(comp.indexOf(0, 1000, 't'), 19);  // toIndex is clamped to the writer index
  EXPECT_EQ(comp.indexOf(5, 5, 'T'), -1);
  EXPECT_EQ(comp.indexOf(9, 3, 'T'), -1);
  EXPECT_EQ(comp.indexOf(0, comp.writerIndex(), '#'), -1);
}

TEST_F(CompositeByteBufTest, DiscardReadComponentsReleasesThemAndShiftsIndices) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(6);  // all of "aaaa", half of "bbbb"
  comp.discardReadComponents();
  EXPECT_EQ(comp.numComponents(), 2U);
  EXPECT_EQ(live(), 2U);
  EXPECT_EQ(comp.readerIndex(), 2U);
  EXPECT_EQ(comp.writerIndex(), 8U);
  EXPECT_EQ(comp.toString(), "bbcccc");
  EXPECT_EQ(comp.getUnsignedByte(0), 'b');  // the read half of "bbbb" is still indexable
  EXPECT_EQ(comp.readUnsignedInt(), 0x62626363U);
  comp.discardReadComponents();  // "bbbb" is now read to its end
  EXPECT_EQ(comp.numComponents(), 1U);
  EXPECT_EQ(comp.toString(), "cc");
  comp.skipBytes(2);
  comp.discardReadComponents();
  EXPECT_EQ(comp.numComponents(), 0U);
  EXPECT_EQ(comp.readerIndex(), 0U);
  EXPECT_EQ(comp.writerIndex(), 0U);
  EXPECT_EQ(live(), 0U);
}

TEST_F(CompositeByteBufTest, DiscardReadComponentsKeepsAComponentOnlyPartlyRead) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(3);
  comp.discardReadComponents();
  EXPECT_EQ(comp.numComponents(), 3U);
  EXPECT_EQ(comp.readerIndex(), 3U);
  EXPECT_EQ(comp.toString(), "abbbbcccc");
}

TEST_F(CompositeByteBufTest, ConsolidateMergesTheReadableBytesIntoOneComponent) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(2);
  comp.consolidate();
  EXPECT_EQ(comp.numComponents(), 1U);
  EXPECT_EQ(comp.readerIndex(), 0U);
  EXPECT_EQ(comp.writerIndex(), 10U);
  EXPECT_EQ(comp.toString(), "aabbbbcccc");
  EXPECT_EQ(live(), 1U);  // the three old components are released
  EXPECT_EQ(comp.nioBufferCount(), 1U);
  comp.skipBytes(10);
  comp.consolidate();
  EXPECT_EQ(comp.numComponents(), 0U);
  EXPECT_EQ(live(), 0U);
}

TEST_F(CompositeByteBufTest, ExceedingMaxNumComponentsConsolidates) {
  CompositeByteBuf comp = alloc_.compositeBuffer(4);
  EXPECT_EQ(comp.maxNumComponents(), 4U);
  for (char c = 'a'; c < 'e'; ++c) {
    comp.addComponent(buf(std::string(3, c)));
  }
  EXPECT_EQ(comp.numComponents(), 4U);
  comp.addComponent(buf("eee"));
  EXPECT_EQ(comp.numComponents(), 1U);
  EXPECT_EQ(comp.toString(), "aaabbbcccdddeee");
  EXPECT_EQ(live(), 1U);
  comp.addComponent(buf("fff"));
  EXPECT_EQ(comp.numComponents(), 2U);
  EXPECT_EQ(comp.toString(), "aaabbbcccdddeeefff");
}

TEST_F(CompositeByteBufTest, ReleaseHandsOverTheOnlyComponentItself) {
  CompositeByteBuf comp = alloc_.compositeBuffer();
  ByteBuf part = buf("xxpayload");
  const std::uint8_t* memory = part.memoryAddress();
  comp.addComponent(std::move(part));
  comp.skipBytes(2);
  ByteBuf out = comp.release();
  EXPECT_EQ(out.memoryAddress(), memory);
  EXPECT_EQ(out.toStringView(), "payload");
  EXPECT_EQ(comp.numComponents(), 0U);
  EXPECT_EQ(comp.readableBytes(), 0U);
  EXPECT_EQ(live(), 1U);
}

TEST_F(CompositeByteBufTest, ReleaseCopiesSeveralComponentsIntoOneBuffer) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(1);
  ByteBuf out = comp.release();
  EXPECT_EQ(out.toStringView(), "aaabbbbcccc");
  EXPECT_EQ(comp.numComponents(), 0U);
  EXPECT_FALSE(comp.isReadable());
  EXPECT_EQ(live(), 1U);
  EXPECT_EQ(comp.release().refCnt(), 0U);  // an empty composite releases an empty buffer
}

TEST_F(CompositeByteBufTest, ReleaseAfterReadingEarlierComponentsKeepsTheRest) {
  CompositeByteBuf comp = abc();
  comp.skipBytes(9);  // the reader is in the last component
  ByteBuf out = comp.release();
  EXPECT_EQ(out.toStringView(), "ccc");
  EXPECT_EQ(live(), 1U);
}

TEST_F(CompositeByteBufTest, IovecsFollowPartialReads) {
  CompositeByteBuf comp = abc();
  const std::uint8_t* second = comp.component(1).readableSpan().data();
  comp.skipBytes(5);
  EXPECT_EQ(comp.nioBufferCount(), 2U);
  std::array<iovec, 4> iov{};
  ASSERT_EQ(comp.readableIovecs(iov), 2U);
  EXPECT_EQ(iov[0].iov_base, second + 1);
  EXPECT_EQ(iov[0].iov_len, 3U);
  EXPECT_EQ(iov[1].iov_len, 4U);
  comp.skipBytes(3);  // exactly the end of the second component
  EXPECT_EQ(comp.nioBufferCount(), 1U);
  ASSERT_EQ(comp.readableIovecs(iov), 1U);
  EXPECT_EQ(std::string(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len), "cccc");
  comp.skipBytes(4);
  EXPECT_EQ(comp.nioBufferCount(), 0U);
  EXPECT_EQ(comp.readableIovecs(iov), 0U);
}

TEST_F(CompositeByteBufTest, IovecsStopAtTheSpaceGiven) {
  CompositeByteBuf comp = abc();
  std::array<iovec, 2> iov{};
  EXPECT_EQ(comp.nioBufferCount(), 3U);
  ASSERT_EQ(comp.readableIovecs(iov), 2U);
  EXPECT_EQ(std::string(static_cast<const char*>(iov[1].iov_base), iov[1].iov_len), "bbbb");
  EXPECT_EQ(comp.readableIovecs(std::span<iovec>()), 0U);
}

TEST_F(CompositeByteBufTest, EqualityComparesReadableBytes) {
  CompositeByteBuf a = abc();
  CompositeByteBuf b = alloc_.compositeBuffer();
  b.addComponent(buf("aaaabb")).addComponent(buf("bbcccc"));
  EXPECT_EQ(a, b);
  b.skipBytes(1);
  EXPECT_FALSE(a == b);
  a.skipBytes(1);
  EXPECT_EQ(a, b);
}

TEST_F(CompositeByteBufTest, DestroyingTheCompositeReleasesEveryComponent) {
  {
    CompositeByteBuf comp = abc();
    EXPECT_EQ(live(), 3U);
  }
  EXPECT_EQ(live(), 0U);
}

TEST_F(CompositeByteBufTest, MovingTransfersTheComponentsAndEmptiesTheSource) {
  CompositeByteBuf a = abc();
  a.skipBytes(1);
  CompositeByteBuf b = std::move(a);
  EXPECT_EQ(b.toString(), "aaabbbbcccc");
  EXPECT_EQ(b.readerIndex(), 1U);
  // NOLINTBEGIN(bugprone-use-after-move): a moved-from composite is empty, as a ByteBuf is.
  EXPECT_EQ(a.numComponents(), 0U);
  EXPECT_EQ(a.readableBytes(), 0U);
  EXPECT_EQ(a.writerIndex(), 0U);
  EXPECT_EQ(a.toString(), "");
  EXPECT_THROW(a.readUnsignedByte(), std::out_of_range);
  a.addComponent(buf("reused"));
  EXPECT_EQ(a.toString(), "reused");
  // NOLINTEND(bugprone-use-after-move)
  CompositeByteBuf c = alloc_.compositeBuffer();
  c.addComponent(buf("old"));
  c = std::move(b);
  EXPECT_EQ(c.toString(), "aaabbbbcccc");
  EXPECT_EQ(live(), 4U);  // "old" was released; a's "reused" and abc's three remain
}

}  // namespace
}  // namespace sluice
