#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/WriteTimeoutHandler.h>

#include <chrono>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class WriteTimeoutHandlerTest : public testing::SluiceTest {};

// Holds writes (a peer that does not read) until released.
struct Stall : ChannelOutboundHandler {
  std::vector<std::pair<Message, ChannelPromise>> held;
  void write(ChannelHandlerContext&, Message msg, ChannelPromise promise) override {
    held.emplace_back(std::move(msg), std::move(promise));
  }
};

struct Errors : ChannelInboundHandler {
  std::vector<Error>* errors;
  explicit Errors(std::vector<Error>* e) : errors(e) {}
  void exceptionCaught(ChannelHandlerContext&, const Error& e) override { errors->push_back(e); }
};

TEST_F(WriteTimeoutHandlerTest, WriteThatCompletesInTimeIsFine) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<WriteTimeoutHandler>(5s), std::make_unique<Errors>(&errors));
  ch.writeAndFlush(Unpooled::copiedBuffer("quick"));
  ch.advanceTimeBy(10s);
  ch.runPendingTasks();
  EXPECT_TRUE(ch.isOpen());
  EXPECT_TRUE(errors.empty());
  ch.releaseOutbound();
}

TEST_F(WriteTimeoutHandlerTest, StalledWriteTimesOutAndClosesTheChannel) {
  std::vector<Error> errors;
  auto stall = std::make_unique<Stall>();
  Stall& s = *stall;
  EmbeddedChannel ch(std::move(stall), std::make_unique<WriteTimeoutHandler>(5s),
                     std::make_unique<Errors>(&errors));
  ChannelFuture f = ch.writeAndFlush(Unpooled::copiedBuffer("stuck"));
  ch.advanceTimeBy(4s);
  ch.runPendingTasks();
  EXPECT_TRUE(ch.isOpen());
  ch.advanceTimeBy(1s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0], CoreErrc::Timeout);
  EXPECT_EQ(errors[0].message(), "write timed out");
  EXPECT_FALSE(f.isDone());
  s.held.clear();  // releases the message; the promise is dropped with it
}

TEST_F(WriteTimeoutHandlerTest, VoidPromiseWritesAreTrackedToo) {
  std::vector<Error> errors;
  auto stall = std::make_unique<Stall>();
  Stall& s = *stall;
  EmbeddedChannel ch(std::move(stall), std::make_unique<WriteTimeoutHandler>(1s),
                     std::make_unique<Errors>(&errors));
  ch.writeAndFlush(Unpooled::copiedBuffer("stuck"), ch.voidPromise());
  ch.advanceTimeBy(1s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(errors.size(), 1U);
  for (auto& [msg, promise] : s.held) {
    promise.trySuccess();
  }
  s.held.clear();
}

}  // namespace
}  // namespace sluice
