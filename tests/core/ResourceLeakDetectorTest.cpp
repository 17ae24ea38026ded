#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/util/Assert.h>
#include <sluice/util/Log.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

// These tests are deliberately outside an anonymous namespace: the test functions must have
// external linkage for dladdr() to name them in the recorded allocation stacks (test
// executables are linked with ENABLE_EXPORTS).
namespace sluice::leaktest {

constexpr std::uint32_t kDefaultSamplingInterval = 128;  // Netty's, and the detector's

// Restores the process-wide level, sampling interval and log sink after every test.
class ResourceLeakDetectorTest : public testing::SluiceTest {
 protected:
  void SetUp() override {
    SluiceTest::SetUp();
    level_ = ResourceLeakDetector::level();
    baseline_ = ResourceLeakDetector::outstandingCount();
  }
  void TearDown() override {
    ResourceLeakDetector::setLevel(level_);
    ResourceLeakDetector::setSamplingInterval(kDefaultSamplingInterval);
    if (sinkInstalled_) {
      Log::setSink(std::move(previousSink_));
    }
    EXPECT_EQ(ResourceLeakDetector::outstandingCount(), baseline_);
    SluiceTest::TearDown();
  }

  // Tracked buffers made by this test (others may be alive from before it started).
  std::size_t tracked() const { return ResourceLeakDetector::outstandingCount() - baseline_; }
  std::size_t baseline() const { return baseline_; }

  // Routes log records into records_ until the test ends.
  void captureLog() {
    previousSink_ =
        Log::setSink([this](LogLevel level, std::string_view logger, std::string_view message) {
          std::lock_guard lock(mutex_);
          records_.push_back({level, std::string(logger), std::string(message)});
        });
    sinkInstalled_ = true;
  }

  struct LogRecord {
    LogLevel level;
    std::string logger;
    std::string message;
  };
  std::mutex mutex_;
  std::vector<LogRecord> records_;

 private:
  LeakDetectionLevel level_ = LeakDetectionLevel::Disabled;
  std::size_t baseline_ = 0;
  Log::Sink previousSink_;
  bool sinkInstalled_ = false;
};

// A helper with external linkage that is never inlined, so that it appears in stacks.
[[gnu::noinline]] ByteBuf allocateFromHelper(ByteBufAllocator& alloc, std::size_t size) {
  ByteBuf buf = alloc.buffer(size);
  asm volatile("" ::: "memory");  // keeps the call from becoming a tail call
  return buf;
}

// Recurses `depth` times before allocating, to make a deep stack.
[[gnu::noinline]] ByteBuf allocateDeep(ByteBufAllocator& alloc, int depth) {
  if (depth == 0) {
    return allocateFromHelper(alloc, 16);
  }
  ByteBuf buf = allocateDeep(alloc, depth - 1);
  asm volatile("" ::: "memory");
  return buf;
}

std::size_t countFrames(const std::string& stack) {
  return static_cast<std::size_t>(std::count(stack.begin(), stack.end(), '\n'));
}

TEST_F(ResourceLeakDetectorTest, DefaultLevelFollowsTheBuildOrTheEnvironment) {
  const char* env = std::getenv("SLUICE_LEAK_DETECTION");
  if (env != nullptr) {
    GTEST_SKIP() << "SLUICE_LEAK_DETECTION is set; the environment tests cover it";
  }
#if SLUICE_DCHECK_IS_ON
  EXPECT_EQ(ResourceLeakDetector::level(), LeakDetectionLevel::Simple);
#else
  EXPECT_EQ(ResourceLeakDetector::level(), LeakDetectionLevel::Disabled);
#endif
}

TEST_F(ResourceLeakDetectorTest, ParanoidRecordsWhereEveryBufferWasAllocated) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf kept = PooledByteBufAllocator::defaultAllocator().buffer(100);
  ASSERT_EQ(tracked(), 1U);
  const auto records = ResourceLeakDetector::outstanding();
  auto it = std::find_if(records.begin(), records.end(), [](const auto& r) {
    return r.allocationStack.find("ParanoidRecordsWhereEveryBufferWasAllocated") !=
           std::string::npos;
  });
  ASSERT_NE(it, records.end()) << "no stack names this test; the stacks are:\n"
                               << (records.empty() ? "" : records.back().allocationStack);
  EXPECT_GE(it->capacity, 100U);
  kept = ByteBuf();
  EXPECT_EQ(tracked(), 0U);
}

TEST_F(ResourceLeakDetectorTest, StackNamesTheAllocatingFunction) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf kept = allocateFromHelper(UnpooledByteBufAllocator::defaultAllocator(), 10);
  ASSERT_EQ(tracked(), 1U);
  const auto records = ResourceLeakDetector::outstanding();
  const bool named = std::any_of(records.begin(), records.end(), [](const auto& r) {
    return r.allocationStack.find("sluice::leaktest::allocateFromHelper") != std::string::npos;
  });
  EXPECT_TRUE(named) << records.back().allocationStack;
  // The detector's own frames are cut, however the build inlined them (and in sanitizer
  // builds, however many frames the interceptor of backtrace() adds).
  for (const auto& r : records) {
    EXPECT_EQ(r.allocationStack.find("ResourceLeakDetector::maybeTrack"), std::string::npos)
        << r.allocationStack;
  }
}

TEST_F(ResourceLeakDetectorTest, DisabledRecordsNothing) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  std::vector<ByteBuf> kept;
  for (int i = 0; i < 300; ++i) {
    kept.push_back(PooledByteBufAllocator::defaultAllocator().buffer(8));
  }
  EXPECT_EQ(tracked(), 0U);
  EXPECT_EQ(ResourceLeakDetector::reportLeaks(), baseline());
}

TEST_F(ResourceLeakDetectorTest, SimpleWithIntervalOneTracksEveryBuffer) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Simple);
  ResourceLeakDetector::setSamplingInterval(1);
  std::vector<ByteBuf> kept;
  for (int i = 0; i < 10; ++i) {
    kept.push_back(PooledByteBufAllocator::defaultAllocator().buffer(8));
  }
  EXPECT_EQ(tracked(), 10U);
  kept.resize(4);
  EXPECT_EQ(tracked(), 4U);
}

TEST_F(ResourceLeakDetectorTest, SimpleSamplesOneBufferInEachInterval) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Simple);
  for (std::uint32_t interval : {2U, 7U, 128U}) {
    SCOPED_TRACE(interval);
    ResourceLeakDetector::setSamplingInterval(interval);
    std::vector<ByteBuf> kept;
    for (std::uint32_t i = 0; i < 3 * interval; ++i) {
      kept.push_back(UnpooledByteBufAllocator::defaultAllocator().buffer(4));
    }
    EXPECT_EQ(tracked(), 3U);
  }
}

TEST_F(ResourceLeakDetectorTest, AdvancedRecordsDeeperStacksThanSimple) {
  ResourceLeakDetector::setSamplingInterval(1);
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Simple);
  ByteBuf simple = allocateDeep(PooledByteBufAllocator::defaultAllocator(), 40);
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Advanced);
  ByteBuf advanced = allocateDeep(PooledByteBufAllocator::defaultAllocator(), 40);
  ASSERT_EQ(tracked(), 2U);
  std::size_t fewest = SIZE_MAX;
  std::size_t most = 0;
  for (const auto& r : ResourceLeakDetector::outstanding()) {
    fewest = std::min(fewest, countFrames(r.allocationStack));
    most = std::max(most, countFrames(r.allocationStack));
  }
  EXPECT_EQ(fewest, 8U);  // Simple: a short stack, from the allocation down
  EXPECT_GT(most, 8U);    // Advanced: a deep one
}

TEST_F(ResourceLeakDetectorTest, GrowthTracksTheNewBlockAndForgetsTheOld) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(8);
  buf.writeBytes(std::string(3000, 'g'));
  const auto records = ResourceLeakDetector::outstanding();
  ASSERT_EQ(tracked(), 1U);
  EXPECT_TRUE(std::any_of(records.begin(), records.end(),
                          [](const auto& r) { return r.capacity >= 3000; }));
}

TEST_F(ResourceLeakDetectorTest, SlicesShareTheRecordOfTheirBuffer) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().copiedBuffer("one record");
  ByteBuf slice = buf.slice(0, 3);
  ByteBuf dup = buf.duplicate();
  EXPECT_EQ(tracked(), 1U);
  buf = ByteBuf();
  dup = ByteBuf();
  EXPECT_EQ(tracked(), 1U);
  slice = ByteBuf();
  EXPECT_EQ(tracked(), 0U);
}

TEST_F(ResourceLeakDetectorTest, ReleaseOnAnotherThreadForgetsTheBuffer) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(64);
  EXPECT_EQ(tracked(), 1U);
  std::thread([b = std::move(buf)]() mutable { b = ByteBuf(); }).join();
  EXPECT_EQ(tracked(), 0U);
}

TEST_F(ResourceLeakDetectorTest, ReusedPooledBlockIsNotTrackedUnlessSampledAgain) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  const std::uint8_t* memory = nullptr;
  {
    ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(48);
    memory = buf.memoryAddress();
  }
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  ByteBuf again = PooledByteBufAllocator::defaultAllocator().buffer(48);
  EXPECT_EQ(again.memoryAddress(), memory);  // the same block, from the thread cache
  EXPECT_EQ(tracked(), 0U);
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  again = ByteBuf();  // releasing an untracked block with detection on is harmless
  EXPECT_EQ(tracked(), 0U);
}

TEST_F(ResourceLeakDetectorTest, BufferTrackedBeforeDisablingIsStillForgottenOnRelease) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(8);
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  EXPECT_EQ(tracked(), 1U);
  buf = ByteBuf();
  EXPECT_EQ(tracked(), 0U);
}

TEST_F(ResourceLeakDetectorTest, ReportLeaksLogsEachOutstandingBufferWithItsStack) {
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf a = allocateFromHelper(PooledByteBufAllocator::defaultAllocator(), 100);
  ByteBuf b = allocateFromHelper(UnpooledByteBufAllocator::defaultAllocator(), 200);
  captureLog();
  EXPECT_EQ(ResourceLeakDetector::reportLeaks(), baseline() + 2);
  {
    std::lock_guard lock(mutex_);
    ASSERT_EQ(records_.size(), baseline() + 2);
    int named = 0;
    for (const auto& r : records_) {
      EXPECT_EQ(r.level, LogLevel::Error);
      EXPECT_EQ(r.logger, "leak");
      EXPECT_NE(r.message.find("LEAK"), std::string::npos) << r.message;
      if (r.message.find("allocateFromHelper") != std::string::npos) {
        ++named;
      }
    }
    EXPECT_EQ(named, 2);
    EXPECT_TRUE(std::any_of(records_.begin(), records_.end(), [](const auto& r) {
      return r.message.find("200 bytes") != std::string::npos;
    }));
    records_.clear();
  }
  a = ByteBuf();
  b = ByteBuf();
  EXPECT_EQ(ResourceLeakDetector::reportLeaks(), baseline());
  std::lock_guard lock(mutex_);
  EXPECT_EQ(records_.size(), baseline());
}

// The level is read from SLUICE_LEAK_DETECTION once, at start-up; each case runs in a fresh
// process (a threadsafe death test re-executes this binary with the variable set).
class ResourceLeakDetectorEnvironmentTest
    : public ResourceLeakDetectorTest,
      public ::testing::WithParamInterface<std::pair<const char*, LeakDetectionLevel>> {};

TEST_P(ResourceLeakDetectorEnvironmentTest, LevelComesFromTheEnvironment) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto [value, expected] = GetParam();
  const char* previous = std::getenv("SLUICE_LEAK_DETECTION");
  const std::string saved = previous != nullptr ? previous : "";
  ASSERT_EQ(::setenv("SLUICE_LEAK_DETECTION", value, 1), 0);
  EXPECT_EXIT(std::_Exit(ResourceLeakDetector::level() == expected ? 0 : 1),
              ::testing::ExitedWithCode(0), "");
  if (previous != nullptr) {
    ::setenv("SLUICE_LEAK_DETECTION", saved.c_str(), 1);
  } else {
    ::unsetenv("SLUICE_LEAK_DETECTION");
  }
}

constexpr LeakDetectionLevel kBuildDefault =
    SLUICE_DCHECK_IS_ON ? LeakDetectionLevel::Simple : LeakDetectionLevel::Disabled;

INSTANTIATE_TEST_SUITE_P(Values, ResourceLeakDetectorEnvironmentTest,
                         ::testing::Values(std::pair{"disabled", LeakDetectionLevel::Disabled},
                                           std::pair{"simple", LeakDetectionLevel::Simple},
                                           std::pair{"advanced", LeakDetectionLevel::Advanced},
                                           std::pair{"paranoid", LeakDetectionLevel::Paranoid},
                                           std::pair{"bogus", kBuildDefault}),
                         [](const auto& p) { return std::string(p.param.first); });

}  // namespace sluice::leaktest
