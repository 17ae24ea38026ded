#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/util/Log.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

constexpr std::size_t kHeader = 32;  // bytes of every block that hold the buffer header
constexpr std::size_t kMiB = std::size_t{1} << 20;

// The documented size classes: 64 B to 1 MiB, each power of two and the midpoint above it.
std::vector<std::size_t> sizeClasses() {
  std::vector<std::size_t> classes;
  for (std::size_t p = 64; p <= kMiB; p *= 2) {
    classes.push_back(p);
    if (p < kMiB) {
      classes.push_back(p + p / 2);
    }
  }
  return classes;
}

// Each test makes its own allocator, so that its counters are exact.
class PooledByteBufAllocatorTest : public testing::SluiceTest {
 protected:
  static void expectNoneLive(const ByteBufAllocator& alloc) {
    const auto m = alloc.metrics();
    EXPECT_EQ(m.liveBuffers, 0U);
    EXPECT_EQ(m.usedBytes, 0U);
  }
};

TEST_F(PooledByteBufAllocatorTest, IsPooledAndIsTheDefault) {
  PooledByteBufAllocator alloc;
  EXPECT_TRUE(alloc.isPooled());
  EXPECT_EQ(&ByteBufAllocator::defaultAllocator(), &PooledByteBufAllocator::defaultAllocator());
  EXPECT_TRUE(ByteBufAllocator::defaultAllocator().isPooled());
}

TEST_F(PooledByteBufAllocatorTest, FreshAllocatorHasZeroMetrics) {
  PooledByteBufAllocator alloc;
  const auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 0U);
  EXPECT_EQ(m.liveBuffers, 0U);
  EXPECT_EQ(m.usedBytes, 0U);
  EXPECT_EQ(m.reservedBytes, 0U);
  EXPECT_EQ(m.cacheHits, 0U);
  EXPECT_EQ(m.cacheHitRate(), 0.0);
}

TEST_F(PooledByteBufAllocatorTest, MetricsCountBuffersInWholeBlocks) {
  PooledByteBufAllocator alloc;
  ByteBuf a = alloc.buffer(32);    // 64-byte block
  ByteBuf b = alloc.buffer(64);    // 96 + header > 64: the 96-byte block
  ByteBuf c = alloc.buffer(1000);  // 1032: the 1536-byte block
  auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 3U);
  EXPECT_EQ(m.liveBuffers, 3U);
  EXPECT_EQ(m.usedBytes, 64U + 96U + 1536U);
  EXPECT_GE(m.reservedBytes, m.usedBytes);
  {
    ByteBuf slice = c.slice(0, 10);  // shares c's block: not a buffer of its own
    ByteBuf dup = a.duplicate();
    EXPECT_EQ(alloc.metrics().liveBuffers, 3U);
    EXPECT_EQ(alloc.metrics().allocations, 3U);
  }
  ByteBuf copy = b.copy();  // a copy is one
  EXPECT_EQ(alloc.metrics().allocations, 4U);
  b = ByteBuf();
  m = alloc.metrics();
  EXPECT_EQ(m.liveBuffers, 3U);
  EXPECT_EQ(m.usedBytes, 64U + 1536U + 64U);
  a = ByteBuf();
  c = ByteBuf();
  copy = ByteBuf();
  expectNoneLive(alloc);
  EXPECT_EQ(alloc.metrics().allocations, 4U);
}

TEST_F(PooledByteBufAllocatorTest, SecondAllocationOfAClassHitsTheThreadCache) {
  PooledByteBufAllocator alloc;
  {
    ByteBuf first = alloc.buffer(10);  // the cache is empty: a refill from the arena
  }
  auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 1U);
  EXPECT_EQ(m.cacheHits, 0U);
  ByteBuf again = alloc.buffer(10);      // the block released above
  ByteBuf sameClass = alloc.buffer(20);  // the refill fetched a batch
  m = alloc.metrics();
  EXPECT_EQ(m.allocations, 3U);
  EXPECT_EQ(m.cacheHits, 2U);
  EXPECT_DOUBLE_EQ(m.cacheHitRate(), 2.0 / 3.0);
  ByteBuf otherClass = alloc.buffer(500);  // a class not used before misses
  EXPECT_EQ(alloc.metrics().cacheHits, 2U);
}

TEST_F(PooledByteBufAllocatorTest, ReleasedBlocksAreReusedMostRecentFirst) {
  PooledByteBufAllocator alloc;
  const std::uint8_t* first = nullptr;
  const std::uint8_t* second = nullptr;
  {
    ByteBuf a = alloc.buffer(10);
    ByteBuf b = alloc.buffer(10);
    first = a.memoryAddress();
    second = b.memoryAddress();
    a = ByteBuf();
  }  // b goes last
  ByteBuf x = alloc.buffer(10);
  ByteBuf y = alloc.buffer(10);
  ByteBuf z = alloc.buffer(10);
  EXPECT_EQ(x.memoryAddress(), second);  // still warm in the CPU's cache
  EXPECT_EQ(y.memoryAddress(), first);
  EXPECT_NE(z.memoryAddress(), first);
  EXPECT_NE(z.memoryAddress(), second);
  EXPECT_EQ(alloc.metrics().cacheHits, 4U);  // all but the first allocation
}

TEST_F(PooledByteBufAllocatorTest, ThreadCacheKeepsAtMostItsShareOfAClass) {
  // Allocates twenty 64-byte buffers, releases them all, allocates twenty again, and
  // returns how many of the second twenty missed the thread cache.
  auto missesAfterReleasingTwenty = [](PooledByteBufAllocator& alloc) {
    std::vector<ByteBuf> bufs;
    for (int i = 0; i < 20; ++i) {
      bufs.push_back(alloc.buffer(10));
    }
    bufs.clear();
    const auto before = alloc.metrics();
    for (int i = 0; i < 20; ++i) {
      bufs.push_back(alloc.buffer(10));
    }
    const auto after = alloc.metrics();
    return (after.allocations - before.allocations) - (after.cacheHits - before.cacheHits);
  };
  PooledByteBufAllocator roomy;  // 256 KiB a class: all twenty stay in the cache
  EXPECT_EQ(missesAfterReleasingTwenty(roomy), 0U);
  PooledByteBufAllocator small({.threadCacheBytesPerClass = 512});  // eight 64-byte blocks
  EXPECT_GE(missesAfterReleasingTwenty(small), 1U);  // the rest went back to the arena
  expectNoneLive(roomy);
  expectNoneLive(small);
}

TEST_F(PooledByteBufAllocatorTest, ClassCachedInOneBlockOnlyStillCycles) {
  // 64 KiB a class: the 64 KiB class holds a single block per thread.
  PooledByteBufAllocator alloc({.threadCacheBytesPerClass = 64 << 10});
  constexpr std::size_t kSize = (64 << 10) - kHeader;
  std::vector<ByteBuf> bufs;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3; ++i) {
      bufs.push_back(alloc.buffer(kSize));
      bufs.back().writeZero(kSize);
    }
    bufs.clear();
  }
  const auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 9U);
  EXPECT_EQ(m.cacheHits, 2U);  // the first buffer of the second and third rounds
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, ClassTooLargeToCacheGoesStraightToTheArena) {
  PooledByteBufAllocator alloc;  // 256 KiB a class: no 512 KiB block fits
  constexpr std::size_t kSize = (512 << 10) - kHeader;
  for (int i = 0; i < 3; ++i) {
    ByteBuf buf = alloc.buffer(kSize);
    buf.writeZero(kSize);
  }
  const auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 3U);
  EXPECT_EQ(m.cacheHits, 0U);
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, EveryRequestNearAClassBoundaryFits) {
  PooledByteBufAllocator alloc;
  const auto classes = sizeClasses();
  ASSERT_EQ(classes.size(), 29U);
  ASSERT_EQ(classes.front(), 64U);
  ASSERT_EQ(classes.back(), kMiB);
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const std::size_t block = classes[i];
    SCOPED_TRACE(::testing::Message() << "class " << block);
    {
      // Exactly fills the block.
      ByteBuf buf = alloc.buffer(block - kHeader);
      EXPECT_EQ(buf.capacity(), block - kHeader);
      EXPECT_EQ(alloc.metrics().usedBytes, block);
      // The block's room is all usable without moving.
      const std::uint8_t* memory = buf.memoryAddress();
      buf.writeZero(block - kHeader);
      EXPECT_EQ(buf.memoryAddress(), memory);
    }
    {
      // One byte more takes the next class (or, past the largest, an unpooled block).
      ByteBuf buf = alloc.buffer(block - kHeader + 1);
      EXPECT_EQ(buf.capacity(), block - kHeader + 1);
      const std::size_t expected = i + 1 < classes.size() ? classes[i + 1] : block + 1;
      EXPECT_EQ(alloc.metrics().usedBytes, expected);
      buf.writeZero(block - kHeader + 1);
    }
    if (block > 64) {
      ByteBuf buf = alloc.buffer(classes[i - 1] - kHeader + 1);  // just above the class below
      EXPECT_EQ(alloc.metrics().usedBytes, block);
    }
  }
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, ZeroCapacityBufferStillGetsABlock) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.buffer(0);
  EXPECT_EQ(buf.capacity(), 0U);
  EXPECT_EQ(alloc.metrics().usedBytes, 64U);
  const std::uint8_t* memory = buf.memoryAddress();
  buf.writeBytes(std::string(32, 'z'));  // the smallest block's 32 bytes of room
  EXPECT_EQ(buf.memoryAddress(), memory);
  EXPECT_EQ(alloc.metrics().allocations, 1U);
}

TEST_F(PooledByteBufAllocatorTest, GrowsInPlaceWhileTheBlockHasRoom) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.buffer(100);  // 132 bytes: the 192-byte block, 160 usable
  const std::uint8_t* memory = buf.memoryAddress();
  buf.writeBytes(std::string(160, 'a'));
  EXPECT_EQ(buf.memoryAddress(), memory);
  EXPECT_EQ(buf.capacity(), 160U);
  EXPECT_EQ(alloc.metrics().allocations, 1U);
  buf.writeByte('b');  // no room left: a larger block
  EXPECT_NE(buf.memoryAddress(), memory);
  EXPECT_GE(buf.capacity(), 161U);
  auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 2U);
  EXPECT_EQ(m.liveBuffers, 1U);
  EXPECT_EQ(m.usedBytes, 384U);  // Netty's doubling asks for 256, plus the header
  EXPECT_EQ(buf.toString(), std::string(160, 'a') + "b");
}

TEST_F(PooledByteBufAllocatorTest, GrowthInPlaceStopsAtMaxCapacity) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.buffer(100, 120);
  buf.writeZero(120);
  EXPECT_EQ(buf.capacity(), 120U);
  EXPECT_THROW(buf.writeByte(0), std::out_of_range);
  EXPECT_EQ(alloc.metrics().allocations, 1U);
}

TEST_F(PooledByteBufAllocatorTest, SharedBufferDoesNotGrowInPlace) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.buffer(100);
  buf.writeBytes("shared");
  ByteBuf dup = buf.duplicate();
  const std::uint8_t* memory = dup.memoryAddress();
  dup.writeZero(120);  // fits the block's room, but buf can see that memory
  EXPECT_NE(dup.memoryAddress(), memory);
  EXPECT_EQ(buf.memoryAddress(), memory);
  EXPECT_EQ(alloc.metrics().liveBuffers, 2U);
}

TEST_F(PooledByteBufAllocatorTest, HugeBuffersAreUnpooledAndGiveTheirMemoryBack) {
  PooledByteBufAllocator alloc;
  const auto reservedBefore = alloc.metrics().reservedBytes;
  {
    ByteBuf huge = alloc.buffer(2 * kMiB);
    huge.writeZero(2 * kMiB);
    const auto m = alloc.metrics();
    EXPECT_EQ(m.reservedBytes, reservedBefore + 2 * kMiB + kHeader);
    EXPECT_EQ(m.usedBytes, 2 * kMiB + kHeader);
    EXPECT_EQ(m.liveBuffers, 1U);
    EXPECT_EQ(m.allocations, 1U);
  }
  EXPECT_EQ(alloc.metrics().reservedBytes, reservedBefore);
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, LargestClassIsPooledAndOneByteMoreIsNot) {
  PooledByteBufAllocator alloc;
  {
    ByteBuf largest = alloc.buffer(kMiB - kHeader);
    EXPECT_EQ(alloc.metrics().usedBytes, kMiB);
  }
  const auto reserved = alloc.metrics().reservedBytes;
  EXPECT_GE(reserved, kMiB);  // the chunk stays
  {
    ByteBuf huge = alloc.buffer(kMiB - kHeader + 1);
    EXPECT_EQ(alloc.metrics().reservedBytes, reserved + kMiB + 1);
  }
  EXPECT_EQ(alloc.metrics().reservedBytes, reserved);
}

TEST_F(PooledByteBufAllocatorTest, GrowingPastTheLargestClassMovesToAnUnpooledBlock) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.buffer(1000);
  buf.writeBytes("start");
  buf.writeZero(3 * kMiB);
  const auto m = alloc.metrics();
  EXPECT_EQ(m.liveBuffers, 1U);
  EXPECT_GT(m.usedBytes, 3 * kMiB);
  EXPECT_EQ(buf.toString(0, 5), "start");
  buf = ByteBuf();
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, MaxPooledSizeMovesTheUnpooledThreshold) {
  PooledByteBufAllocator alloc({.maxPooledSize = 4096});
  {
    ByteBuf pooled = alloc.buffer(4096 - kHeader);
    EXPECT_EQ(alloc.metrics().usedBytes, 4096U);
  }
  const auto reserved = alloc.metrics().reservedBytes;
  {
    ByteBuf unpooled = alloc.buffer(4096 - kHeader + 1);
    EXPECT_EQ(alloc.metrics().usedBytes, 4097U);
    EXPECT_EQ(alloc.metrics().reservedBytes, reserved + 4097U);
  }
  EXPECT_EQ(alloc.metrics().reservedBytes, reserved);
}

TEST_F(PooledByteBufAllocatorTest, WorksWithoutThreadCaches) {
  PooledByteBufAllocator alloc({.numArenas = 1, .threadCacheBytesPerClass = 0});
  std::mt19937 rng(7);
  std::vector<ByteBuf> kept;
  for (int i = 0; i < 2000; ++i) {
    ByteBuf buf = alloc.buffer(std::uniform_int_distribution<std::size_t>(0, 5000)(rng));
    buf.writeInt(static_cast<std::uint32_t>(i));
    if (i % 3 == 0) {
      kept.push_back(std::move(buf));
    }
  }
  auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 2000U);
  EXPECT_EQ(m.liveBuffers, kept.size());
  EXPECT_EQ(m.cacheHits, 0U);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    ASSERT_EQ(kept[i].getUnsignedInt(0), 3 * i);
  }
  kept.clear();
  expectNoneLive(alloc);
  // With no cache in between, a released block is the arena's next one.
  const std::uint8_t* memory = nullptr;
  {
    ByteBuf buf = alloc.buffer(100);
    memory = buf.memoryAddress();
  }
  ByteBuf buf = alloc.buffer(100);
  EXPECT_EQ(buf.memoryAddress(), memory);
  EXPECT_EQ(alloc.metrics().cacheHits, 0U);
}

TEST_F(PooledByteBufAllocatorTest, WithoutThreadCachesCrossThreadFreesStillWork) {
  PooledByteBufAllocator alloc({.threadCacheBytesPerClass = 0});
  std::vector<ByteBuf> bufs;
  for (int i = 0; i < 100; ++i) {
    bufs.push_back(alloc.copiedBuffer("from main"));
  }
  std::thread([&] { bufs.clear(); }).join();
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, TrimGivesTheCachedBlocksBack) {
  PooledByteBufAllocator alloc;
  { ByteBuf warm = alloc.buffer(10); }  // the cache now holds a batch of 64-byte blocks
  const auto reserved = alloc.metrics().reservedBytes;
  alloc.trimCurrentThreadCache();
  {
    ByteBuf buf = alloc.buffer(10);  // the cache is empty again: a miss
  }
  auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 2U);
  EXPECT_EQ(m.cacheHits, 0U);
  EXPECT_EQ(m.reservedBytes, reserved);  // chunks are kept: trimming returns blocks to arenas
  { ByteBuf buf = alloc.buffer(10); }
  EXPECT_EQ(alloc.metrics().cacheHits, 1U);
  alloc.trimCurrentThreadCache();
  alloc.trimCurrentThreadCache();  // an empty cache trims to nothing
  expectNoneLive(alloc);
}

TEST_F(PooledByteBufAllocatorTest, TrimLeavesLiveBuffersAlone) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.copiedBuffer("still mine");
  alloc.trimCurrentThreadCache();
  EXPECT_EQ(buf.toStringView(), "still mine");
  buf.writeBytes(" and growing");
  EXPECT_EQ(buf.toStringView(), "still mine and growing");
  EXPECT_EQ(alloc.metrics().liveBuffers, 1U);
}

TEST_F(PooledByteBufAllocatorTest, BufferReleasedOnAnotherThreadIsCounted) {
  PooledByteBufAllocator alloc;
  ByteBuf buf = alloc.copiedBuffer("cross-thread");
  ByteBuf slice = buf.slice(0, 5);
  std::thread([b = std::move(buf)]() mutable { b = ByteBuf(); }).join();
  EXPECT_EQ(alloc.metrics().liveBuffers, 1U);  // the slice still holds it
  std::thread([s = std::move(slice)]() mutable {
    EXPECT_EQ(s.toStringView(), "cross");
    s = ByteBuf();
  }).join();
  const auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, 1U);
  EXPECT_EQ(m.liveBuffers, 0U);  // allocations - frees: the free on the other thread counted
  EXPECT_EQ(m.usedBytes, 0U);
}

TEST_F(PooledByteBufAllocatorTest, BufferOutlivesTheThreadThatAllocatedIt) {
  PooledByteBufAllocator alloc;
  ByteBuf buf;
  std::thread([&] {
    ByteBuf local = alloc.buffer(64);
    local.writeBytes("made on a thread that is gone");
    buf = std::move(local);
  }).join();  // the thread's cache is gone with it
  EXPECT_EQ(buf.toStringView(), "made on a thread that is gone");
  buf.writeBytes(std::string(5000, '!'));  // growth asks the block's arena for more
  EXPECT_EQ(buf.toString(0, 4), "made");
  EXPECT_EQ(buf.readableBytes(), 29U + 5000U);
  ByteBuf copy = buf.copy();
  EXPECT_EQ(alloc.metrics().liveBuffers, 2U);
  buf = ByteBuf();
  copy = ByteBuf();
  expectNoneLive(alloc);
  EXPECT_EQ(alloc.metrics().allocations, 3U);
}

TEST_F(PooledByteBufAllocatorTest, MetricsSumEveryThreadsCounters) {
  PooledByteBufAllocator alloc;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::mutex mutex;
  std::condition_variable cv;
  int allocated = 0;
  bool release = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<ByteBuf> bufs;
      for (int i = 0; i < kPerThread; ++i) {
        bufs.push_back(alloc.buffer(100));
      }
      std::unique_lock lock(mutex);
      ++allocated;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
  }
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return allocated == kThreads; });
  }
  const auto m = alloc.metrics();
  EXPECT_EQ(m.allocations, std::uint64_t{kThreads * kPerThread});
  EXPECT_EQ(m.liveBuffers, std::uint64_t{kThreads * kPerThread});
  EXPECT_EQ(m.usedBytes, std::uint64_t{kThreads * kPerThread * 192});
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
  for (auto& t : threads) {
    t.join();
  }
  expectNoneLive(alloc);
  EXPECT_EQ(alloc.metrics().allocations, std::uint64_t{kThreads * kPerThread});  // kept
}

TEST_F(PooledByteBufAllocatorTest, AllocatorMayGoBeforeAThreadThatUsedIt) {
  auto alloc = std::make_unique<PooledByteBufAllocator>();
  std::mutex mutex;
  std::condition_variable cv;
  int step = 0;
  std::thread worker([&] {
    { ByteBuf buf = alloc->buffer(100); }  // leaves blocks in this thread's cache
    std::unique_lock lock(mutex);
    step = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return step == 2; });
    // The allocator is gone; using another one drops the dead cache.
    ByteBuf other = PooledByteBufAllocator::defaultAllocator().buffer(100);
  });
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return step == 1; });
  }
  expectNoneLive(*alloc);
  alloc.reset();
  {
    std::lock_guard lock(mutex);
    step = 2;
  }
  cv.notify_all();
  worker.join();
}

TEST_F(PooledByteBufAllocatorTest, DestroyingWithLiveBuffersIsLogged) {
  std::vector<std::string> errors;
  std::mutex mutex;
  auto previous = Log::setSink([&](LogLevel level, std::string_view, std::string_view message) {
    std::lock_guard lock(mutex);
    if (level == LogLevel::Error) {
      errors.emplace_back(message);
    }
  });
  ByteBuf survivor;
  {
    // A thread's cache keeps the pool's memory alive after the allocator is gone, so the
    // buffer below stays valid; the destructor still reports it.
    auto alloc = std::make_unique<PooledByteBufAllocator>();
    std::mutex m;
    std::condition_variable cv;
    int step = 0;
    std::thread holder([&] {
      { ByteBuf warm = alloc->buffer(8); }
      std::unique_lock lock(m);
      step = 1;
      cv.notify_all();
      cv.wait(lock, [&] { return step == 2; });
    });
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return step == 1; });
    }
    survivor = alloc->copiedBuffer("outlives its allocator");
    alloc.reset();
    survivor = ByteBuf();  // the holder's cache keeps the core alive until now
    {
      std::lock_guard lock(m);
      step = 2;
    }
    cv.notify_all();
    holder.join();
  }
  Log::setSink(std::move(previous));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].find("1 live buffers"), std::string::npos) << errors[0];
}

// ---- Two threads handing buffers to each other ------------------------------------------

// Two bounded queues, one each way, under one lock. Each thread allocates, fills and sends
// buffers to the other, and verifies and frees what it receives, until it has sent its
// share or its time is up; then it keeps draining until the other side is done too.
class Exchange {
 public:
  struct Options {
    std::array<int, 2> maxBuffers{20000, 20000};  // each thread sends at most this many
    std::chrono::milliseconds timeBudget{2000};   // per thread, for slow sanitizer builds
    std::function<std::size_t(std::mt19937&)> size;
    bool shareSometimes = true;  // send slices whose parent the sender releases
  };
  struct Result {
    std::array<int, 2> sent{0, 0};
    std::array<int, 2> received{0, 0};
  };

  static Result run(ByteBufAllocator& alloc, const Options& options) {
    Exchange ex;
    Result result;
    std::thread a([&] { ex.worker(0, alloc, options, result); });
    std::thread b([&] { ex.worker(1, alloc, options, result); });
    a.join();
    b.join();
    return result;
  }

 private:
  static constexpr std::size_t kQueueCapacity = 64;

  static void fill(ByteBuf& buf, std::uint32_t tag, std::size_t size) {
    buf.writeInt(tag);
    for (std::size_t i = 4; i < size; ++i) {
      buf.writeByte(static_cast<std::uint8_t>(tag + i));
    }
  }
  static bool verify(const ByteBuf& buf) {
    if (buf.readableBytes() < 4) {
      return false;
    }
    const std::uint32_t tag = buf.getUnsignedInt(buf.readerIndex());
    const auto bytes = buf.readableSpan();
    for (std::size_t i = 4; i < bytes.size(); ++i) {
      if (bytes[i] != static_cast<std::uint8_t>(tag + i)) {
        return false;
      }
    }
    return true;
  }

  void worker(std::size_t self, ByteBufAllocator& alloc, const Options& options, Result& result) {
    const std::size_t peer = 1 - self;
    std::mt19937 rng(static_cast<std::uint32_t>(self) + 1);
    const auto deadline = std::chrono::steady_clock::now() + options.timeBudget;
    bool producing = options.maxBuffers[self] > 0;
    if (!producing) {
      std::lock_guard lock(mutex_);
      done_[self] = true;
    }
    int sent = 0;
    int received = 0;
    std::vector<ByteBuf> inbox;
    while (true) {
      bool canSend = false;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] {
          return !queues_[self].empty() ||
                 (producing ? queues_[peer].size() < kQueueCapacity : done_[peer]);
        });
        while (!queues_[self].empty()) {
          inbox.push_back(std::move(queues_[self].front()));
          queues_[self].pop_front();
        }
        if (!producing && done_[peer] && inbox.empty()) {
          break;
        }
        canSend = producing && queues_[peer].size() < kQueueCapacity;
      }
      cv_.notify_all();  // there is room in our queue again
      for (ByteBuf& buf : inbox) {
        EXPECT_TRUE(verify(buf)) << "corrupted buffer received by thread " << self;
        if (received % 7 == 0 && buf.maxWritableBytes() >= 300) {
          buf.writeZero(300);  // growth on the receiving thread, through the block's arena
        }
        ++received;
        buf = ByteBuf();  // the cross-thread free
      }
      inbox.clear();
      if (canSend) {
        const std::size_t size = std::max<std::size_t>(4, options.size(rng));
        ByteBuf buf = alloc.buffer(size);
        fill(buf, static_cast<std::uint32_t>(rng()), size);
        ByteBuf out = options.shareSometimes && sent % 4 == 0 ? buf.slice() : std::move(buf);
        buf = ByteBuf();  // a shared block is now released by both threads, in either order
        {
          std::lock_guard lock(mutex_);
          queues_[peer].push_back(std::move(out));
        }
        cv_.notify_all();
        ++sent;
      }
      if (producing &&
          (sent >= options.maxBuffers[self] || std::chrono::steady_clock::now() > deadline)) {
        producing = false;
        {
          std::lock_guard lock(mutex_);
          done_[self] = true;
        }
        cv_.notify_all();
      }
    }
    result.sent[self] = sent;
    result.received[self] = received;
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::array<std::deque<ByteBuf>, 2> queues_;
  std::array<bool, 2> done_{false, false};
};

TEST_F(PooledByteBufAllocatorTest, TwoThreadsFreeEachOthersBuffers) {
  PooledByteBufAllocator alloc({.numArenas = 2});
  Exchange::Options options;
  options.size = [](std::mt19937& rng) -> std::size_t {
    const auto pick = rng() % 1000;
    if (pick == 0) {
      return 1536 * 1024;  // now and then a huge, unpooled one
    }
    if (pick < 50) {
      return 4096 + rng() % 60000;
    }
    return 1 + rng() % 2048;
  };
  const auto result = Exchange::run(alloc, options);
  EXPECT_GE(result.sent[0], 200);
  EXPECT_GE(result.sent[1], 200);
  EXPECT_EQ(result.received[1], result.sent[0]);
  EXPECT_EQ(result.received[0], result.sent[1]);
  const auto m = alloc.metrics();
  EXPECT_EQ(m.liveBuffers, 0U);
  EXPECT_EQ(m.usedBytes, 0U);
  EXPECT_GE(m.allocations, static_cast<std::uint64_t>(result.sent[0] + result.sent[1]));
}

TEST_F(PooledByteBufAllocatorTest, MemoryFreedOnAnotherThreadGoesBackToItsArena) {
  // If blocks freed on the receiving side stayed there, each sender would keep carving new
  // chunks and the reserved memory would grow with every round. They go home instead, so
  // it levels off at a few caches' worth.
  constexpr std::size_t kCacheBytes = 64 << 10;
  PooledByteBufAllocator alloc({.numArenas = 2, .threadCacheBytesPerClass = kCacheBytes});
  Exchange::Options options;
  options.maxBuffers = {2000, 0};  // one way: the receiver allocates nothing of its own
  options.size = [](std::mt19937&) -> std::size_t { return 1000; };  // the 1536-byte class
  options.shareSometimes = false;
  // Two caches, the queue and a refill in flight, rounded up to chunks, for each of the two
  // arenas the sender may be given; a sender whose blocks never came home would carve 2000
  // blocks (3 MiB) in the first round alone.
  constexpr std::uint64_t kBound = 2 * kMiB;
  int rounds = 0;
  std::vector<std::uint64_t> reserved;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  while (rounds < 20 && (rounds < 3 || std::chrono::steady_clock::now() < deadline)) {
    const auto result = Exchange::run(alloc, options);
    ASSERT_EQ(result.received[1], result.sent[0]);
    ++rounds;
    reserved.push_back(alloc.metrics().reservedBytes);
    ASSERT_LE(reserved.back(), kBound) << "after round " << rounds;
    ASSERT_EQ(alloc.metrics().liveBuffers, 0U);
  }
  EXPECT_LE(reserved.back(), kBound);
  EXPECT_GT(reserved.back(), 0U);
}

// The value of an unlabelled gauge in the global registry, or -1 if it is not there.
double globalGauge(std::string_view name) {
  for (const MetricFamily& f : MetricsRegistry::global().collect()) {
    if (f.name == name && f.samples.size() == 1) {
      return f.samples[0].value;
    }
  }
  return -1;
}

TEST_F(PooledByteBufAllocatorTest, DefaultAllocatorReportsItsMemoryAsGauges) {
  PooledByteBufAllocator& alloc = PooledByteBufAllocator::defaultAllocator();
  const double live = globalGauge("sluice_allocator_live_buffers");
  const double used = globalGauge("sluice_allocator_used_bytes");
  std::vector<ByteBuf> held;
  for (int i = 0; i < 10; ++i) {
    held.push_back(alloc.buffer(4000));
  }
  EXPECT_EQ(globalGauge("sluice_allocator_live_buffers"), live + 10);
  EXPECT_GE(globalGauge("sluice_allocator_used_bytes"), used + 10 * 4000);
  EXPECT_GE(globalGauge("sluice_allocator_reserved_bytes"),
            globalGauge("sluice_allocator_used_bytes"));
  const double ratio = globalGauge("sluice_allocator_cache_hit_ratio");
  EXPECT_GE(ratio, 0.0);
  EXPECT_LE(ratio, 1.0);
  EXPECT_EQ(globalGauge("sluice_allocator_live_buffers"),
            static_cast<double>(alloc.metrics().liveBuffers));
  held.clear();
  EXPECT_EQ(globalGauge("sluice_allocator_live_buffers"), live);
}

}  // namespace
}  // namespace sluice
