#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/codec/MessageToMessageCodec.h>

#include <string>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class MessageToMessageCodecTest : public testing::SluiceTest {};

// ByteBuf <-> std::string.
class StringCodec : public MessageToMessageCodec<ByteBuf, std::string> {
 protected:
  void decode(ChannelHandlerContext&, ByteBuf& msg, Out& out) override {
    out.emplace_back(msg.toString());
  }
  void encode(ChannelHandlerContext&, std::string& msg, Out& out) override {
    out.emplace_back(Unpooled::copiedBuffer(msg));
  }
};

TEST_F(MessageToMessageCodecTest, DecodesInboundAndEncodesOutbound) {
  EmbeddedChannel ch(std::make_unique<StringCodec>());
  ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("in")));
  EXPECT_EQ(*ch.readInbound<std::string>(), "in");
  ASSERT_TRUE(ch.writeOutbound(std::string("out")));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "out");
  ch.writeOutbound(EncodedMessage(Unpooled::copiedBuffer("raw")));
  EXPECT_TRUE(ch.readOutbound().isExactly<EncodedMessage>());
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
