// The code shown in docs/core.md. Each region between "// [docs:NAME]" and "// [docs:end]"
// appears verbatim in the page (checked by the docs.snippets test), and compiles and runs
// here, so the documentation cannot drift from the API.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/concurrent/DefaultEventExecutorGroup.h>

#include <chrono>
#include <string>

#include "support/SluiceTest.h"

namespace docs {

// [docs:upper-handler]
// Answers every buffer with the same bytes in upper case.
class UpperCaseHandler : public sluice::SimpleChannelInboundHandler<sluice::ByteBuf> {
 protected:
  void channelRead0(sluice::ChannelHandlerContext& ctx, sluice::ByteBuf& in) override {
    sluice::ByteBuf out = ctx.alloc().buffer(in.readableBytes());
    for (std::uint8_t b : in.readableSpan()) {
      out.writeByte(static_cast<std::uint8_t>(std::toupper(b)));
    }
    ctx.writeAndFlush(std::move(out));
  }  // `in` is released here
};
// [docs:end]

// [docs:initializer]
class UpperCaseInitializer : public sluice::ChannelInitializer {
 protected:
  void initChannel(sluice::Channel& ch) override { ch.pipeline().addLast<UpperCaseHandler>(); }
};
// [docs:end]

// [docs:attributes]
const sluice::AttributeKey<std::string> kNickname{"nickname"};

class NicknameHandler : public sluice::ChannelInboundHandler {
 public:
  void channelActive(sluice::ChannelHandlerContext& ctx) override {
    ctx.channel().attr(kNickname).set("guest-" + ctx.channel().id().asShortText());
    ctx.fireChannelActive();
  }
};
// [docs:end]

// [docs:idle-closer]
// Closes a connection that has been quiet for 30 s (IdleStateHandler does this in full).
class QuietCloser : public sluice::ChannelDuplexHandler {
 public:
  void channelActive(sluice::ChannelHandlerContext& ctx) override {
    arm(ctx);
    ctx.fireChannelActive();
  }
  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    timer_.cancel();
    arm(ctx);
    ctx.fireChannelRead(std::move(msg));
  }
  void handlerRemoved(sluice::ChannelHandlerContext&) override {
    if (timer_.isValid()) {
      timer_.cancel();
    }
  }

 private:
  void arm(sluice::ChannelHandlerContext& ctx) {
    timer_ = ctx.executor().schedule([&ctx] { ctx.close(); }, std::chrono::seconds(30));
  }
  sluice::ScheduledFuture timer_;
};
// [docs:end]

class CoreDocsTest : public sluice::testing::SluiceTest {};

// [docs:embedded-test]
TEST_F(CoreDocsTest, UpperCaseHandlerAnswersInUpperCase) {
  sluice::EmbeddedChannel ch(std::make_unique<UpperCaseHandler>());

  EXPECT_FALSE(ch.writeInbound(sluice::Unpooled::copiedBuffer("hello")));  // consumed

  std::optional<sluice::ByteBuf> reply = ch.readOutbound<sluice::ByteBuf>();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->toStringView(), "HELLO");
  EXPECT_FALSE(ch.finish());  // nothing left over in either direction
}
// [docs:end]

TEST_F(CoreDocsTest, InitializerInstallsTheHandler) {
  sluice::EmbeddedChannel ch(std::make_shared<UpperCaseInitializer>());
  EXPECT_NE(ch.pipeline().get<UpperCaseHandler>(), nullptr);
  EXPECT_EQ(ch.pipeline().get<UpperCaseInitializer>(), nullptr);
}

TEST_F(CoreDocsTest, NicknameIsSetOnActivation) {
  sluice::EmbeddedChannel ch(std::make_unique<NicknameHandler>());
  EXPECT_EQ(*ch.attr(kNickname).get(), "guest-" + ch.id().asShortText());
}

// [docs:virtual-time]
TEST_F(CoreDocsTest, QuietConnectionIsClosedAfterThirtySeconds) {
  sluice::EmbeddedChannel ch(std::make_unique<QuietCloser>());

  ch.advanceTimeBy(std::chrono::seconds(20));
  ch.writeInbound(sluice::Unpooled::copiedBuffer("still here"));  // re-arms the timer
  ch.advanceTimeBy(std::chrono::seconds(20));
  ch.runPendingTasks();
  EXPECT_TRUE(ch.isOpen());

  ch.advanceTimeBy(std::chrono::seconds(10));
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  ch.releaseInbound();
}
// [docs:end]

TEST_F(CoreDocsTest, BlockingHandlerRunsOnAnExecutorGroup) {
  auto ch = std::make_shared<sluice::EmbeddedChannel>();
  // [docs:executor-group]
  static sluice::DefaultEventExecutorGroup blockingGroup(4);  // shared by every channel
  ch->pipeline().addLast(blockingGroup, "lookup", std::make_unique<UpperCaseHandler>());
  // [docs:end]
  sluice::EventExecutor& executor = ch->pipeline().context("lookup")->executor();
  EXPECT_EQ(executor.parent(), &blockingGroup);
  ch->close();
  executor.submit([] {}).sync();  // its handlerRemoved has run
}

}  // namespace docs
