#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/LengthFieldBasedFrameDecoder.h>
#include <sluice/codec/LengthFieldPrepender.h>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class LengthFieldPrependerTest : public testing::SluiceTest {};

std::string drainOutbound(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toString();
  }
  return all;
}

TEST_F(LengthFieldPrependerTest, PrependsTheLengthAsASeparateBuffer) {
  EmbeddedChannel ch(
      std::make_unique<LengthFieldPrepender>(LengthFieldPrependerConfig{.lengthFieldLength = 2}));
  ASSERT_TRUE(ch.writeOutbound(Unpooled::copiedBuffer("abc")));
  EXPECT_EQ(ch.outboundMessages().size(), 2U);
  EXPECT_EQ(drainOutbound(ch), std::string("\0\x03"
                                           "abc",
                                           5));
  EXPECT_FALSE(ch.finish());
}

TEST_F(LengthFieldPrependerTest, WritesIntoHeadroomWithoutASecondBuffer) {
  EmbeddedChannel ch(std::make_unique<LengthFieldPrepender>(
      LengthFieldPrependerConfig{.lengthFieldLength = 4,
                                 .lengthIncludesLengthFieldLength = true,
                                 .byteOrder = ByteOrder::LittleEndian}));
  ByteBuf payload = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(8, 16);
  payload.writeBytes("hi");
  ASSERT_TRUE(ch.writeOutbound(std::move(payload)));
  ASSERT_EQ(ch.outboundMessages().size(), 1U);
  EXPECT_EQ(drainOutbound(ch), std::string("\x06\0\0\0"
                                           "hi",
                                           6));
  EXPECT_FALSE(ch.finish());
}

TEST_F(LengthFieldPrependerTest, RoundTripsThroughTheMatchingDecoder) {
  EmbeddedChannel out(std::make_unique<LengthFieldPrepender>());
  EmbeddedChannel in(std::make_unique<LengthFieldBasedFrameDecoder>(
      LengthFieldBasedFrameDecoderConfig{.initialBytesToStrip = 4}));
  out.writeOutbound(Unpooled::copiedBuffer("first"), Unpooled::copiedBuffer(""),
                    Unpooled::copiedBuffer("third"));
  in.writeInbound(Unpooled::copiedBuffer(drainOutbound(out)));
  EXPECT_EQ(in.readInbound<ByteBuf>()->toString(), "first");
  EXPECT_EQ(in.readInbound<ByteBuf>()->toString(), "");
  EXPECT_EQ(in.readInbound<ByteBuf>()->toString(), "third");
  EXPECT_FALSE(in.finish());
  EXPECT_FALSE(out.finish());
}

TEST_F(LengthFieldPrependerTest, LengthThatDoesNotFitFailsTheWrite) {
  EmbeddedChannel ch(
      std::make_unique<LengthFieldPrepender>(LengthFieldPrependerConfig{.lengthFieldLength = 1}));
  ChannelFuture f = ch.writeAndFlush(Unpooled::copiedBuffer(std::string(256, 'x')));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  EXPECT_EQ(f.cause().message(), "length does not fit into a byte: 256");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
