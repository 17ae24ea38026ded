#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/codec/CodecError.h>
#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/LibdeflateEngine.h>
#include <sluice/websocket/ZlibDeflateEngine.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using DeflateEngineTest = sluice::testing::SluiceTest;

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::vector<std::uint8_t> hex(std::initializer_list<int> values) {
  std::vector<std::uint8_t> v;
  for (int x : values) {
    v.push_back(static_cast<std::uint8_t>(x));
  }
  return v;
}

ByteBuf newBuffer() { return ByteBufAllocator::defaultAllocator().buffer(64); }

// JSON-like text that compresses about as well as real chat or API traffic.
std::string jsonText(std::size_t size, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s = "[";
  while (s.size() < size) {
    s += fmt::format(R"({{"id":{},"user":"user{}","text":"message number {}","ok":{}}},)",
                     rng() % 100000, rng() % 50, rng() % 1000, rng() % 2 ? "true" : "false");
  }
  s.resize(size);
  return s;
}

std::string randomBytes(std::size_t size, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::string s(size, '\0');
  for (char& c : s) {
    c = static_cast<char>(rng());
  }
  return s;
}

std::string deflateMessage(MessageDeflater& d, std::string_view text, std::size_t parts = 1) {
  ByteBuf out = newBuffer();
  const std::size_t step = parts <= 1 ? text.size() : text.size() / parts + 1;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(step, text.size() - pos);
    d.deflate(bytes(text.substr(pos, n)), out, pos + n == text.size());
    pos += n;
  } while (pos < text.size());
  return out.toString();
}

std::string inflateMessage(MessageInflater& i, std::string_view payload, Error* error = nullptr,
                           std::size_t parts = 1) {
  ByteBuf out = newBuffer();
  const std::size_t step = parts <= 1 ? payload.size() : payload.size() / parts + 1;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(step, payload.size() - pos);
    Error e = i.inflate(bytes(payload.substr(pos, n)), out, pos + n == payload.size());
    if (e) {
      if (error != nullptr) {
        *error = e;
      }
      return {};
    }
    pos += n;
  } while (pos < payload.size());
  return out.toString();
}

TEST_F(DeflateEngineTest, DecodesTheRfcExamples) {
  // RFC 7692 7.2.3.1 (one block), 7.2.3.3 (stored), 7.2.3.4 (BFINAL), 7.2.3.5 (two blocks).
  const std::vector<std::vector<std::uint8_t>> payloads = {
      hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}),
      hex({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}),
      hex({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}),
      hex({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}),
  };
  for (DeflateEngineKind kind : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
    for (const auto& p : payloads) {
      auto inflater = newMessageInflater({.noContextTakeover = true}, kind);
      const std::string_view s(reinterpret_cast<const char*>(p.data()), p.size());
      EXPECT_EQ(inflateMessage(*inflater, s), "Hello") << static_cast<int>(kind);
      EXPECT_EQ(inflateMessage(*inflater, s, nullptr, 3), "Hello")
          << "split, " << static_cast<int>(kind);
    }
  }
}

TEST_F(DeflateEngineTest, SharesTheWindowAcrossMessagesAsRfc7692Shows) {
  // RFC 7692 7.2.3.2: the second "Hello" refers to the first.
  auto inflater = newMessageInflater({});
  const auto first = hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  const auto second = hex({0xf2, 0x00, 0x11, 0x00, 0x00});
  EXPECT_EQ(inflateMessage(*inflater, {reinterpret_cast<const char*>(first.data()), first.size()}),
            "Hello");
  EXPECT_EQ(
      inflateMessage(*inflater, {reinterpret_cast<const char*>(second.data()), second.size()}),
      "Hello");
}

TEST_F(DeflateEngineTest, CompressesHelloAsTheRfcDoes) {
  auto deflater = newMessageDeflater({}, DeflateEngineKind::Zlib);
  const std::string first = deflateMessage(*deflater, "Hello");
  EXPECT_EQ(first, std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7));
  // With context takeover the second copy is a back-reference: shorter than the first.
  EXPECT_LT(deflateMessage(*deflater, "Hello").size(), first.size());
}

TEST_F(DeflateEngineTest, EmptyMessageIsOneByte) {
  for (DeflateEngineKind kind : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
    auto deflater = newMessageDeflater({.noContextTakeover = true}, kind);
    EXPECT_EQ(deflateMessage(*deflater, ""), std::string(1, '\0'));
    auto inflater = newMessageInflater({.noContextTakeover = true}, kind);
    EXPECT_EQ(inflateMessage(*inflater, std::string(1, '\0')), "");
  }
}

// Every pair of engines and settings: what one compresses, the other inflates, message
// after message, whole and in fragments.
TEST_F(DeflateEngineTest, RoundTripsBetweenEveryEnginePair) {
  const std::vector<std::string> messages = {jsonText(4096, 1), jsonText(65536, 2), "x",
                                             randomBytes(3000), jsonText(4096, 1),  ""};
  struct Setting {
    DeflateEngineKind deflate;
    DeflateEngineKind inflate;
    bool noContextTakeover;
    int windowBits;
    int memLevel;
  };
  std::vector<Setting> settings;
  for (bool noContext : {false, true}) {
    for (int windowBits : {9, 10, 12, 15}) {
      for (int memLevel : {1, 8, 9}) {
        settings.push_back(
            {DeflateEngineKind::Zlib, DeflateEngineKind::Zlib, noContext, windowBits, memLevel});
      }
    }
  }
  for (auto d : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
    for (auto i : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
      settings.push_back({d, i, true, 15, 8});
    }
  }
  for (const Setting& s : settings) {
    SCOPED_TRACE(fmt::format("deflate {} inflate {} noContext {} window {} memLevel {}",
                             static_cast<int>(s.deflate), static_cast<int>(s.inflate),
                             s.noContextTakeover, s.windowBits, s.memLevel));
    auto deflater = newMessageDeflater({.windowBits = s.windowBits,
                                        .memLevel = s.memLevel,
                                        .noContextTakeover = s.noContextTakeover},
                                       s.deflate);
    auto inflater = newMessageInflater(
        {.windowBits = s.windowBits, .noContextTakeover = s.noContextTakeover}, s.inflate);
    for (std::size_t parts : {std::size_t{1}, std::size_t{4}}) {
      for (const std::string& m : messages) {
        const std::size_t deflateParts = deflater->streaming() ? parts : 1;
        const std::string payload = deflateMessage(*deflater, m, deflateParts);
        EXPECT_EQ(inflateMessage(*inflater, payload, nullptr, parts), m);
      }
    }
  }
}

TEST_F(DeflateEngineTest, RefusesContextTakeoverAndSmallWindowsForLibdeflate) {
  EXPECT_THROW(LibdeflateMessageDeflater({}), std::invalid_argument);
  EXPECT_THROW(LibdeflateMessageDeflater({.windowBits = 12, .noContextTakeover = true}),
               std::invalid_argument);
  EXPECT_THROW(LibdeflateMessageInflater({}), std::invalid_argument);
  // Auto falls back to zlib where libdeflate cannot go.
  EXPECT_TRUE(newMessageDeflater({.windowBits = 12, .noContextTakeover = true})->streaming());
  EXPECT_TRUE(newMessageDeflater({})->streaming());
  EXPECT_THROW(ZlibMessageDeflater({.windowBits = 8}), std::invalid_argument);
}

TEST_F(DeflateEngineTest, InflateBombStopsAtTheLimitWithoutTakingMoreMemory) {
  // 64 MiB of zeros compress to about 64 KiB.
  const std::string zeros(std::size_t{64} << 20, '\0');
  auto deflater = newMessageDeflater({.noContextTakeover = true}, DeflateEngineKind::Zlib);
  const std::string bomb = deflateMessage(*deflater, zeros);
  ASSERT_LT(bomb.size(), std::size_t{128} << 10);
  for (DeflateEngineKind kind : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
    for (std::size_t parts : {std::size_t{1}, std::size_t{16}}) {
      auto inflater =
          newMessageInflater({.noContextTakeover = true, .maxMessageLength = 100000}, kind);
      ByteBuf out = newBuffer();
      Error error;
      const std::size_t step = bomb.size() / parts + 1;
      for (std::size_t pos = 0; pos < bomb.size() && !error; pos += step) {
        const std::size_t n = std::min(step, bomb.size() - pos);
        error = inflater->inflate(bytes(std::string_view(bomb).substr(pos, n)), out,
                                  pos + n == bomb.size());
      }
      EXPECT_EQ(error.code(), make_error_code(CodecErrc::DecompressionLimitExceeded));
      // Never asked for more than the limit; the pool rounds a request up to its size class
      // (a power of two), so the buffer is below twice the limit, not 64 MiB.
      EXPECT_LT(out.capacity(), 200000u) << static_cast<int>(kind);
      EXPECT_LE(out.readableBytes(), 100000u);
      // Failed for good: more input is refused.
      EXPECT_TRUE(inflater->inflate(bytes("x"), out, true));
    }
  }
}

TEST_F(DeflateEngineTest, ExactlyTheLimitIsAllowed) {
  const std::string text = jsonText(5000);
  for (DeflateEngineKind kind : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
    auto deflater = newMessageDeflater({.noContextTakeover = true});
    auto inflater = newMessageInflater({.noContextTakeover = true, .maxMessageLength = 5000}, kind);
    EXPECT_EQ(inflateMessage(*inflater, deflateMessage(*deflater, text)), text);
    auto tight = newMessageInflater({.noContextTakeover = true, .maxMessageLength = 4999}, kind);
    Error error;
    inflateMessage(*tight, deflateMessage(*deflater, text), &error);
    EXPECT_EQ(error.code(), make_error_code(CodecErrc::DecompressionLimitExceeded));
  }
}

TEST_F(DeflateEngineTest, CorruptInputFails) {
  for (DeflateEngineKind kind : {DeflateEngineKind::Zlib, DeflateEngineKind::Libdeflate}) {
    auto inflater = newMessageInflater({.noContextTakeover = true}, kind);
    Error error;
    inflateMessage(*inflater, std::string("\xff\xff\xff\xff\xff", 5), &error);
    EXPECT_EQ(error.code(), make_error_code(CodecErrc::DecompressionFailed));
  }
}

TEST_F(DeflateEngineTest, KeepsNoStateBetweenMessagesWithoutContextTakeover) {
  MessageDeflaterConfig dedicated{};
  EXPECT_GT(newMessageDeflater(dedicated)->retainedBytes(), std::size_t{256} << 10);
  EXPECT_EQ(newMessageDeflater({.noContextTakeover = true})->retainedBytes(), 0u);
  EXPECT_EQ(newMessageDeflater({.windowBits = 10, .noContextTakeover = true})->retainedBytes(), 0u);
  EXPECT_EQ(newMessageInflater({.noContextTakeover = true})->retainedBytes(), 0u);
  EXPECT_EQ(newMessageInflater({.windowBits = 10})->retainedBytes(), 1024u + 7160u);
}

TEST_F(DeflateEngineTest, ZlibPeerWithASmallWindowIsUnderstood) {
  // A stream that python's zlib makes with wbits=-9 (a peer's client_max_window_bits=9).
  const std::string text = jsonText(20000);
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -9, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(text.size() + 1024, '\0');
  z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  ASSERT_EQ(::deflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out - 4);
  deflateEnd(&z);
  auto inflater = newMessageInflater({.windowBits = 9});
  EXPECT_EQ(inflateMessage(*inflater, out), text);
}

}  // namespace
}  // namespace sluice::websocket
