#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/concurrent/DefaultEventExecutorGroup.h>
#include <sluice/concurrent/DefaultEventLoop.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"
#include "support/TestChannel.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

// Appends "<tag>:<event>" to a shared log and passes every event on.
class Recorder : public ChannelDuplexHandler {
 public:
  Recorder(std::vector<std::string>& log, std::string tag) : log_(log), tag_(std::move(tag)) {}

  void handlerAdded(ChannelHandlerContext&) override { log_.push_back(tag_ + ":added"); }
  void handlerRemoved(ChannelHandlerContext&) override { log_.push_back(tag_ + ":removed"); }
  void channelActive(ChannelHandlerContext& ctx) override {
    log_.push_back(tag_ + ":active");
    ctx.fireChannelActive();
  }
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    log_.push_back(tag_ + ":read");
    ctx.fireChannelRead(std::move(msg));
  }
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override {
    log_.push_back(tag_ + ":exception:" + error.message());
    ctx.fireExceptionCaught(error);
  }
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    log_.push_back(tag_ + ":write");
    ctx.write(std::move(msg), std::move(promise));
  }

 private:
  std::vector<std::string>& log_;
  std::string tag_;
};

class PassThrough : public ChannelInboundHandler {};

class ChannelPipelineTest : public testing::SluiceTest {
 protected:
  std::vector<std::string> log_;
};

TEST_F(ChannelPipelineTest, AddsInOrderAndGeneratesNames) {
  EmbeddedChannel ch;
  auto& p = ch.pipeline();
  p.addLast<Recorder>(log_, "a");
  p.addLast("b", std::make_unique<Recorder>(log_, "b"));
  p.addFirst<PassThrough>();
  p.addLast(std::make_unique<PassThrough>());
  EXPECT_EQ(p.names(),
            (std::vector<std::string>{"PassThrough#0", "Recorder#0", "b", "PassThrough#1"}));
  EXPECT_EQ(log_, (std::vector<std::string>{"a:added", "b:added"}));
}

TEST_F(ChannelPipelineTest, RejectsDuplicateNamesAndUnsharableReuse) {
  EmbeddedChannel ch;
  ch.pipeline().addLast("x", std::make_unique<PassThrough>());
  EXPECT_THROW(ch.pipeline().addLast("x", std::make_unique<PassThrough>()), std::invalid_argument);
  auto shared = std::make_shared<PassThrough>();  // not sharable
  ch.pipeline().addLast(shared);
  EmbeddedChannel other;
  EXPECT_THROW(other.pipeline().addLast(shared), std::invalid_argument);
  ch.pipeline().remove(*shared);
  EXPECT_NO_THROW(other.pipeline().addLast(shared));  // free again once removed
}

TEST_F(ChannelPipelineTest, SharableHandlerJoinsManyPipelines) {
  struct Sharable : ChannelInboundHandler {
    bool isSharable() const noexcept override { return true; }
  };
  auto shared = std::make_shared<Sharable>();
  EmbeddedChannel a(shared);
  EmbeddedChannel b(shared);
  EXPECT_EQ(a.pipeline().first(), shared.get());
  EXPECT_EQ(b.pipeline().first(), shared.get());
}

TEST_F(ChannelPipelineTest, AddsRelativeToOthersAndLooksUpByNameTypeAndInstance) {
  EmbeddedChannel ch;
  auto& p = ch.pipeline();
  p.addLast("a", std::make_unique<Recorder>(log_, "a"));
  p.addLast("c", std::make_unique<Recorder>(log_, "c"));
  p.addBefore("c", "b", std::make_unique<Recorder>(log_, "b"));
  p.addAfter("c", "d", std::make_unique<PassThrough>());
  EXPECT_EQ(p.names(), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_THROW(p.addBefore("nope", "e", std::make_unique<PassThrough>()), std::invalid_argument);

  EXPECT_EQ(p.get<PassThrough>(), p.get("d"));
  EXPECT_EQ(p.context<PassThrough>()->name(), "d");
  EXPECT_EQ(p.context(*p.get("b"))->name(), "b");
  EXPECT_EQ(p.get("zzz"), nullptr);
  EXPECT_EQ(p.firstContext()->name(), "a");
  EXPECT_EQ(p.lastContext()->name(), "d");
}

TEST_F(ChannelPipelineTest, RemovesAndReplaces) {
  EmbeddedChannel ch;
  auto& p = ch.pipeline();
  p.addLast("a", std::make_unique<Recorder>(log_, "a"));
  p.addLast("b", std::make_unique<Recorder>(log_, "b"));
  p.addLast("c", std::make_unique<PassThrough>());
  log_.clear();
  p.replace("b", "b2", std::make_unique<Recorder>(log_, "b2"));
  EXPECT_EQ(p.names(), (std::vector<std::string>{"a", "b2", "c"}));
  EXPECT_EQ(log_, (std::vector<std::string>{"b2:added", "b:removed"}));
  p.remove<PassThrough>();
  p.remove("a");
  EXPECT_EQ(p.names(), (std::vector<std::string>{"b2"}));
  EXPECT_THROW(p.remove("a"), std::invalid_argument);
  EXPECT_THROW(p.remove<PassThrough>(), std::invalid_argument);
  EXPECT_TRUE(p.removeLast());
  EXPECT_FALSE(p.removeFirst());
  EXPECT_TRUE(p.empty());
}

TEST_F(ChannelPipelineTest, InboundGoesHeadToTailAndOutboundTailToHead) {
  EmbeddedChannel ch(std::make_unique<Recorder>(log_, "1"), std::make_unique<Recorder>(log_, "2"),
                     std::make_unique<Recorder>(log_, "3"));
  log_.clear();
  ch.writeInbound(Unpooled::copiedBuffer("in"));
  ch.writeOutbound(Unpooled::copiedBuffer("out"));
  EXPECT_EQ(log_, (std::vector<std::string>{"1:read", "2:read", "3:read", "3:write", "2:write",
                                            "1:write"}));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "in");
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toStringView(), "out");
}

TEST_F(ChannelPipelineTest, ContextWriteStartsBeforeTheCallingHandler) {
  // A handler that answers a read by writing from its own context: only the outbound
  // handlers before it (toward the head) see the write.
  struct Echo : ChannelInboundHandler {
    void channelRead(ChannelHandlerContext& ctx, Message msg) override {
      ctx.writeAndFlush(std::move(msg));
    }
  };
  EmbeddedChannel ch(std::make_unique<Recorder>(log_, "before"), std::make_unique<Echo>(),
                     std::make_unique<Recorder>(log_, "after"));
  log_.clear();
  ch.writeInbound(Unpooled::copiedBuffer("ping"));
  EXPECT_EQ(log_, (std::vector<std::string>{"before:read", "before:write"}));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toStringView(), "ping");
}

// The WebSocket upgrade in miniature: a handler that, on its first message, puts another
// handler after itself, removes itself, and passes the message on — all inside channelRead.
TEST_F(ChannelPipelineTest, HandlerMayReplaceItselfWhileHandlingAMessage) {
  struct Upgrader : ChannelInboundHandler {
    explicit Upgrader(std::vector<std::string>& log) : log_(log) {}
    void channelRead(ChannelHandlerContext& ctx, Message msg) override {
      ctx.pipeline().addAfter(ctx.name(), "upgraded", std::make_unique<Recorder>(log_, "up"));
      ctx.pipeline().remove(*this);
      EXPECT_TRUE(ctx.isRemoved());
      seen_ = true;  // the handler is still alive: it is destroyed with the channel
      ctx.fireChannelRead(std::move(msg));
    }
    std::vector<std::string>& log_;
    bool seen_ = false;
  };
  EmbeddedChannel ch(std::make_unique<Upgrader>(log_));
  ch.writeInbound(Unpooled::copiedBuffer("first"), Unpooled::copiedBuffer("second"));
  EXPECT_EQ(ch.pipeline().names(), (std::vector<std::string>{"upgraded"}));
  EXPECT_EQ(log_, (std::vector<std::string>{"up:added", "up:read", "up:read"}));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "first");
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "second");
}

TEST_F(ChannelPipelineTest, HandlerAddedLaterSeesOnlyLaterEvents) {
  EmbeddedChannel ch;
  ch.writeInbound(Unpooled::copiedBuffer("early"));
  ch.pipeline().addFirst("late", std::make_unique<Recorder>(log_, "late"));
  ch.writeInbound(Unpooled::copiedBuffer("later"));
  EXPECT_EQ(log_, (std::vector<std::string>{"late:added", "late:read"}));
  ch.releaseInbound();
}

TEST_F(ChannelPipelineTest, ExceptionFromAHandlerGoesToTheHandlersAfterIt) {
  struct Thrower : ChannelInboundHandler {
    void channelRead(ChannelHandlerContext&, Message) override {
      throw std::runtime_error("bad input");
    }
    void exceptionCaught(ChannelHandlerContext&, const Error&) override {
      ADD_FAILURE() << "the thrower's own exceptionCaught must not be called";
    }
  };
  struct Catcher : ChannelInboundHandler {
    void exceptionCaught(ChannelHandlerContext&, const Error& error) override { caught = error; }
    Error caught;
  };
  EmbeddedChannel ch(std::make_unique<Recorder>(log_, "before"), std::make_unique<Thrower>(),
                     std::make_unique<Recorder>(log_, "after"), std::make_unique<Catcher>());
  log_.clear();
  ch.writeInbound(Unpooled::copiedBuffer("x"));
  EXPECT_EQ(log_, (std::vector<std::string>{"before:read", "after:exception:bad input"}));
  const Error& caught = ch.pipeline().get<Catcher>()->caught;
  EXPECT_EQ(caught, CoreErrc::HandlerException);
  ASSERT_TRUE(caught.exception());
  EXPECT_THROW(std::rethrow_exception(caught.exception()), std::runtime_error);
  EXPECT_NO_THROW(ch.checkException());  // handled, so nothing reached the tail
}

TEST_F(ChannelPipelineTest, UnhandledExceptionReachesTheTail) {
  struct Thrower : ChannelInboundHandler {
    void channelRead(ChannelHandlerContext&, Message) override { throw std::runtime_error("x"); }
  };
  EmbeddedChannel ch(std::make_unique<Thrower>());
  EXPECT_THROW(ch.writeInbound(Unpooled::copiedBuffer("x")), ErrorException);
  EXPECT_NO_THROW(ch.checkException());  // reported once
}

TEST_F(ChannelPipelineTest, ThrowingOutboundHandlerFailsTheWritesPromise) {
  struct BadEncoder : ChannelOutboundHandler {
    void write(ChannelHandlerContext&, Message, ChannelPromise) override {
      throw std::runtime_error("cannot encode");
    }
  };
  EmbeddedChannel ch(std::make_unique<BadEncoder>());
  ChannelFuture f = ch.writeAndFlush(Unpooled::copiedBuffer("x"));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause(), CoreErrc::HandlerException);
  EXPECT_EQ(f.cause().message(), "cannot encode");
  EXPECT_TRUE(ch.outboundMessages().empty());
}

TEST_F(ChannelPipelineTest, MessagesNobodyHandlesAreReleasedAtTheTail) {
  // A channel whose tail drops messages (TestChannel's does, as transports' do).
  DefaultEventLoop loop;
  auto ch = std::make_shared<testing::TestChannel>(loop);
  ch->start();
  ByteBuf buf = Unpooled::copiedBuffer("dropped");
  ByteBuf observer = buf.duplicate();
  loop.submit([&] { ch->pipeline().fireChannelRead(std::move(buf)); }).sync();
  EXPECT_EQ(observer.refCnt(), 1U);
  ch->close().sync();
  loop.shutdownGracefully(0ms, 1s).sync();
}

TEST_F(ChannelPipelineTest, ExecutionMaskRecordsOverriddenEventsOnly) {
  using namespace detail;
  EXPECT_EQ(executionMaskOf<PassThrough>(), 0U);
  EXPECT_EQ(executionMaskOf<Recorder>(),
            kMaskChannelActive | kMaskChannelRead | kMaskExceptionCaught | kMaskWrite);
  struct Derived : Recorder {
    using Recorder::Recorder;
    void flush(ChannelHandlerContext& ctx) override { ctx.flush(); }
  };
  EXPECT_EQ(executionMaskOf<Derived>(), executionMaskOf<Recorder>() | kMaskFlush);
}

TEST_F(ChannelPipelineTest, HandlerPassedAsABasePointerHandlesEverything) {
  // Added through a pointer to its base, the handler's own type cannot be read statically:
  // it must still receive what it overrides.
  std::unique_ptr<ChannelHandler> asBase = std::make_unique<Recorder>(log_, "r");
  EmbeddedChannel ch(std::move(asBase));
  log_.clear();
  ch.writeInbound(Unpooled::copiedBuffer("x"));
  EXPECT_EQ(log_, (std::vector<std::string>{"r:read"}));
  ch.releaseInbound();
}

TEST_F(ChannelPipelineTest, InboundOnlyHandlerPassedAsABasePointerIsSkippedForOutbound) {
  // Regression: the "everything" mask must not send outbound operations to a handler that
  // has no outbound side.
  std::shared_ptr<ChannelHandler> asBase = std::make_shared<PassThrough>();
  EmbeddedChannel ch(asBase);
  EXPECT_TRUE(ch.writeOutbound(Unpooled::copiedBuffer("out")));
  EXPECT_TRUE(ch.connect(*SocketAddress::parse("127.0.0.1", 1)).isDone());
  ch.releaseOutbound();
}

TEST_F(ChannelPipelineTest, HandlerOnAnExecutorGroupRunsThereAndItsWritesReachTheLoopInOrder) {
  // Stands in for a handler that blocks (a database call): it runs on the group's thread;
  // each read answers with a write, which hops back to the channel's loop in order.
  struct Blocking : ChannelInboundHandler {
    void channelRead(ChannelHandlerContext& ctx, Message msg) override {
      threads.push_back(std::this_thread::get_id());
      ctx.writeAndFlush(std::move(msg));
    }
    std::vector<std::thread::id> threads;
  };
  DefaultEventLoop loop;
  DefaultEventExecutorGroup group(2);
  auto ch = std::make_shared<testing::TestChannel>(loop);
  auto owned = std::make_unique<Blocking>();
  Blocking& blocking = *owned;
  ch->pipeline().addLast(group, "blocking", std::move(owned));
  ch->start();

  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) {
    ch->pipeline().fireChannelRead(Unpooled::copiedBuffer(std::to_string(i)));
  }
  // Drain each hop in turn: the loop hands the reads to the group, the group's executor
  // handles them and posts the writes, the loop writes them.
  loop.submit([] {}).sync();
  ch->pipeline().context("blocking")->executor().submit([] {}).sync();
  loop.submit([] {}).sync();
  const auto written = ch->written();
  ASSERT_EQ(written.size(), static_cast<std::size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(written[static_cast<std::size_t>(i)], std::to_string(i));
  }
  const std::thread::id loopThread = loop.submit([] { return std::this_thread::get_id(); }).get();
  for (const auto& t : ch->writerThreads()) {
    ASSERT_EQ(t, loopThread);
  }
  ASSERT_EQ(blocking.threads.size(), static_cast<std::size_t>(kMessages));
  EXPECT_NE(blocking.threads.front(), loopThread);
  ch->close().sync();
  loop.shutdownGracefully(0ms, 1s).sync();
  group.shutdownGracefully(0ms, 1s).sync();
}

TEST_F(ChannelPipelineTest, ModificationFromAnotherThreadIsQueuedToTheLoop) {
  DefaultEventLoop loop;
  auto ch = std::make_shared<testing::TestChannel>(loop);
  ch->start();
  std::vector<std::string> log;                                       // touched only on the loop
  ch->pipeline().addLast("r", std::make_unique<Recorder>(log, "r"));  // from this thread
  const bool inLoop =
      loop.submit([&] { return ch->pipeline().get("r") != nullptr && log.size() == 1; }).get();
  EXPECT_TRUE(inLoop);
  ch->close().sync();
  loop.shutdownGracefully(0ms, 1s).sync();
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

class ChannelPipelineBasePointerTest : public testing::SluiceTest {};

TEST_F(ChannelPipelineBasePointerTest,
       InboundHandlerAddedAsABasePointerIsSkippedForOutboundEvents) {
  struct Counter : ChannelInboundHandler {
    int* reads;
    explicit Counter(int* r) : reads(r) {}
    void channelRead(ChannelHandlerContext& ctx, Message msg) override {
      ++*reads;
      ctx.fireChannelRead(std::move(msg));
    }
  };
  int reads = 0;
  std::unique_ptr<ChannelHandler> handler = std::make_unique<Counter>(&reads);
  EmbeddedChannel ch(std::move(handler));  // registering reads, an outbound operation
  ch.read();
  ch.writeOutbound(std::string("out"));
  EXPECT_EQ(*ch.readOutbound<std::string>(), "out");
  ch.writeInbound(std::string("in"));
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(*ch.readInbound<std::string>(), "in");
  EXPECT_FALSE(ch.finishAndReleaseAll());
}

}  // namespace
}  // namespace sluice
