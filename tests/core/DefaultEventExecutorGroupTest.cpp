#include <sluice/concurrent/DefaultEventExecutorGroup.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class DefaultEventExecutorGroupTest : public testing::SluiceTest {};

TEST_F(DefaultEventExecutorGroupTest, NextHandsOutExecutorsRoundRobin) {
  DefaultEventExecutorGroup group(3);
  EXPECT_EQ(group.executorCount(), 3U);
  EventExecutor* first = &group.next();
  EXPECT_NE(&group.next(), first);
  EXPECT_NE(&group.next(), first);
  EXPECT_EQ(&group.next(), first);
  EXPECT_EQ(first->parent(), &group);
}

TEST_F(DefaultEventExecutorGroupTest, TasksRunInOrderOnTheExecutorsThread) {
  DefaultEventExecutorGroup group(1);
  EventExecutor& e = group.next();
  std::vector<int> order;
  std::thread::id threadId;
  for (int i = 0; i < 100; ++i) {
    e.execute([&, i] {
      order.push_back(i);
      threadId = std::this_thread::get_id();
    });
  }
  EXPECT_TRUE(e.submit([&] { return e.inEventLoop(); }).get());
  EXPECT_EQ(order.size(), 100U);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(order[static_cast<std::size_t>(i)], i);
  }
  EXPECT_NE(threadId, std::this_thread::get_id());
  EXPECT_FALSE(e.inEventLoop());
}

TEST_F(DefaultEventExecutorGroupTest, SubmitCarriesResultsAndExceptions) {
  DefaultEventExecutorGroup group(1);
  EXPECT_EQ(group.next().submit([] { return 6 * 7; }).get(), 42);
  auto failed = group.next().submit([]() -> int { throw std::runtime_error("boom"); });
  failed.await();
  EXPECT_EQ(failed.cause(), CoreErrc::HandlerException);
  EXPECT_EQ(failed.cause().message(), "boom");
}

TEST_F(DefaultEventExecutorGroupTest, ScheduledTasksRunAfterTheirDelay) {
  DefaultEventExecutorGroup group(1);
  EventExecutor& e = group.next();
  const auto start = std::chrono::steady_clock::now();
  auto done = e.schedule([] {}, 30ms);
  done.sync();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

TEST_F(DefaultEventExecutorGroupTest, CancelledScheduledTaskNeverRuns) {
  DefaultEventExecutorGroup group(1);
  EventExecutor& e = group.next();
  std::atomic<bool> ran{false};
  auto f = e.schedule([&] { ran = true; }, 50ms);
  EXPECT_TRUE(f.cancel());
  // A later task scheduled past the cancelled one's deadline proves the loop went by it.
  e.schedule([] {}, 80ms).sync();
  EXPECT_FALSE(ran);
}

TEST_F(DefaultEventExecutorGroupTest, FixedRateTaskRepeatsUntilCancelled) {
  DefaultEventExecutorGroup group(1);
  EventExecutor& e = group.next();
  std::atomic<int> runs{0};
  auto reachedFive = Promise<void>::make(nullptr);
  auto periodic = e.scheduleAtFixedRate(
      [&] {
        if (++runs == 5) {
          reachedFive.trySuccess();
        }
      },
      0ms, 1ms);
  reachedFive.sync();
  periodic.cancel();
  const int after = e.submit([&] { return runs.load(); }).get();
  e.schedule([] {}, 20ms).sync();
  EXPECT_EQ(runs.load(), after);
  EXPECT_TRUE(periodic.isCancelled());
}

TEST_F(DefaultEventExecutorGroupTest, GracefulShutdownRunsQueuedTasksThenTerminates) {
  DefaultEventExecutorGroup group(2);
  std::atomic<int> ran{0};
  for (int i = 0; i < 50; ++i) {
    group.next().execute([&] { ++ran; });
  }
  auto terminated = group.shutdownGracefully(10ms, 5s);
  EXPECT_TRUE(group.isShuttingDown());
  terminated.sync();
  EXPECT_EQ(ran.load(), 50);
  EXPECT_TRUE(group.isTerminated());
  try {
    group.next().execute([] {});
    FAIL() << "a terminated executor accepted a task";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error(), CoreErrc::RejectedExecution);
  }
}

TEST_F(DefaultEventExecutorGroupTest, ShutdownCancelsPendingScheduledTasks) {
  DefaultEventExecutorGroup group(1);
  auto later = group.next().schedule([] {}, 1h);
  group.shutdownGracefully(0ms, 1s).sync();
  later.await();
  EXPECT_TRUE(later.isCancelled());
}

TEST_F(DefaultEventExecutorGroupTest, AThrowingTaskDoesNotStopTheExecutor) {
  DefaultEventExecutorGroup group(1);
  EventExecutor& e = group.next();
  e.execute([] { throw std::runtime_error("ignored"); });
  EXPECT_EQ(e.submit([] { return 1; }).get(), 1);
}

}  // namespace
}  // namespace sluice
