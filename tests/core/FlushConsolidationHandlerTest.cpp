#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/FlushConsolidationHandler.h>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class FlushConsolidationHandlerTest : public testing::SluiceTest {};

// Counts the flushes that reach the head.
struct FlushCounter : ChannelOutboundHandler {
  int* flushes;
  explicit FlushCounter(int* f) : flushes(f) {}
  void flush(ChannelHandlerContext& ctx) override {
    ++*flushes;
    ctx.flush();
  }
};

// Answers each read with a write and a flush.
struct Echo : ChannelInboundHandler {
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    ctx.writeAndFlush(std::move(msg));
  }
};

TEST_F(FlushConsolidationHandlerTest, FlushesOncePerReadBurst) {
  int flushes = 0;
  EmbeddedChannel ch(std::make_unique<FlushCounter>(&flushes),
                     std::make_unique<FlushConsolidationHandler>(), std::make_unique<Echo>());
  ch.writeInbound(Unpooled::copiedBuffer("a"), Unpooled::copiedBuffer("b"),
                  Unpooled::copiedBuffer("c"));
  EXPECT_EQ(flushes, 1);
  EXPECT_EQ(ch.outboundMessages().size(), 3U);
  ch.finishAndReleaseAll();
}

TEST_F(FlushConsolidationHandlerTest, LetsAFlushThroughAfterTheConfiguredNumber) {
  int flushes = 0;
  EmbeddedChannel ch(std::make_unique<FlushCounter>(&flushes),
                     std::make_unique<FlushConsolidationHandler>(
                         FlushConsolidationHandlerConfig{.explicitFlushAfterFlushes = 2}),
                     std::make_unique<Echo>());
  for (int i = 0; i < 5; ++i) {
    ch.pipeline().fireChannelRead(Unpooled::copiedBuffer("x"));
  }
  EXPECT_EQ(flushes, 2);
  ch.pipeline().fireChannelReadComplete();
  EXPECT_EQ(flushes, 3);
  ch.finishAndReleaseAll();
}

TEST_F(FlushConsolidationHandlerTest, FlushOutsideAReadPassesAtOnceUnlessConsolidating) {
  int flushes = 0;
  EmbeddedChannel ch(std::make_unique<FlushCounter>(&flushes),
                     std::make_unique<FlushConsolidationHandler>());
  ch.writeAndFlush(Unpooled::copiedBuffer("x"));
  EXPECT_EQ(flushes, 1);

  int consolidated = 0;
  EmbeddedChannel ch2(std::make_unique<FlushCounter>(&consolidated),
                      std::make_unique<FlushConsolidationHandler>(FlushConsolidationHandlerConfig{
                          .consolidateWhenNoReadInProgress = true}));
  ch2.write(Unpooled::copiedBuffer("a"));
  ch2.flush();
  ch2.write(Unpooled::copiedBuffer("b"));
  ch2.flush();
  EXPECT_EQ(consolidated, 0);
  ch2.runPendingTasks();  // the posted flush task
  EXPECT_EQ(consolidated, 1);
  EXPECT_EQ(ch2.outboundMessages().size(), 2U);
  ch.finishAndReleaseAll();
  ch2.finishAndReleaseAll();
}

TEST_F(FlushConsolidationHandlerTest, CloseFlushesWhatWasHeldBack) {
  int flushes = 0;
  struct WriteOnly : ChannelInboundHandler {
    void channelRead(ChannelHandlerContext& ctx, Message msg) override {
      ctx.writeAndFlush(std::move(msg));
      ctx.close();
    }
  };
  EmbeddedChannel ch(std::make_unique<FlushCounter>(&flushes),
                     std::make_unique<FlushConsolidationHandler>(), std::make_unique<WriteOnly>());
  ch.pipeline().fireChannelRead(Unpooled::copiedBuffer("bye"));
  EXPECT_EQ(flushes, 1);
  EXPECT_EQ(ch.outboundMessages().size(), 1U);
  ch.releaseOutbound();
}

}  // namespace
}  // namespace sluice
