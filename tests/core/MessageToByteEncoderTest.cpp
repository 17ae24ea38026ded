#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/codec/MessageToByteEncoder.h>

#include <stdexcept>
#include <string>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class MessageToByteEncoderTest : public testing::SluiceTest {};

// Encodes a string as "<length>:<text>".
class StringEncoder : public MessageToByteEncoder<std::string> {
 protected:
  void encode(ChannelHandlerContext&, std::string& msg, ByteBuf& out) override {
    if (msg == "boom") {
      throw std::runtime_error("cannot encode boom");
    }
    out.writeBytes(std::to_string(msg.size()) + ":" + msg);
  }
};

TEST_F(MessageToByteEncoderTest, EncodesMessagesOfItsType) {
  EmbeddedChannel ch(std::make_unique<StringEncoder>());
  ASSERT_TRUE(ch.writeOutbound(std::string("hello")));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "5:hello");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageToByteEncoderTest, OtherMessagesPassThrough) {
  EmbeddedChannel ch(std::make_unique<StringEncoder>());
  ASSERT_TRUE(ch.writeOutbound(42));
  EXPECT_EQ(*ch.readOutbound<int>(), 42);
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageToByteEncoderTest, EncodedMessagePassesThroughUntouchedEvenForAByteBufEncoder) {
  struct Doubler : MessageToByteEncoder<ByteBuf> {
    void encode(ChannelHandlerContext&, ByteBuf& in, ByteBuf& out) override {
      out.writeBytes(in.toString() + in.toString());
    }
  };
  EmbeddedChannel ch(std::make_unique<Doubler>());
  ByteBuf shared = Unpooled::copiedBuffer("pre-encoded");
  ASSERT_TRUE(ch.writeOutbound(EncodedMessage(shared.duplicate())));
  Message out = ch.readOutbound();
  ASSERT_TRUE(out.isExactly<EncodedMessage>());
  EXPECT_TRUE(out.is<ByteBuf>());
  EXPECT_EQ(out.get<ByteBuf>().toString(), "pre-encoded");
  EXPECT_EQ(out.get<ByteBuf>().readableSpan().data(), shared.readableSpan().data());  // shared
  ASSERT_TRUE(ch.writeOutbound(Unpooled::copiedBuffer("ab")));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "abab");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageToByteEncoderTest, ThrowingEncoderFailsTheWriteWithAnEncoderException) {
  EmbeddedChannel ch(std::make_unique<StringEncoder>());
  ChannelFuture f = ch.writeAndFlush(std::string("boom"));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  EXPECT_EQ(f.cause().message(), "cannot encode boom");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
