#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/codec/MessageToMessageEncoder.h>

#include <string>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class MessageToMessageEncoderTest : public testing::SluiceTest {};

// Splits a string into one ByteBuf per word; "" produces nothing.
class WordEncoder : public MessageToMessageEncoder<std::string> {
 protected:
  void encode(ChannelHandlerContext&, std::string& msg, Out& out) override {
    std::size_t start = 0;
    while (start < msg.size()) {
      std::size_t end = msg.find(' ', start);
      end = end == std::string::npos ? msg.size() : end;
      out.emplace_back(Unpooled::copiedBuffer(msg.substr(start, end - start)));
      start = end + 1;
    }
  }
};

TEST_F(MessageToMessageEncoderTest, EncodesOneMessageIntoSeveralAndCombinesTheirPromises) {
  EmbeddedChannel ch(std::make_unique<WordEncoder>());
  ChannelFuture f = ch.writeAndFlush(std::string("a bb ccc"));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "a");
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "bb");
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "ccc");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageToMessageEncoderTest, PromiseFailsWhenAPartFails) {
  EmbeddedChannel ch(std::make_unique<WordEncoder>());
  ChannelFuture f = ch.write(std::string("x y"));
  EXPECT_FALSE(f.isDone());
  ch.close();  // the unflushed parts fail
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause(), CoreErrc::ClosedChannel);
}

TEST_F(MessageToMessageEncoderTest, NothingToWriteSucceeds) {
  EmbeddedChannel ch(std::make_unique<WordEncoder>());
  EXPECT_TRUE(ch.writeAndFlush(std::string()).isSuccess());
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageToMessageEncoderTest, EncodedMessagePassesThroughUntouched) {
  struct Rewriter : MessageToMessageEncoder<ByteBuf> {
    void encode(ChannelHandlerContext&, ByteBuf&, Out& out) override {
      out.emplace_back(Unpooled::copiedBuffer("rewritten"));
    }
  };
  EmbeddedChannel ch(std::make_unique<Rewriter>());
  ch.writeOutbound(EncodedMessage(Unpooled::copiedBuffer("as is")));
  EXPECT_EQ(ch.readOutbound().get<ByteBuf>().toString(), "as is");
  ch.writeOutbound(Unpooled::copiedBuffer("plain"));
  EXPECT_EQ(ch.readOutbound().get<ByteBuf>().toString(), "rewritten");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
