#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/codec/compression/Deflater.h>
#include <sluice/codec/compression/Inflater.h>
#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using DeflaterTest = testing::SluiceTest;

std::string sampleText(std::size_t size) {
  std::string s;
  std::uint32_t x = 12345;
  while (s.size() < size) {
    x = x * 1103515245 + 12345;
    s += "{\"id\":" + std::to_string(x % 1000) + ",\"name\":\"item\",\"tags\":[\"a\",\"b\"]},";
  }
  s.resize(size);
  return s;
}

std::string inflateAll(ZlibWrapper wrapper, int windowBits, const ByteBuf& compressed) {
  Inflater inflater({.wrapper = wrapper, .windowBits = windowBits});
  ByteBuf out = Unpooled::buffer(64);
  const Error error = inflater.inflate(compressed.readableSpan(), out);
  EXPECT_FALSE(error) << error.toString();
  return out.toString();
}

TEST_F(DeflaterTest, RoundTripsEveryWrapper) {
  const std::string text = sampleText(20000);
  for (ZlibWrapper wrapper : {ZlibWrapper::Zlib, ZlibWrapper::Gzip, ZlibWrapper::None}) {
    Deflater deflater({.wrapper = wrapper});
    ByteBuf out = Unpooled::buffer(16);
    deflater.deflate(Unpooled::copiedBuffer(text), out, DeflateFlush::Finish);
    EXPECT_TRUE(deflater.finished());
    EXPECT_LT(out.readableBytes(), text.size() / 2);
    EXPECT_EQ(inflateAll(wrapper, 15, out), text);
    EXPECT_EQ(deflater.totalIn(), text.size());
    EXPECT_EQ(deflater.totalOut(), out.readableBytes());
  }
}

TEST_F(DeflaterTest, ZlibOutputIsWhatZlibUncompressReads) {
  const std::string text = sampleText(5000);
  Deflater deflater;
  ByteBuf out = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer(text), out, DeflateFlush::Finish);
  std::vector<Bytef> plain(text.size());
  uLongf plainSize = static_cast<uLongf>(plain.size());
  ASSERT_EQ(uncompress(plain.data(), &plainSize, out.readableSpan().data(),
                       static_cast<uLong>(out.readableBytes())),
            Z_OK);
  EXPECT_EQ(std::string(plain.begin(), plain.end()), text);
  // RFC 1950 2.2: CMF 0x78 is deflate with a 32 KiB window.
  EXPECT_EQ(out.getUnsignedByte(0), 0x78);
}

TEST_F(DeflaterTest, GzipHasItsMagicAndATrailerWithCrcAndLength) {
  const std::string text = sampleText(3000);
  Deflater deflater({.wrapper = ZlibWrapper::Gzip});
  ByteBuf out = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer(text), out, DeflateFlush::Finish);
  // RFC 1952 2.3: ID1 ID2 CM, and the last 8 bytes are CRC32 and ISIZE (little endian).
  ASSERT_GT(out.readableBytes(), 18u);
  EXPECT_EQ(out.getUnsignedByte(0), 0x1f);
  EXPECT_EQ(out.getUnsignedByte(1), 0x8b);
  EXPECT_EQ(out.getUnsignedByte(2), 8);
  const std::size_t end = out.writerIndex();
  const auto crc =
      crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  EXPECT_EQ(out.getUnsignedIntLE(end - 8), crc);
  EXPECT_EQ(out.getUnsignedIntLE(end - 4), text.size());
}

TEST_F(DeflaterTest, RawDeflateRoundTripsWithEveryWindowFrom9To15) {
  const std::string text = sampleText(70000);
  for (int bits = 9; bits <= 15; ++bits) {
    Deflater deflater({.wrapper = ZlibWrapper::None, .windowBits = bits});
    ByteBuf out = Unpooled::buffer(16);
    deflater.deflate(Unpooled::copiedBuffer(text), out, DeflateFlush::Finish);
    EXPECT_EQ(inflateAll(ZlibWrapper::None, bits, out), text) << "window bits " << bits;
  }
}

TEST_F(DeflaterTest, SyncFlushEndsWithTheEmptyStoredBlockAndIsDecodableAtOnce) {
  Deflater deflater({.wrapper = ZlibWrapper::None});
  Inflater inflater({.wrapper = ZlibWrapper::None});
  ByteBuf plain = Unpooled::buffer(64);
  for (const std::string message : {"Hello", "Hello again", "and once more"}) {
    ByteBuf out = Unpooled::buffer(16);
    deflater.deflate(Unpooled::copiedBuffer(message), out, DeflateFlush::Sync);
    // RFC 7692 7.2.1: a sync flush ends with 00 00 ff ff, which the sender removes.
    ASSERT_GE(out.readableBytes(), 4u);
    EXPECT_EQ(out.getUnsignedIntLE(out.writerIndex() - 4), 0xffff0000u);
    plain.clear();
    ASSERT_FALSE(inflater.inflate(out, plain));
    EXPECT_EQ(plain.toString(), message);
    EXPECT_FALSE(inflater.finished());
  }
}

TEST_F(DeflaterTest, ContextTakeoverMakesRepeatedMessagesSmaller) {
  const std::string message = sampleText(300);
  Deflater deflater({.wrapper = ZlibWrapper::None});
  ByteBuf first = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer(message), first, DeflateFlush::Sync);
  ByteBuf second = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer(message), second, DeflateFlush::Sync);
  EXPECT_LT(second.readableBytes() * 3, first.readableBytes());
}

TEST_F(DeflaterTest, ResetStartsAFreshStream) {
  const std::string message = sampleText(300);
  Deflater deflater({.wrapper = ZlibWrapper::None});
  ByteBuf first = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer(message), first, DeflateFlush::Sync);
  deflater.reset();
  ByteBuf second = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer(message), second, DeflateFlush::Sync);
  // No context takeover (RFC 7692 7.1.1): the same message compresses to the same bytes.
  EXPECT_EQ(first, second);
  EXPECT_EQ(inflateAll(ZlibWrapper::None, 15, second), message);
}

TEST_F(DeflaterTest, ResetAfterFinishAllowsANewStream) {
  Deflater deflater({.wrapper = ZlibWrapper::Gzip});
  ByteBuf out = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer("one"), out, DeflateFlush::Finish);
  EXPECT_THROW(deflater.deflate(Unpooled::copiedBuffer("two"), out), std::logic_error);
  deflater.reset();
  EXPECT_FALSE(deflater.finished());
  ByteBuf again = Unpooled::buffer(16);
  deflater.deflate(Unpooled::copiedBuffer("two"), again, DeflateFlush::Finish);
  EXPECT_EQ(inflateAll(ZlibWrapper::Gzip, 15, again), "two");
}

TEST_F(DeflaterTest, StreamsInPiecesWithoutFlushAndGrowsTheOutput) {
  const std::string text = sampleText(100000);
  Deflater deflater({.wrapper = ZlibWrapper::Gzip, .compressionLevel = 1});
  ByteBuf out = Unpooled::buffer(1);
  for (std::size_t i = 0; i < text.size(); i += 4096) {
    deflater.deflate(Unpooled::copiedBuffer(text.substr(i, 4096)), out);
  }
  deflater.deflate(std::span<const std::uint8_t>(), out, DeflateFlush::Finish);
  EXPECT_EQ(inflateAll(ZlibWrapper::Gzip, 15, out), text);
}

TEST_F(DeflaterTest, IncompressibleInputGrowsPastTheFirstGuess) {
  std::string noise(50000, '\0');
  std::uint32_t x = 7;
  for (char& c : noise) {
    x = x * 1664525 + 1013904223;
    c = static_cast<char>(x >> 24);
  }
  Deflater deflater({.wrapper = ZlibWrapper::Zlib, .compressionLevel = 9});
  ByteBuf out = Unpooled::buffer(8);
  deflater.deflate(Unpooled::copiedBuffer(noise), out, DeflateFlush::Finish);
  EXPECT_GT(out.readableBytes(), noise.size());
  EXPECT_EQ(inflateAll(ZlibWrapper::Zlib, 15, out), noise);
}

TEST_F(DeflaterTest, LevelZeroStoresAndStdByteSpansWork) {
  const std::string text = "stored, not compressed";
  Deflater deflater({.wrapper = ZlibWrapper::None, .compressionLevel = 0});
  ByteBuf out = Unpooled::buffer(8);
  deflater.deflate(std::as_bytes(std::span(text.data(), text.size())), out, DeflateFlush::Finish);
  EXPECT_NE(out.toStringView().find(text), std::string_view::npos);
  EXPECT_EQ(inflateAll(ZlibWrapper::None, 15, out), text);
}

TEST_F(DeflaterTest, RefusesInvalidSettings) {
  EXPECT_THROW(Deflater({.compressionLevel = 10}), std::invalid_argument);
  EXPECT_THROW(Deflater({.windowBits = 8}), std::invalid_argument);
  EXPECT_THROW(Deflater({.windowBits = 16}), std::invalid_argument);
  EXPECT_THROW(Deflater({.memLevel = 0}), std::invalid_argument);
  EXPECT_THROW(Deflater({.wrapper = ZlibWrapper::ZlibOrNone}), std::invalid_argument);
}

TEST_F(DeflaterTest, MovesKeepTheStream) {
  Deflater a({.wrapper = ZlibWrapper::Gzip});
  ByteBuf out = Unpooled::buffer(8);
  a.deflate(Unpooled::copiedBuffer("first half, "), out);
  Deflater b = std::move(a);
  b.deflate(Unpooled::copiedBuffer("second half"), out, DeflateFlush::Finish);
  EXPECT_EQ(inflateAll(ZlibWrapper::Gzip, 15, out), "first half, second half");
}

}  // namespace
}  // namespace sluice
