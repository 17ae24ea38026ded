#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class EmbeddedChannelTest : public testing::SluiceTest {};

TEST_F(EmbeddedChannelTest, IsRegisteredAndActiveOnceBuilt) {
  EmbeddedChannel ch;
  EXPECT_TRUE(ch.isRegistered());
  EXPECT_TRUE(ch.isOpen());
  EXPECT_TRUE(ch.isActive());
  EXPECT_TRUE(ch.isWritable());
  EXPECT_TRUE(ch.eventLoop().inEventLoop());
}

TEST_F(EmbeddedChannelTest, InboundAndOutboundQueues) {
  EmbeddedChannel ch;
  EXPECT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("a"), std::string("b")));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "a");
  EXPECT_THROW(ch.readInbound<ByteBuf>(), std::bad_cast);   // the next one is a string
  EXPECT_FALSE(ch.readInbound<std::string>().has_value());  // consumed by the failed take
  EXPECT_FALSE(ch.readInbound().hasValue());

  EXPECT_TRUE(ch.writeOutbound(Unpooled::copiedBuffer("out")));
  Message out = ch.readOutbound();
  EXPECT_EQ(out.get<ByteBuf>().toStringView(), "out");
  EXPECT_FALSE(ch.finish());
}

TEST_F(EmbeddedChannelTest, FinishReportsLeftoversAndReleasesThem) {
  EmbeddedChannel ch;
  ch.writeInbound(Unpooled::copiedBuffer("left over"));
  ByteBuf observer = ch.inboundMessages().front().get<ByteBuf>().duplicate();
  EXPECT_TRUE(ch.finishAndReleaseAll());
  EXPECT_EQ(observer.refCnt(), 1U);
  EXPECT_FALSE(ch.isOpen());
}

TEST_F(EmbeddedChannelTest, CloseFiresInactiveRemovesHandlersAndCompletesCloseFuture) {
  struct Watcher : ChannelInboundHandler {
    std::vector<std::string>* log;
    explicit Watcher(std::vector<std::string>* l) : log(l) {}
    void channelInactive(ChannelHandlerContext& ctx) override {
      log->push_back("inactive");
      ctx.fireChannelInactive();
    }
    void channelUnregistered(ChannelHandlerContext& ctx) override {
      log->push_back("unregistered");
      ctx.fireChannelUnregistered();
    }
    void handlerRemoved(ChannelHandlerContext&) override { log->push_back("removed"); }
  };
  std::vector<std::string> log;
  EmbeddedChannel ch(std::make_unique<Watcher>(&log));
  ChannelFuture closed = ch.closeFuture();
  EXPECT_FALSE(closed.isDone());
  ChannelFuture f = ch.close();
  EXPECT_TRUE(f.isSuccess());
  EXPECT_TRUE(closed.isSuccess());
  EXPECT_EQ(log, (std::vector<std::string>{"inactive", "unregistered", "removed"}));
  EXPECT_TRUE(ch.close().isSuccess());  // closing twice is fine
}

TEST_F(EmbeddedChannelTest, PendingWritesFailWhenTheChannelCloses) {
  EmbeddedChannel ch;
  ChannelFuture unflushed = ch.write(Unpooled::copiedBuffer("never sent"));
  EXPECT_FALSE(unflushed.isDone());
  ch.close();
  ASSERT_TRUE(unflushed.isDone());
  EXPECT_EQ(unflushed.cause(), CoreErrc::ClosedChannel);
  ChannelFuture late = ch.writeAndFlush(Unpooled::copiedBuffer("too late"));
  EXPECT_EQ(late.cause(), CoreErrc::ClosedChannel);
  EXPECT_TRUE(ch.outboundMessages().empty());
}

TEST_F(EmbeddedChannelTest, VoidPromiseFailureGoesToExceptionCaught) {
  EmbeddedChannel ch;
  ch.close();
  ch.writeAndFlush(Unpooled::copiedBuffer("x"), ch.voidPromise());
  EXPECT_THROW(ch.checkException(), ErrorException);
  EXPECT_THROW(ch.voidPromise().addListener([](const ChannelFuture&) {}), std::logic_error);
}

TEST_F(EmbeddedChannelTest, CloseListenerClosesTheChannelAfterTheWrite) {
  EmbeddedChannel ch;
  ch.writeAndFlush(Unpooled::copiedBuffer("bye")).addListener(ChannelFutureListener::kClose);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toStringView(), "bye");
}

TEST_F(EmbeddedChannelTest, TimersRunOnTheVirtualClock) {
  // A handler that closes the channel 30 s after it becomes active, as a timeout would.
  struct Deadline : ChannelInboundHandler {
    void channelActive(ChannelHandlerContext& ctx) override {
      ctx.executor().schedule([&ctx] { ctx.close(); }, 30s);
      ctx.fireChannelActive();
    }
  };
  EmbeddedChannel ch(std::make_unique<Deadline>());
  ch.advanceTimeBy(29s);
  ch.runPendingTasks();
  EXPECT_TRUE(ch.isOpen());
  ch.advanceTimeBy(1s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
}

TEST_F(EmbeddedChannelTest, RunScheduledPendingTasksReportsTheNextDelay) {
  EmbeddedChannel ch;
  int ran = 0;
  ch.eventLoop().schedule([&] { ++ran; }, 10ms);
  ch.eventLoop().schedule([&] { ++ran; }, 25ms);
  EXPECT_EQ(ch.runScheduledPendingTasks(), 10ms);
  ch.advanceTimeBy(10ms);
  EXPECT_EQ(ch.runScheduledPendingTasks(), 15ms);
  EXPECT_EQ(ran, 1);
}

TEST_F(EmbeddedChannelTest, CheckExceptionRethrowsWhatReachedTheTailOnce) {
  EmbeddedChannel ch;
  ch.pipeline().fireExceptionCaught(Error(CoreErrc::Timeout, "late"));
  try {
    ch.checkException();
    FAIL() << "no exception";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error(), CoreErrc::Timeout);
    EXPECT_EQ(e.error().message(), "late");
    EXPECT_STREQ(e.what(), "late: timed out");
  }
  EXPECT_NO_THROW(ch.checkException());
}

TEST_F(EmbeddedChannelTest, SharedOwnershipGivesAChannelPtr) {
  auto ch = std::make_shared<EmbeddedChannel>();
  ChannelPtr p = ch->shared();
  EXPECT_EQ(p.get(), ch.get());
  EmbeddedChannel onStack;
  EXPECT_THROW(onStack.shared(), std::bad_weak_ptr);
}

TEST_F(EmbeddedChannelTest, HeldOutboundCountsAgainstTheWaterMarksUntilDrained) {
  struct Writability : ChannelDuplexHandler {
    std::vector<bool>* seen;
    explicit Writability(std::vector<bool>* s) : seen(s) {}
    void channelWritabilityChanged(ChannelHandlerContext& ctx) override {
      seen->push_back(ctx.channel().isWritable());
    }
  };
  std::vector<bool> seen;
  EmbeddedChannel ch(std::make_unique<Writability>(&seen));
  ch.config().setWriteBufferWaterMark({.low = 4, .high = 8});
  ch.setOutboundHeld(true);
  ChannelFuture first = ch.writeAndFlush(Unpooled::copiedBuffer("12345"));
  ChannelFuture second = ch.writeAndFlush(Unpooled::copiedBuffer("6789"));
  ch.runPendingTasks();
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_EQ(ch.pendingOutboundBytes(), 9U);
  EXPECT_FALSE(ch.isWritable());
  EXPECT_EQ(seen, std::vector<bool>{false});
  EXPECT_FALSE(first.isDone());
  EXPECT_EQ(ch.drainOutbound(), 2U);
  EXPECT_TRUE(first.isSuccess() && second.isSuccess());
  EXPECT_TRUE(ch.isWritable());
  EXPECT_EQ(seen, (std::vector<bool>{false, true}));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "12345");
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "6789");
  EXPECT_FALSE(ch.finish());
}

TEST_F(EmbeddedChannelTest, EachChannelHasItsOwnId) {
  EmbeddedChannel a;
  EmbeddedChannel b;
  EXPECT_NE(a.id(), b.id());
  EXPECT_EQ(a.id().asShortText().size(), 8U);
  EXPECT_EQ(a.id().asLongText().size(), 16U);
  EXPECT_EQ(a.toString(), "[id: " + a.id().asShortText() + "]");
}

}  // namespace
}  // namespace sluice
