#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/codec/CodecError.h>
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

using InflaterTest = testing::SluiceTest;

std::string sampleText(std::size_t size) {
  std::string s;
  for (int i = 0; s.size() < size; ++i) {
    s += "line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
  }
  s.resize(size);
  return s;
}

// Compressed with zlib itself, so the Inflater is checked against a producer of its own.
std::vector<std::uint8_t> zlibCompress(const std::string& text, int windowBits, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(text.size())) + 64);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST_F(InflaterTest, InflatesZlibGzipAndRawFromZlibItself) {
  const std::string text = sampleText(40000);
  struct Case {
    ZlibWrapper wrapper;
    int zlibWindowBits;
  };
  for (const Case c :
       {Case{ZlibWrapper::Zlib, 15}, Case{ZlibWrapper::Gzip, 31}, Case{ZlibWrapper::None, -15},
        Case{ZlibWrapper::ZlibOrNone, 15}, Case{ZlibWrapper::ZlibOrNone, -15}}) {
    const std::vector<std::uint8_t> compressed = zlibCompress(text, c.zlibWindowBits);
    Inflater inflater({.wrapper = c.wrapper});
    ByteBuf out = Unpooled::buffer(16);
    std::size_t consumed = 0;
    const Error error = inflater.inflate(compressed, out, &consumed);
    EXPECT_FALSE(error) << error.toString();
    EXPECT_TRUE(inflater.finished());
    EXPECT_EQ(consumed, compressed.size());
    EXPECT_EQ(out.toString(), text) << "zlib window bits " << c.zlibWindowBits;
  }
}

TEST_F(InflaterTest, InflatesRawWithEveryWindowFrom8To15) {
  const std::string text = sampleText(30000);
  for (int bits = 9; bits <= 15; ++bits) {
    const std::vector<std::uint8_t> compressed = zlibCompress(text, -bits);
    Inflater inflater({.wrapper = ZlibWrapper::None, .windowBits = bits});
    ByteBuf out = Unpooled::buffer(16);
    EXPECT_FALSE(inflater.inflate(compressed, out));
    EXPECT_EQ(out.toString(), text) << bits;
  }
  // A window of 8 bits (zlib cannot compress with one) inflates what a 9-bit compressor
  // made, when its distances are short.
  Inflater small({.wrapper = ZlibWrapper::None, .windowBits = 8});
  ByteBuf out = Unpooled::buffer(16);
  EXPECT_FALSE(small.inflate(zlibCompress("abcabcabc", -9), out));
  EXPECT_EQ(out.toString(), "abcabcabc");
}

TEST_F(InflaterTest, AnyInputSplitDownToSingleBytes) {
  const std::string text = sampleText(5000);
  for (ZlibWrapper wrapper :
       {ZlibWrapper::Zlib, ZlibWrapper::Gzip, ZlibWrapper::None, ZlibWrapper::ZlibOrNone}) {
    const int bits = wrapper == ZlibWrapper::Gzip ? 31 : wrapper == ZlibWrapper::None ? -15 : 15;
    const std::vector<std::uint8_t> compressed = zlibCompress(text, bits);
    Inflater inflater({.wrapper = wrapper});
    ByteBuf out = Unpooled::buffer(1);
    for (std::uint8_t byte : compressed) {
      ASSERT_FALSE(inflater.inflate(std::span<const std::uint8_t>(&byte, 1), out));
    }
    EXPECT_TRUE(inflater.finished());
    EXPECT_EQ(out.toString(), text);
  }
}

TEST_F(InflaterTest, OutputExactlyAtTheLimitIsAllowed) {
  const std::string text(100000, 'a');
  const std::vector<std::uint8_t> compressed = zlibCompress(text, 31);
  Inflater inflater({.wrapper = ZlibWrapper::Gzip, .maxOutputBytes = text.size()});
  ByteBuf out = Unpooled::buffer(16);
  const Error error = inflater.inflate(compressed, out);
  EXPECT_FALSE(error) << error.toString();
  EXPECT_TRUE(inflater.finished());
  EXPECT_EQ(out.readableBytes(), text.size());
}

TEST_F(InflaterTest, OneByteOverTheLimitFailsWithoutGrowingPastIt) {
  const std::string text(100001, 'a');
  const std::vector<std::uint8_t> compressed = zlibCompress(text, 31);
  Inflater inflater({.wrapper = ZlibWrapper::Gzip, .maxOutputBytes = 100000});
  ByteBuf out = Unpooled::buffer(16);
  const Error error = inflater.inflate(compressed, out);
  EXPECT_EQ(error.code(), CodecErrc::DecompressionLimitExceeded);
  EXPECT_EQ(error.code(), std::errc::message_size);
  EXPECT_EQ(error.message(), "decompressed data exceeds the limit of 100000 bytes");
  EXPECT_LE(out.readableBytes(), 100000u);
  EXPECT_TRUE(inflater.failed());
  // A failed stream refuses more input until reset.
  ByteBuf more = Unpooled::buffer(16);
  EXPECT_EQ(inflater.inflate(compressed, more).code(), CodecErrc::DecompressionLimitExceeded);
}

TEST_F(InflaterTest, ABombFailsEarlyWithMemoryBoundedByTheLimit) {
  // 1 GiB of zeros compresses to about 1 MiB; fed in 16 KiB pieces it must stop at 1 MiB.
  Deflater deflater({.wrapper = ZlibWrapper::Gzip, .compressionLevel = 9});
  const std::string zeros(std::size_t{1} << 20, '\0');
  ByteBuf bomb = Unpooled::buffer(1 << 16);
  for (int i = 0; i < 64; ++i) {
    deflater.deflate(Unpooled::copiedBuffer(zeros), bomb);
  }
  deflater.deflate(std::span<const std::uint8_t>(), bomb, DeflateFlush::Finish);
  Inflater inflater({.wrapper = ZlibWrapper::Gzip, .maxOutputBytes = std::size_t{1} << 20});
  ByteBuf out = Unpooled::buffer(16);
  Error error;
  std::size_t pieces = 0;
  while (!error && bomb.isReadable()) {
    ByteBuf piece = bomb.readSlice(std::min<std::size_t>(bomb.readableBytes(), 16384));
    error = inflater.inflate(piece, out);
    ++pieces;
  }
  EXPECT_EQ(error.code(), CodecErrc::DecompressionLimitExceeded);
  EXPECT_LE(out.readableBytes(), std::size_t{1} << 20);
  EXPECT_LE(out.capacity(), std::size_t{2} << 20);
  EXPECT_LE(pieces, 2u);
}

TEST_F(InflaterTest, ResetOutputCountKeepsTheWindowForTheNextMessage) {
  Deflater deflater({.wrapper = ZlibWrapper::None});
  Inflater inflater({.wrapper = ZlibWrapper::None, .maxOutputBytes = 1000});
  for (int i = 0; i < 5; ++i) {
    ByteBuf compressed = Unpooled::buffer(16);
    deflater.deflate(Unpooled::copiedBuffer(std::string(800, 'x')), compressed, DeflateFlush::Sync);
    ByteBuf out = Unpooled::buffer(16);
    ASSERT_FALSE(inflater.inflate(compressed, out)) << i;
    EXPECT_EQ(out.readableBytes(), 800u);
    inflater.resetOutputCount();
  }
}

TEST_F(InflaterTest, CorruptInputIsAnErrorNotACrash) {
  const std::string text = sampleText(2000);
  std::vector<std::uint8_t> compressed = zlibCompress(text, 15);
  {
    Inflater inflater;
    ByteBuf out = Unpooled::buffer(16);
    const std::vector<std::uint8_t> garbage = {0x12, 0x34, 0x56, 0x78, 0x9a};
    const Error error = inflater.inflate(garbage, out);
    EXPECT_EQ(error.code(), CodecErrc::DecompressionFailed);
    EXPECT_EQ(error.code(), std::errc::bad_message);
    EXPECT_EQ(error.message(), "corrupted compressed data (incorrect header check)");
  }
  {
    // A flipped bit in the Adler-32 trailer (RFC 1950 2.2).
    std::vector<std::uint8_t> bad = compressed;
    bad.back() ^= 1;
    Inflater inflater;
    ByteBuf out = Unpooled::buffer(16);
    EXPECT_EQ(inflater.inflate(bad, out).message(),
              "corrupted compressed data (incorrect data check)");
    EXPECT_FALSE(inflater.finished());
  }
  {
    // Raw deflate with the reserved block type 3 (RFC 1951 3.2.3).
    const std::vector<std::uint8_t> bad = {0x07, 0x00};
    Inflater inflater({.wrapper = ZlibWrapper::None});
    ByteBuf out = Unpooled::buffer(16);
    EXPECT_EQ(inflater.inflate(bad, out).message(),
              "corrupted compressed data (invalid block type)");
  }
  {
    // A preset dictionary is refused (FDICT set, RFC 1950 2.2).
    const std::vector<std::uint8_t> dict = {0x78, 0xbb, 0, 0, 0, 1};
    Inflater inflater;
    ByteBuf out = Unpooled::buffer(16);
    EXPECT_EQ(inflater.inflate(dict, out).code(), CodecErrc::DecompressionFailed);
  }
}

TEST_F(InflaterTest, GzipTrailerIsChecked) {
  const std::string text = sampleText(3000);
  std::vector<std::uint8_t> compressed = zlibCompress(text, 31);
  // RFC 1952 2.3.1: ISIZE, the length modulo 2^32, is the last four bytes.
  compressed[compressed.size() - 4] ^= 0x01;
  Inflater inflater({.wrapper = ZlibWrapper::Gzip});
  ByteBuf out = Unpooled::buffer(16);
  EXPECT_EQ(inflater.inflate(compressed, out).message(),
            "corrupted compressed data (incorrect length check)");
  // Truncated before the trailer: no error, but not finished either.
  compressed.resize(compressed.size() - 6);
  inflater.reset();
  ByteBuf again = Unpooled::buffer(16);
  EXPECT_FALSE(inflater.inflate(compressed, again));
  EXPECT_FALSE(inflater.finished());
  EXPECT_EQ(again.toString(), text);
}

TEST_F(InflaterTest, StopsAtTheEndOfTheStreamAndLeavesTheRestReadable) {
  const std::vector<std::uint8_t> compressed = zlibCompress("hello", 15);
  ByteBuf in = Unpooled::buffer(64);
  in.writeBytes(compressed);
  in.writeBytes("TRAILING");
  Inflater inflater;
  ByteBuf out = Unpooled::buffer(16);
  EXPECT_FALSE(inflater.inflate(in, out));
  EXPECT_TRUE(inflater.finished());
  EXPECT_EQ(out.toString(), "hello");
  EXPECT_EQ(in.toString(), "TRAILING");
  // More input after the end is left alone.
  EXPECT_FALSE(inflater.inflate(in, out));
  EXPECT_EQ(in.toString(), "TRAILING");
}

TEST_F(InflaterTest, ResetStartsANewStreamAndForgetsAFailure) {
  Inflater inflater({.wrapper = ZlibWrapper::ZlibOrNone});
  ByteBuf out = Unpooled::buffer(16);
  EXPECT_FALSE(inflater.inflate(zlibCompress("zlib first", 15), out));
  EXPECT_TRUE(inflater.finished());
  inflater.reset();
  const std::vector<std::uint8_t> garbage = {0xff, 0xff, 0xff};
  EXPECT_TRUE(inflater.inflate(garbage, out));
  inflater.reset();
  ByteBuf raw = Unpooled::buffer(16);
  EXPECT_FALSE(inflater.inflate(zlibCompress("raw second", -15), raw));
  EXPECT_EQ(raw.toString(), "raw second");
  EXPECT_EQ(out.toString(), "zlib first");
}

TEST_F(InflaterTest, RefusesInvalidSettings) {
  EXPECT_THROW(Inflater({.maxOutputBytes = 0}), std::invalid_argument);
  EXPECT_THROW(Inflater({.windowBits = 7}), std::invalid_argument);
  EXPECT_THROW(Inflater({.windowBits = 16}), std::invalid_argument);
}

}  // namespace
}  // namespace sluice
