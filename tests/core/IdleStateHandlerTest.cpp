#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/IdleStateHandler.h>

#include <chrono>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class IdleStateHandlerTest : public testing::SluiceTest {};

struct EventRecorder : ChannelInboundHandler {
  std::vector<IdleStateEvent>* events;
  explicit EventRecorder(std::vector<IdleStateEvent>* e) : events(e) {}
  void userEventTriggered(ChannelHandlerContext&, Message event) override {
    // Other events come too (ChannelClosedEvent, as the channel closes).
    if (const auto* idle = event.getIf<IdleStateEvent>()) {
      events->push_back(*idle);
    }
  }
  void channelRead(ChannelHandlerContext&, Message) override {}
};

TEST_F(IdleStateHandlerTest, FiresReaderIdleAfterTheTimeWithoutReads) {
  std::vector<IdleStateEvent> events;
  EmbeddedChannel ch(std::make_unique<IdleStateHandler>(10s, 0s, 0s),
                     std::make_unique<EventRecorder>(&events));
  ch.advanceTimeBy(9s);
  ch.runPendingTasks();
  EXPECT_TRUE(events.empty());
  ch.advanceTimeBy(1s);
  ch.runPendingTasks();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0], IdleStateEvent::firstReaderIdle());
  ch.advanceTimeBy(10s);
  ch.runPendingTasks();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1], IdleStateEvent::readerIdle());
}

TEST_F(IdleStateHandlerTest, ReadsPostponeReaderIdleAndMakeTheNextEventFirstAgain) {
  std::vector<IdleStateEvent> events;
  EmbeddedChannel ch(std::make_unique<IdleStateHandler>(10s, 0s, 0s),
                     std::make_unique<EventRecorder>(&events));
  ch.advanceTimeBy(10s);
  ch.runPendingTasks();
  ASSERT_EQ(events.size(), 1U);
  ch.advanceTimeBy(5s);
  ch.writeInbound(Unpooled::copiedBuffer("x"));  // read at t=15
  ch.advanceTimeBy(5s);  // t=20: the timer fires but the reader was active 5 s ago
  ch.runPendingTasks();
  EXPECT_EQ(events.size(), 1U);
  ch.advanceTimeBy(5s);  // t=25: 10 s since the read
  ch.runPendingTasks();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1], IdleStateEvent::firstReaderIdle());
}

TEST_F(IdleStateHandlerTest, WriterAndAllIdle) {
  std::vector<IdleStateEvent> events;
  EmbeddedChannel ch(std::make_unique<IdleStateHandler>(0s, 4s, 6s),
                     std::make_unique<EventRecorder>(&events));
  ch.advanceTimeBy(3s);
  ch.writeAndFlush(Unpooled::copiedBuffer("w"));  // written at t=3
  ch.advanceTimeBy(3s);                           // t=6: all idle counts from the write: 3 s
  ch.runPendingTasks();
  EXPECT_TRUE(events.empty());
  ch.advanceTimeBy(1s);  // t=7: writer idle 4 s
  ch.runPendingTasks();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0], IdleStateEvent::firstWriterIdle());
  ch.advanceTimeBy(2s);  // t=9: all idle 6 s
  ch.runPendingTasks();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1], IdleStateEvent::firstAllIdle());
  ch.releaseOutbound();
}

TEST_F(IdleStateHandlerTest, StopsWhenTheChannelCloses) {
  std::vector<IdleStateEvent> events;
  EmbeddedChannel ch(std::make_unique<IdleStateHandler>(1s, 1s, 1s),
                     std::make_unique<EventRecorder>(&events));
  ch.close();
  ch.advanceTimeBy(5s);
  ch.runPendingTasks();
  EXPECT_TRUE(events.empty());
  EXPECT_LT(ch.runScheduledPendingTasks().count(), 0);  // no timers left
}

TEST_F(IdleStateHandlerTest, AddedToAnActiveChannelStartsAtOnce) {
  std::vector<IdleStateEvent> events;
  EmbeddedChannel ch(std::make_unique<EventRecorder>(&events));
  ch.pipeline().addFirst(std::make_unique<IdleStateHandler>(2s, 0s, 0s));
  ch.advanceTimeBy(2s);
  ch.runPendingTasks();
  EXPECT_EQ(events.size(), 1U);
}

}  // namespace
}  // namespace sluice
