#include <sluice/channel/embedded/EmbeddedEventLoop.h>

#include <chrono>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class EmbeddedEventLoopTest : public testing::SluiceTest {};

TEST_F(EmbeddedEventLoopTest, TasksWaitForRunTasks) {
  EmbeddedEventLoop loop;
  std::vector<int> ran;
  loop.execute([&] {
    ran.push_back(1);
    loop.execute([&] { ran.push_back(2); });  // queued by a task: same run
  });
  EXPECT_TRUE(ran.empty());
  EXPECT_TRUE(loop.inEventLoop());
  loop.runTasks();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

TEST_F(EmbeddedEventLoopTest, VirtualClockDecidesWhenScheduledTasksRun) {
  EmbeddedEventLoop loop;
  std::vector<int> ran;
  loop.schedule([&] { ran.push_back(2); }, 20ms);
  loop.schedule([&] { ran.push_back(1); }, 10ms);
  EXPECT_EQ(loop.nextScheduledTaskDelay(), 10ms);
  EXPECT_EQ(loop.runScheduledTasks(), 0U);
  loop.advanceTimeBy(10ms);
  EXPECT_EQ(loop.runScheduledTasks(), 1U);
  EXPECT_EQ(ran, (std::vector<int>{1}));
  loop.advanceTimeBy(1h);
  loop.runScheduledTasks();
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
  EXPECT_LT(loop.nextScheduledTaskDelay(), 0ns);
}

TEST_F(EmbeddedEventLoopTest, SameDeadlineRunsInSchedulingOrder) {
  EmbeddedEventLoop loop;
  std::vector<int> ran;
  for (int i = 0; i < 5; ++i) {
    loop.schedule([&, i] { ran.push_back(i); }, 5ms);
  }
  loop.advanceTimeBy(5ms);
  loop.runScheduledTasks();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(EmbeddedEventLoopTest, FixedRateAndFixedDelayRepeat) {
  EmbeddedEventLoop loop;
  int rate = 0;
  int delay = 0;
  auto r = loop.scheduleAtFixedRate([&] { ++rate; }, 10ms, 10ms);
  loop.scheduleWithFixedDelay([&] { ++delay; }, 0ms, 25ms);
  for (int i = 0; i < 10; ++i) {
    loop.advanceTimeBy(10ms);
    loop.runScheduledTasks();
  }
  EXPECT_EQ(rate, 10);  // at 10, 20, ..., 100 ms
  EXPECT_EQ(delay, 4);  // due at 0, 35, 65, 95 ms: run at 10, 40, 70, 100
  r.cancel();
  loop.advanceTimeBy(100ms);
  loop.runScheduledTasks();
  EXPECT_EQ(rate, 10);
}

TEST_F(EmbeddedEventLoopTest, OneShotFutureSucceedsAfterTheRunAndFailsIfItThrows) {
  EmbeddedEventLoop loop;
  auto ok = loop.schedule([] {}, 1ms);
  auto bad = loop.schedule([] { throw std::runtime_error("no"); }, 1ms);
  loop.advanceTimeBy(1ms);
  loop.runScheduledTasks();
  EXPECT_TRUE(ok.isSuccess());
  EXPECT_EQ(bad.cause(), CoreErrc::HandlerException);
}

TEST_F(EmbeddedEventLoopTest, ShutdownCancelsWhatIsScheduledAndRejectsMore) {
  EmbeddedEventLoop loop;
  auto later = loop.schedule([] {}, 1s);
  loop.shutdownGracefully().sync();
  EXPECT_TRUE(later.isCancelled());
  EXPECT_TRUE(loop.isTerminated());
  EXPECT_THROW(loop.execute([] {}), ErrorException);
}

}  // namespace
}  // namespace sluice
