#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/MessageToMessageDecoder.h>

#include <string>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class MessageToMessageDecoderTest : public testing::SluiceTest {};

// Turns each ByteBuf into its characters, one string each.
class CharDecoder : public MessageToMessageDecoder<ByteBuf> {
 protected:
  void decode(ChannelHandlerContext&, ByteBuf& msg, Out& out) override {
    for (char c : msg.toStringView()) {
      out.emplace_back(std::string(1, c));
    }
  }
};

TEST_F(MessageToMessageDecoderTest, DecodesIntoSeveralMessagesInOrder) {
  EmbeddedChannel ch(std::make_unique<CharDecoder>());
  ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("ab"), Unpooled::copiedBuffer("c")));
  EXPECT_EQ(*ch.readInbound<std::string>(), "a");
  EXPECT_EQ(*ch.readInbound<std::string>(), "b");
  EXPECT_EQ(*ch.readInbound<std::string>(), "c");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageToMessageDecoderTest, OtherTypesPassOnAndInputIsReleased) {
  EmbeddedChannel ch(std::make_unique<CharDecoder>());
  ByteBuf in = Unpooled::copiedBuffer("x");
  ByteBuf observer = in.duplicate();
  ch.writeInbound(std::move(in), 7);
  EXPECT_EQ(observer.refCnt(), 1U);  // the decoder released its input
  EXPECT_EQ(*ch.readInbound<std::string>(), "x");
  EXPECT_EQ(*ch.readInbound<int>(), 7);
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
