#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>

#include <atomic>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class EventLog : public ChannelInboundHandler {
 public:
  std::vector<std::string> events;
  void channelRegistered(ChannelHandlerContext& ctx) override {
    events.push_back("registered");
    ctx.fireChannelRegistered();
  }
  void channelActive(ChannelHandlerContext& ctx) override {
    events.push_back("active");
    ctx.fireChannelActive();
  }
};

class TwoHandlers : public ChannelInitializer {
 public:
  std::atomic<int> calls{0};

 protected:
  void initChannel(Channel& ch) override {
    ++calls;
    ch.pipeline().addLast("log", std::make_unique<EventLog>());
    ch.pipeline().addLast("tail", std::make_unique<ChannelInboundHandler>());
  }
};

class ChannelInitializerTest : public testing::SluiceTest {};

TEST_F(ChannelInitializerTest, RunsOnceAddsHandlersInOrderAndRemovesItself) {
  auto init = std::make_shared<TwoHandlers>();
  EmbeddedChannel ch(init);
  EXPECT_EQ(init->calls.load(), 1);
  EXPECT_EQ(ch.pipeline().names(), (std::vector<std::string>{"log", "tail"}));
  // Handlers it added still hear of registration and activation.
  EXPECT_EQ(dynamic_cast<EventLog*>(ch.pipeline().get("log"))->events,
            (std::vector<std::string>{"registered", "active"}));
}

TEST_F(ChannelInitializerTest, OneInstanceServesManyChannels) {
  auto init = std::make_shared<TwoHandlers>();
  EmbeddedChannel a(init);
  EmbeddedChannel b(init);
  EmbeddedChannel c(init);
  EXPECT_EQ(init->calls.load(), 3);
  EXPECT_EQ(c.pipeline().names(), (std::vector<std::string>{"log", "tail"}));
}

TEST_F(ChannelInitializerTest, AddedToARegisteredChannelRunsAtOnce) {
  auto init = std::make_shared<TwoHandlers>();
  EmbeddedChannel ch;
  ch.pipeline().addLast(init);
  EXPECT_EQ(init->calls.load(), 1);
  EXPECT_EQ(ch.pipeline().names(), (std::vector<std::string>{"log", "tail"}));
}

TEST_F(ChannelInitializerTest, FailureClosesTheChannel) {
  class Broken : public ChannelInitializer {
   protected:
    void initChannel(Channel&) override { throw std::runtime_error("misconfigured"); }
  };
  EmbeddedChannel ch(std::make_shared<Broken>());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_TRUE(ch.closeFuture().isDone());
}

}  // namespace
}  // namespace sluice
