#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketError.h>
#include <sys/resource.h>
#include <zlib.h>

#include <string>

#include "PerMessageDeflateTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using PerMessageDeflateDecoderTest = sluice::testing::SluiceTest;

// Raw deflate of `text` ending with a sync flush, the tail removed (RFC 7692 7.2.1).
std::string compress(std::string_view text, int windowBits = 15) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -windowBits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(text.size() + 64, '\0');
  z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(::deflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out - 4);
  deflateEnd(&z);
  return out;
}

// A server's frame decoder and permessage-deflate decoder, recording what reaches the
// application (messages joined), the close status sent and whether the channel closed.
Events run(const std::string& wire, WebSocketDecoderConfig config = {},
           PerMessageDeflateDecoderConfig pmd = {}, std::size_t chunk = 0) {
  Events events;
  config.allowExtensions = true;
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(),
                     std::make_unique<WebSocket13FrameDecoder>(config),
                     std::make_unique<PerMessageDeflateDecoder>(pmd),
                     std::make_unique<MessageCollector>(&events));
  if (chunk == 0) {
    chunk = wire.size();
  }
  for (std::size_t pos = 0; pos < wire.size() && ch.isOpen(); pos += chunk) {
    ch.writeInbound(Unpooled::copiedBuffer(std::string_view(wire).substr(pos, chunk)));
  }
  while (Message m = ch.readOutbound()) {
    const std::string_view b = m.get<ByteBuf>().toStringView();
    if (b.size() >= 4 && static_cast<std::uint8_t>(b[0]) == 0x88) {
      events.push_back(fmt::format("SENT CLOSE {}", (static_cast<std::uint8_t>(b[2]) << 8) |
                                                        static_cast<std::uint8_t>(b[3])));
    } else {
      events.push_back("SENT other");
    }
  }
  if (!ch.isOpen()) {
    events.push_back("CLOSED");
  }
  ch.finishAndReleaseAll();
  return events;
}

TEST_F(PerMessageDeflateDecoderTest, InflatesWholeAndFragmentedMessages) {
  const std::string big = jsonText(3000);
  const std::string c = compress(big);
  const std::size_t third = c.size() / 3;
  const std::string wire = wireFrame(0xC1, compress("Hello")) +  // FIN, RSV1, text
                           wireFrame(0x41, c.substr(0, third)) + wireFrame(0x89, "ping") +
                           wireFrame(0x00, c.substr(third, third)) +
                           wireFrame(0x80, c.substr(2 * third)) + wireFrame(0x82, "raw") +
                           wireFrame(0xC2, std::string(1, '\0'));  // an empty message
  const Events expected{"TEXT Hello", "PING ping", "TEXT " + big, "BINARY raw", "BINARY "};
  EXPECT_EQ(run(wire), expected);
  EXPECT_EQ(run(wire, {}, {}, 7), expected);  // in pieces, however the bytes arrive
}

TEST_F(PerMessageDeflateDecoderTest, CompressedControlFrameFailsWith1002) {
  // RFC 7692 6.1: RSV1 on a control frame.
  EXPECT_EQ(run(wireFrame(0xC1, compress("a")) + wireFrame(0xC9, "p") + wireFrame(0x81, "b")),
            (Events{"TEXT a", "ERROR compressed control frame", "SENT CLOSE 1002", "CLOSED"}));
}

TEST_F(PerMessageDeflateDecoderTest, Rsv1OnAContinuationFrameFailsWith1002) {
  const std::string c = compress("abcdef");
  EXPECT_EQ(run(wireFrame(0x41, c.substr(0, 2)) + wireFrame(0xC0, c.substr(2))),
            (Events{"ERROR RSV1 set on a continuation frame", "SENT CLOSE 1002", "CLOSED"}));
  // Also after an uncompressed first frame.
  EXPECT_EQ(run(wireFrame(0x01, "ab") + wireFrame(0xC0, "cd")),
            (Events{"ERROR RSV1 set on a continuation frame", "SENT CLOSE 1002", "CLOSED"}));
}

TEST_F(PerMessageDeflateDecoderTest, InvalidDeflateDataFailsWith1002) {
  const Events events = run(wireFrame(0xC1, "\xff\xff\xff\xff") + wireFrame(0x81, "after"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].rfind("ERROR invalid compressed data", 0), 0u) << events[0];
  EXPECT_EQ(events[1], "SENT CLOSE 1002");
}

TEST_F(PerMessageDeflateDecoderTest, InflatedTextMustBeUtf8) {
  // RFC 7692 6: the inflated payload is subject to the text rules again (RFC 6455 8.1).
  EXPECT_EQ(
      run(wireFrame(0xC1, compress("ok \xff"))),
      (Events{"ERROR invalid UTF-8: in compressed text message", "SENT CLOSE 1007", "CLOSED"}));
  // A sequence split between fragments is fine.
  const std::string c = compress("h\xc3\xa9llo");
  EXPECT_EQ(run(wireFrame(0x41, c.substr(0, 3)) + wireFrame(0x80, c.substr(3))),
            (Events{"TEXT h\xc3\xa9llo"}));
  // Binary is not text.
  EXPECT_EQ(run(wireFrame(0xC2, compress("\xff"))), (Events{"BINARY \xff"}));
}

TEST_F(PerMessageDeflateDecoderTest, InflatedSizeCountsAgainstTheFrameDecodersLimit) {
  const std::string text = jsonText(5000);
  const std::string wire = wireFrame(0xC1, compress(text));
  EXPECT_EQ(run(wire, {.maxMessageLength = 5000}), (Events{"TEXT " + text}));
  EXPECT_EQ(run(wire, {.maxMessageLength = 4999}),
            (Events{"ERROR message too large: decompressed data exceeds the limit of 4999 bytes",
                    "SENT CLOSE 1009", "CLOSED"}));
  // Its own limit, when given, wins.
  EXPECT_EQ(run(wire, {}, {.inflater = {.maxMessageLength = 4000}}).at(1), "SENT CLOSE 1009");
}

std::size_t peakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

TEST_F(PerMessageDeflateDecoderTest, InflateBombClosesWith1009AndMemoryStaysBounded) {
  // 256 MiB of zeros deflate to about 256 KiB: four 64 KiB frames of one message.
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string zeros(std::size_t{1} << 20, '\0');
  std::string bomb(std::size_t{1} << 20, '\0');
  std::size_t used = 0;
  for (int i = 0; i < 256; ++i) {
    z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(zeros.data()));
    z.avail_in = static_cast<uInt>(zeros.size());
    z.next_out = reinterpret_cast<Bytef*>(bomb.data() + used);
    z.avail_out = static_cast<uInt>(bomb.size() - used);
    ASSERT_EQ(::deflate(&z, i == 255 ? Z_SYNC_FLUSH : Z_NO_FLUSH), Z_OK);
    used = bomb.size() - z.avail_out;
  }
  deflateEnd(&z);
  bomb.resize(used - 4);
  ASSERT_LT(bomb.size(), std::size_t{300} << 10);
  std::string wire;
  const std::size_t frame = 65536;
  for (std::size_t pos = 0; pos < bomb.size(); pos += frame) {
    const bool first = pos == 0;
    const bool fin = pos + frame >= bomb.size();
    wire += wireFrame(static_cast<std::uint8_t>((fin ? 0x80 : 0) | (first ? 0x42 : 0x00)),
                      bomb.substr(pos, frame));
  }
  const std::size_t before = peakRssBytes();
  const Events events = run(wire, {.maxMessageLength = 1 << 20});
  const std::size_t growth = peakRssBytes() - before;
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0],
            "ERROR message too large: decompressed data exceeds the limit of 1048576 bytes");
  EXPECT_EQ(events[1], "SENT CLOSE 1009");
  // At most the 1 MiB limit (rounded up by the pool) besides the input, never 256 MiB.
  EXPECT_LT(growth, std::size_t{16} << 20);
}

}  // namespace
}  // namespace sluice::websocket
