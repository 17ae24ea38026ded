#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>

#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

struct Frame {
  std::string text;
};
struct TextFrame : Frame {
  using MessageSupertypes = sluice::MessageSupertypes<TextFrame, Frame>;
};
struct PingFrame : Frame {
  using MessageSupertypes = sluice::MessageSupertypes<PingFrame, Frame>;
};

// Collects every Frame, whatever its subtype.
class FrameCollector : public SimpleChannelInboundHandler<Frame> {
 public:
  std::vector<std::string> seen;

 protected:
  void channelRead0(ChannelHandlerContext&, Frame& frame) override { seen.push_back(frame.text); }
};

class SimpleChannelInboundHandlerTest : public testing::SluiceTest {};

TEST_F(SimpleChannelInboundHandlerTest, ReceivesEverySubtypeAndPassesOtherTypesOn) {
  EmbeddedChannel ch(std::make_unique<FrameCollector>());
  ch.writeInbound(TextFrame{{"hello"}}, Unpooled::copiedBuffer("raw"), PingFrame{{"ping"}});
  EXPECT_EQ(ch.pipeline().get<FrameCollector>()->seen, (std::vector<std::string>{"hello", "ping"}));
  ASSERT_EQ(ch.inboundMessages().size(), 1U);  // only the ByteBuf went past
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw");
}

TEST_F(SimpleChannelInboundHandlerTest, AcceptInboundMessageNarrowsFurther) {
  class TextOnly : public SimpleChannelInboundHandler<Frame> {
   public:
    int handled = 0;

   protected:
    bool acceptInboundMessage(const Frame& f) override { return f.text != "skip"; }
    void channelRead0(ChannelHandlerContext&, Frame&) override { ++handled; }
  };
  EmbeddedChannel ch(std::make_unique<TextOnly>());
  ch.writeInbound(TextFrame{{"take"}}, TextFrame{{"skip"}});
  EXPECT_EQ(ch.pipeline().get<TextOnly>()->handled, 1);
  EXPECT_EQ(ch.readInbound<TextFrame>()->text, "skip");
}

TEST_F(SimpleChannelInboundHandlerTest, ReleasesTheMessageAfterHandlingIt) {
  class Buffers : public SimpleChannelInboundHandler<ByteBuf> {
   protected:
    void channelRead0(ChannelHandlerContext&, ByteBuf&) override {}
  };
  EmbeddedChannel ch(std::make_unique<Buffers>());
  ByteBuf buf = Unpooled::copiedBuffer("x");
  ByteBuf observer = buf.duplicate();
  ch.writeInbound(std::move(buf));
  EXPECT_EQ(observer.refCnt(), 1U);
  EXPECT_TRUE(ch.inboundMessages().empty());
}

TEST_F(SimpleChannelInboundHandlerTest, MayKeepWhatTheMessageCarriesByMovingItOut) {
  class Keeper : public SimpleChannelInboundHandler<ByteBuf> {
   public:
    ByteBuf kept;

   protected:
    void channelRead0(ChannelHandlerContext&, ByteBuf& buf) override { kept = std::move(buf); }
  };
  EmbeddedChannel ch(std::make_unique<Keeper>());
  ch.writeInbound(Unpooled::copiedBuffer("keep"));
  EXPECT_EQ(ch.pipeline().get<Keeper>()->kept.toStringView(), "keep");
}

}  // namespace
}  // namespace sluice
