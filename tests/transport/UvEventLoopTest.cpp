#include <sluice/transport/UvEventLoop.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class UvEventLoopTest : public testing::SluiceTest {};

TEST_F(UvEventLoopTest, RunsTasksInOrderOnItsThread) {
  UvEventLoop loop;
  std::vector<int> seen;
  for (int i = 0; i < 1000; ++i) {
    loop.execute([&seen, i] { seen.push_back(i); });
  }
  EXPECT_TRUE(loop.submit([&] { return loop.inEventLoop(); }).get());
  ASSERT_EQ(seen.size(), 1000U);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
  }
  EXPECT_FALSE(loop.inEventLoop());
  EXPECT_TRUE(loop.isEventLoop());
}

TEST_F(UvEventLoopTest, TasksFromManyThreadsKeepEachThreadsOrder) {
  UvEventLoop loop;
  constexpr int kThreads = 4;
  constexpr int kTasks = 5000;
  std::vector<std::vector<int>> perThread(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTasks; ++i) {
        loop.execute([&perThread, t, i] { perThread[static_cast<std::size_t>(t)].push_back(i); });
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  loop.submit([] {}).sync();
  for (const auto& seq : perThread) {
    ASSERT_EQ(seq.size(), static_cast<std::size_t>(kTasks));
    for (int i = 0; i < kTasks; ++i) {
      ASSERT_EQ(seq[static_cast<std::size_t>(i)], i);
    }
  }
  EXPECT_GE(loop.completedTasks(), static_cast<std::uint64_t>(kThreads * kTasks));
}

TEST_F(UvEventLoopTest, ScheduledTaskRunsAfterItsDelayAndCanBeCancelled) {
  UvEventLoop loop;
  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> cancelledRan{false};
  auto cancelled = loop.schedule([&] { cancelledRan = true; }, 20ms);
  cancelled.cancel();
  loop.schedule([] {}, 30ms).sync();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
  EXPECT_FALSE(cancelledRan);
}

TEST_F(UvEventLoopTest, FixedRateRepeats) {
  UvEventLoop loop;
  std::atomic<int> runs{0};
  auto three = Promise<void>::make(nullptr);
  auto periodic = loop.scheduleAtFixedRate(
      [&] {
        if (++runs == 3) {
          three.trySuccess();
        }
      },
      1ms, 2ms);
  three.sync();
  periodic.cancel();
  EXPECT_GE(runs.load(), 3);
  loop.shutdownGracefully(0ms, 5s).sync();  // before the locals the task uses go
}

TEST_F(UvEventLoopTest, SyncOnTheLoopFailsFast) {
  UvEventLoop loop;
  auto pending = Promise<void>::make(nullptr);
  auto code = loop.submit([pending] {
    try {
      pending.sync();
    } catch (const ErrorException& e) {
      return e.error().code();
    }
    return std::error_code();
  });
  EXPECT_EQ(code.get(), make_error_code(CoreErrc::BlockingOperation));
}

TEST_F(UvEventLoopTest, GracefulShutdownTerminatesAndRejectsLaterTasks) {
  UvEventLoop loop;
  std::atomic<int> ran{0};
  for (int i = 0; i < 100; ++i) {
    loop.execute([&] { ++ran; });
  }
  auto later = loop.schedule([] {}, 1h);
  ASSERT_TRUE(loop.shutdownGracefully(10ms, 5s).await(10s));
  EXPECT_TRUE(loop.isTerminated());
  EXPECT_EQ(ran.load(), 100);
  EXPECT_TRUE(later.isCancelled());
  EXPECT_THROW(loop.execute([] {}), ErrorException);
}

TEST_F(UvEventLoopTest, GroupHandsOutLoopsRoundRobinAndShutsThemAllDown) {
  UvEventLoopGroup group(3);
  UvEventLoop* first = &group.next();
  EXPECT_NE(&group.next(), first);
  EXPECT_NE(&group.next(), first);
  EXPECT_EQ(&group.next(), first);
  EXPECT_EQ(first->parent(), &group);
  ASSERT_TRUE(group.shutdownGracefully(0ms, 5s).await(10s));
  EXPECT_TRUE(group.isTerminated());
}

}  // namespace
}  // namespace sluice
