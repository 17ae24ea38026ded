#include <gtest/gtest.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <set>
#include <string>

#include "WebSocketTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocket13FrameEncoderTest = sluice::testing::SluiceTest;

// Everything written, joined.
std::string drainOutbound(EmbeddedChannel& ch) {
  std::string s;
  while (auto b = ch.readOutbound<ByteBuf>()) {
    s += b->toString();
  }
  return s;
}

TEST_F(WebSocket13FrameEncoderTest, HeaderBytesForEveryLengthClass) {
  for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 100000u}) {
    EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
    const std::string payload(n, 'p');
    ch.writeOutbound(BinaryWebSocketFrame(Unpooled::copiedBuffer(payload)));
    EXPECT_EQ(drainOutbound(ch), wireFrame(0x82, payload, false)) << n;
    EXPECT_FALSE(ch.finish());
  }
}

TEST_F(WebSocket13FrameEncoderTest, FinRsvAndOpcodeInTheFirstByte) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  ch.writeOutbound(TextWebSocketFrame(false, 4, "a"), ContinuationWebSocketFrame(true, 0, "b"),
                   PingWebSocketFrame(), PongWebSocketFrame(Unpooled::copiedBuffer("x")),
                   CloseWebSocketFrame(WebSocketCloseStatus::kNormalClosure, ""));
  EXPECT_EQ(drainOutbound(ch), wireFrame(0x41, "a", false) + wireFrame(0x80, "b", false) +
                                   wireFrame(0x89, "", false) + wireFrame(0x8A, "x", false) +
                                   wireFrame(0x88, closeBody(1000), false));
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, HeaderGoesIntoHeadroomWithoutCopy) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  TextWebSocketFrame frame(std::string(1000, 't'));
  const std::uint8_t* payload = frame.content().readableSpan().data();
  const std::uint64_t before = PooledByteBufAllocator::defaultAllocator().metrics().allocations;
  ch.writeOutbound(std::move(frame));
  EXPECT_EQ(PooledByteBufAllocator::defaultAllocator().metrics().allocations, before);
  auto out = ch.readOutbound<ByteBuf>();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->readableSpan().data(), payload - 4);  // 0x81 0x7E 0x03 0xE8, then the text
  EXPECT_EQ(out->toString(), wireFrame(0x81, std::string(1000, 't'), false));
  EXPECT_FALSE(ch.readOutbound());
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, EchoOfADecodedLargeFrameNeedsNoCopy) {
  // Decoded from a client, written back by the server: the received header's room is reused.
  EmbeddedChannel server(std::make_unique<WebSocket13FrameDecoder>());
  server.writeInbound(PooledByteBufAllocator::defaultAllocator().copiedBuffer(
      wireFrame(0x82, std::string(50000, 'e'))));
  auto frame = server.readInbound<BinaryWebSocketFrame>();
  ASSERT_TRUE(frame);
  const std::uint8_t* payload = frame->content().readableSpan().data();
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  ch.writeOutbound(std::move(*frame));
  auto out = ch.readOutbound<ByteBuf>();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->readableSpan().data(), payload - 4);
  EXPECT_EQ(out->toString(), wireFrame(0x82, std::string(50000, 'e'), false));
  EXPECT_FALSE(ch.finish());
  EXPECT_FALSE(server.finish());
}

TEST_F(WebSocket13FrameEncoderTest, NoHeadroomSmallPayloadIsCopiedLargeGoesAsTwoBuffers) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  ch.writeOutbound(BinaryWebSocketFrame(Unpooled::copiedBuffer("tiny")));
  EXPECT_EQ(ch.outboundMessages().size(), 1u);
  EXPECT_EQ(drainOutbound(ch), wireFrame(0x82, "tiny", false));

  ByteBuf big = Unpooled::copiedBuffer(std::string(4096, 'B'));
  const std::uint8_t* bigData = big.readableSpan().data();
  ch.writeOutbound(BinaryWebSocketFrame(std::move(big)));
  ASSERT_EQ(ch.outboundMessages().size(), 2u);
  auto header = ch.readOutbound<ByteBuf>();
  auto body = ch.readOutbound<ByteBuf>();
  EXPECT_EQ(header->toString(), std::string("\x82\x7E\x10\x00", 4));
  EXPECT_EQ(body->readableSpan().data(), bigData);  // the payload itself, not a copy
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, MaskedFramesRoundTripThroughTheServerDecoder) {
  const WebSocketDecoderConfig server{.maxFramePayloadLength = 200000};
  for (std::size_t n : {0u, 1u, 3u, 5u, 17u, 125u, 126u, 1000u, 65535u, 65536u, 150001u}) {
    EmbeddedChannel client(std::make_unique<WebSocket13FrameEncoder>(true));
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      text.push_back(static_cast<char>('a' + i % 26));
    }
    client.writeOutbound(TextWebSocketFrame(text),
                         BinaryWebSocketFrame(Unpooled::copiedBuffer(text)));
    const std::string wire = drainOutbound(client);
    ASSERT_EQ(wire[1] & 0x80, 0x80) << "mask bit";
    Events events = decodeChunks(server, {wire});
    const std::string shown = n > 40 ? fmt::format("<{} bytes>", n) : text;
    EXPECT_EQ(events, (Events{"TEXT " + shown, "BINARY " + shown})) << n;
    EmbeddedChannel check(std::make_unique<WebSocket13FrameDecoder>(server));
    check.writeInbound(Unpooled::copiedBuffer(wire));
    EXPECT_EQ(check.readInbound<TextWebSocketFrame>()->text(), text);
    EXPECT_EQ(check.readInbound<BinaryWebSocketFrame>()->content().toStringView(), text);
    EXPECT_FALSE(check.finish());
    EXPECT_FALSE(client.finish());
  }
}

TEST_F(WebSocket13FrameEncoderTest, MaskingNeverModifiesASharedPayload) {
  ByteBuf broadcast =
      ByteBufAllocator::defaultAllocator().bufferWithHeadroom(WebSocketFrame::kMaxHeaderSize, 64);
  broadcast.writeBytes(std::string_view("the same bytes for every member of the room"));
  EmbeddedChannel a(std::make_unique<WebSocket13FrameEncoder>(true));
  EmbeddedChannel b(std::make_unique<WebSocket13FrameEncoder>(true));
  a.writeOutbound(TextWebSocketFrame(broadcast.duplicate()));
  b.writeOutbound(TextWebSocketFrame(broadcast.slice()));
  EXPECT_EQ(broadcast.toStringView(), "the same bytes for every member of the room");
  const Events ea = decodeChunks({}, {drainOutbound(a)});
  const Events eb = decodeChunks({}, {drainOutbound(b)});
  EXPECT_EQ(ea, (Events{"TEXT <43 bytes>"}));
  EXPECT_EQ(ea, eb);
  EXPECT_FALSE(a.finish());
  EXPECT_FALSE(b.finish());
}

TEST_F(WebSocket13FrameEncoderTest, UniquePayloadIsMaskedInPlace) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(true));
  TextWebSocketFrame frame(std::string(500, 'm'));
  const std::uint8_t* payload = frame.content().readableSpan().data();
  ch.writeOutbound(std::move(frame));
  auto out = ch.readOutbound<ByteBuf>();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->readableSpan().data(), payload - 8);  // 4 header bytes and the key
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, EveryFrameGetsItsOwnMaskingKey) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(true));
  std::set<std::string> keys;
  for (int i = 0; i < 64; ++i) {
    ch.writeOutbound(PingWebSocketFrame());
    auto out = ch.readOutbound<ByteBuf>();
    ASSERT_EQ(out->readableBytes(), 6u);
    keys.insert(out->toString(2, 4));
  }
  EXPECT_GT(keys.size(), 60u);
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, FragmentsLargeDataFramesWhenConfigured) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(
      WebSocketEncoderConfig{.maxFragmentPayloadLength = 4}));
  ch.writeOutbound(TextWebSocketFrame(true, 4, "hello world"), TextWebSocketFrame("ok"),
                   PingWebSocketFrame(Unpooled::copiedBuffer("control frames stay whole")));
  const WebSocketDecoderConfig client{.expectMaskedFrames = false, .allowExtensions = true};
  EXPECT_EQ(decodeChunks(client, {drainOutbound(ch)}),
            (Events{"TEXT+(rsv4) hell", "CONT+ o wo", "CONT rld", "TEXT ok",
                    "PING control frames stay whole"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, RefusesInvalidControlFrames) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  ChannelFuture f =
      ch.writeAndFlush(PingWebSocketFrame(Unpooled::copiedBuffer(std::string(126, 'p'))));
  ch.runPendingTasks();
  ASSERT_TRUE(f.isDone());
  EXPECT_FALSE(f.isSuccess());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  ChannelFuture g = ch.writeAndFlush(PongWebSocketFrame(false, 0, ByteBuf()));
  ch.runPendingTasks();
  EXPECT_FALSE(g.isSuccess());
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameEncoderTest, OtherMessagesPassThrough) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  ch.writeOutbound(Unpooled::copiedBuffer("raw"));
  EXPECT_EQ(drainOutbound(ch), "raw");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::websocket
