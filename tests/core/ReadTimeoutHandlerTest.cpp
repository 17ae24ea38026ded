#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/ReadTimeoutHandler.h>

#include <chrono>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class ReadTimeoutHandlerTest : public testing::SluiceTest {};

struct Errors : ChannelInboundHandler {
  std::vector<Error>* errors;
  explicit Errors(std::vector<Error>* e) : errors(e) {}
  void exceptionCaught(ChannelHandlerContext&, const Error& e) override { errors->push_back(e); }
  void channelRead(ChannelHandlerContext&, Message) override {}
};

TEST_F(ReadTimeoutHandlerTest, ClosesWithATimeoutErrorWhenNothingIsRead) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<ReadTimeoutHandler>(30s), std::make_unique<Errors>(&errors));
  ch.advanceTimeBy(20s);
  ch.writeInbound(Unpooled::copiedBuffer("keeps it alive"));
  ch.advanceTimeBy(20s);
  ch.runPendingTasks();
  EXPECT_TRUE(ch.isOpen());
  ch.advanceTimeBy(10s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0], CoreErrc::Timeout);
  EXPECT_EQ(errors[0].message(), "read timed out");
}

}  // namespace
}  // namespace sluice
