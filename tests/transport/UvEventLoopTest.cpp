#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/UvEventLoop.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
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

// The series of one family in the global registry, by their `loop` label.
std::vector<MetricSample> loopSeries(std::string_view family) {
  for (MetricFamily& f : MetricsRegistry::global().collect()) {
    if (f.name == family) {
      return std::move(f.samples);
    }
  }
  return {};
}

std::set<std::string> loopLabels(std::string_view family) {
  std::set<std::string> labels;
  for (const MetricSample& s : loopSeries(family)) {
    for (const auto& [name, value] : s.labels) {
      if (name == "loop") {
        labels.insert(value);
      }
    }
  }
  return labels;
}

double pendingTasksEverywhere() {
  double total = 0;
  for (const MetricSample& s : loopSeries("sluice_event_loop_tasks_pending")) {
    total += s.value;
  }
  return total;
}

TEST_F(UvEventLoopTest, EachRunningLoopReportsItsQueueUnderItsOwnLabel) {
  const std::set<std::string> before = loopLabels("sluice_event_loop_tasks_pending");
  {
    UvEventLoopGroup boss(1);
    UvEventLoopGroup workers(2);
    const std::set<std::string> during = loopLabels("sluice_event_loop_tasks_pending");
    EXPECT_EQ(during.size(), before.size() + 3);  // no two loops share a series
    EXPECT_TRUE(std::includes(during.begin(), during.end(), before.begin(), before.end()));
    boss.shutdownGracefully(0ms, 5s).sync();
    workers.shutdownGracefully(0ms, 5s).sync();
    // A loop that has terminated reports nothing more.
    EXPECT_EQ(loopLabels("sluice_event_loop_tasks_pending"), before);
  }
}

TEST_F(UvEventLoopTest, TasksPendingCountsWhatWaitsBehindABusyTask) {
  UvEventLoop loop;
  const double idle = pendingTasksEverywhere();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  loop.execute([released, &started] {
    started.set_value();
    released.wait();
  });
  started.get_future().wait();
  for (int i = 0; i < 5; ++i) {
    loop.execute([] {});
  }
  // The five queued behind the running one (which counts until it ends).
  EXPECT_GE(pendingTasksEverywhere() - idle, 5.0);
  release.set_value();
  loop.submit([] {}).sync();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (pendingTasksEverywhere() > idle && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(pendingTasksEverywhere(), idle);
}

TEST_F(UvEventLoopTest, LagHistogramSeesALoopThatWasBlocked) {
  auto lagSum = [] {
    double sum = 0;
    std::uint64_t count = 0;
    for (const MetricSample& s : loopSeries("sluice_event_loop_lag_seconds")) {
      sum += s.histogram.sum;
      count += s.histogram.count;
    }
    return std::pair(sum, count);
  };
  const auto [sumBefore, countBefore] = lagSum();
  UvEventLoop loop;
  // Keep the loop from running its timers for 300 ms: its lag timer fires that much late.
  loop.submit([] { std::this_thread::sleep_for(300ms); }).sync();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (lagSum().first - sumBefore < 0.15 && std::chrono::steady_clock::now() < deadline) {
    loop.submit([] {}).sync();
    std::this_thread::yield();
  }
  const auto [sumAfter, countAfter] = lagSum();
  EXPECT_GE(sumAfter - sumBefore, 0.15);
  EXPECT_GT(countAfter, countBefore);
}

TEST_F(UvEventLoopTest, NoLoopMetricsWhenMetricsAreOffAsTheLoopStarts) {
  const std::set<std::string> before = loopLabels("sluice_event_loop_tasks_pending");
  MetricsRegistry::setEnabled(false);
  UvEventLoop loop;
  MetricsRegistry::setEnabled(true);
  EXPECT_EQ(loopLabels("sluice_event_loop_tasks_pending"), before);
  loop.submit([] {}).sync();
}

}  // namespace
}  // namespace sluice
