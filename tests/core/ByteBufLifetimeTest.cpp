// Reference counts and lifetimes of ByteBuf handles: when memory goes back to its allocator,
// and that nothing touches it afterwards. Under AddressSanitizer, pooled memory is poisoned
// when it is released, so a raw pointer kept past the last release is reported like a use
// after free.

#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_TEST_ASAN 1
#endif
#endif

namespace sluice {
namespace {

// A private pooled allocator per test, so that its counters are exact.
class ByteBufLifetimeTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    expectNoOutstandingBuffers(alloc_);
    SluiceTest::TearDown();
  }

  std::uint64_t live() const { return alloc_.metrics().liveBuffers; }

  PooledByteBufAllocator alloc_;
};

TEST_F(ByteBufLifetimeTest, EveryDerivedHandleHoldsOneReference) {
  ByteBuf buf = alloc_.copiedBuffer("0123456789");
  EXPECT_EQ(buf.refCnt(), 1U);
  {
    ByteBuf slice = buf.slice(1, 3);
    EXPECT_EQ(buf.refCnt(), 2U);
    ByteBuf dup = buf.duplicate();
    EXPECT_EQ(buf.refCnt(), 3U);
    ByteBuf read = buf.readSlice(2);
    EXPECT_EQ(buf.refCnt(), 4U);
    ByteBuf sliceOfSlice = slice.slice(1, 1);
    EXPECT_EQ(buf.refCnt(), 5U);
    EXPECT_EQ(sliceOfSlice.refCnt(), 5U);  // one count for the memory, seen by every handle
    EXPECT_EQ(live(), 1U);                 // and one buffer, however many handles
  }
  EXPECT_EQ(buf.refCnt(), 1U);
  EXPECT_TRUE(buf.isUnique());
}

TEST_F(ByteBufLifetimeTest, MemoryGoesBackOnlyWithTheLastHandle) {
  ByteBuf slice;
  ByteBuf dup;
  {
    ByteBuf buf = alloc_.copiedBuffer("shared bytes");
    slice = buf.slice(0, 6);
    dup = buf.duplicate();
  }
  EXPECT_EQ(live(), 1U);
  EXPECT_EQ(slice.refCnt(), 2U);
  EXPECT_EQ(slice.toStringView(), "shared");
  dup = ByteBuf();
  EXPECT_EQ(live(), 1U);
  EXPECT_EQ(slice.refCnt(), 1U);
  EXPECT_EQ(slice.toStringView(), "shared");
  slice = ByteBuf();
  EXPECT_EQ(live(), 0U);
}

TEST_F(ByteBufLifetimeTest, ReadSliceOutlivesItsParent) {
  ByteBuf head;
  ByteBuf body;
  {
    ByteBuf buf = alloc_.copiedBuffer("HEADbody");
    head = buf.readSlice(4);
    body = buf.readRetainedSlice(4);
  }
  EXPECT_EQ(head.refCnt(), 2U);
  EXPECT_EQ(head.toStringView(), "HEAD");
  EXPECT_EQ(body.toStringView(), "body");
  head = ByteBuf();
  EXPECT_EQ(body.refCnt(), 1U);
  EXPECT_EQ(live(), 1U);
}

TEST_F(ByteBufLifetimeTest, MovingTransfersTheReferenceWithoutCounting) {
  ByteBuf a = alloc_.copiedBuffer("moved");
  const std::uint8_t* memory = a.memoryAddress();
  ByteBuf b = std::move(a);
  EXPECT_EQ(b.refCnt(), 1U);
  EXPECT_EQ(b.memoryAddress(), memory);
  EXPECT_EQ(a.memoryAddress(), nullptr);  // NOLINT(bugprone-use-after-move): API state
  ByteBuf c;
  c = std::move(b);
  EXPECT_EQ(c.refCnt(), 1U);
  EXPECT_EQ(live(), 1U);
}

TEST_F(ByteBufLifetimeTest, MoveAssignmentReleasesWhatTheTargetHeld) {
  ByteBuf target = alloc_.copiedBuffer("old");
  ByteBuf source = alloc_.copiedBuffer("new");
  EXPECT_EQ(live(), 2U);
  target = std::move(source);
  EXPECT_EQ(live(), 1U);
  EXPECT_EQ(target.toStringView(), "new");
}

TEST_F(ByteBufLifetimeTest, MoveAssignmentOfASliceOverItsParentKeepsTheMemory) {
  ByteBuf buf = alloc_.copiedBuffer("parent and slice");
  ByteBuf slice = buf.slice(11, 5);
  buf = std::move(slice);  // releases the parent's reference, the slice's one remains
  EXPECT_EQ(buf.refCnt(), 1U);
  EXPECT_EQ(buf.toStringView(), "slice");
  EXPECT_EQ(live(), 1U);
}

TEST_F(ByteBufLifetimeTest, SwapExchangesOwnership) {
  ByteBuf a = alloc_.copiedBuffer("a");
  ByteBuf b = alloc_.buffer(8);
  ByteBuf sliceOfA = a.slice();
  swap(a, b);
  EXPECT_EQ(b.toStringView(), "a");
  EXPECT_EQ(b.refCnt(), 2U);
  EXPECT_EQ(a.refCnt(), 1U);
  EXPECT_FALSE(a.isReadable());
  EXPECT_EQ(live(), 2U);
}

TEST_F(ByteBufLifetimeTest, CopyIsANewBufferWithItsOwnLifetime) {
  ByteBuf copy;
  {
    ByteBuf buf = alloc_.copiedBuffer("deep");
    copy = buf.copy();
    EXPECT_EQ(live(), 2U);
    EXPECT_NE(copy.memoryAddress(), buf.memoryAddress());
  }
  EXPECT_EQ(live(), 1U);
  EXPECT_EQ(copy.toStringView(), "deep");
}

TEST_F(ByteBufLifetimeTest, GrowingASharedHandleDetachesItAndKeepsTheOtherValid) {
  ByteBuf buf = alloc_.buffer(8);
  buf.writeBytes("12345678");
  ByteBuf dup = buf.duplicate();
  const std::uint8_t* before = buf.memoryAddress();
  dup.writeBytes(std::string(1000, 'x'));
  EXPECT_NE(dup.memoryAddress(), before);
  EXPECT_EQ(buf.memoryAddress(), before);
  EXPECT_EQ(buf.refCnt(), 1U);
  EXPECT_EQ(dup.refCnt(), 1U);
  EXPECT_EQ(live(), 2U);
  EXPECT_EQ(buf.toStringView(), "12345678");
  EXPECT_EQ(dup.toString(0, 8), "12345678");
}

TEST_F(ByteBufLifetimeTest, GrowingAUniqueHandleReleasesTheBlockItLeaves) {
  ByteBuf buf = alloc_.buffer(8);
  buf.writeBytes("12345678");
  buf.writeBytes(std::string(4000, 'y'));
  EXPECT_EQ(live(), 1U);
  EXPECT_EQ(alloc_.metrics().allocations, 2U);
  EXPECT_EQ(buf.toString(0, 8), "12345678");
}

TEST_F(ByteBufLifetimeTest, ASliceCannotBeGrownPastItsLength) {
  ByteBuf buf = alloc_.buffer(64);
  buf.writeBytes("abcdef");
  ByteBuf slice = buf.slice(0, 3);
  slice.clear();
  slice.writeBytes("XYZ");  // within the slice: writes through to the shared bytes
  EXPECT_EQ(buf.toStringView(), "XYZdef");
  EXPECT_THROW(slice.writeByte('!'), std::out_of_range);
  EXPECT_EQ(buf.toStringView(), "XYZdef");
  EXPECT_EQ(buf.refCnt(), 2U);
}

TEST_F(ByteBufLifetimeTest, PrependOnlyWhenNoOtherHandleCanSeeTheHeadroom) {
  ByteBuf buf = alloc_.bufferWithHeadroom(4, 4);
  buf.writeBytes("body");
  {
    ByteBuf slice = buf.slice();
    EXPECT_FALSE(buf.canPrepend(4));
  }
  ASSERT_TRUE(buf.canPrepend(4));
  auto header = buf.prepend(4);
  std::fill(header.begin(), header.end(), std::uint8_t{'H'});
  EXPECT_EQ(buf.toStringView(), "HHHHbody");
}

TEST_F(ByteBufLifetimeTest, HandlesReleasedOnManyThreadsFreeTheMemoryOnce) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<ByteBuf> slices;
    {
      ByteBuf buf = alloc_.copiedBuffer("released everywhere");
      for (int t = 0; t < kThreads; ++t) {
        slices.push_back(buf.slice());
      }
    }
    // Every thread waits for the others, then drops its handle: the count races to zero.
    std::mutex mutex;
    std::condition_variable cv;
    int ready = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, handle = std::move(slices[static_cast<std::size_t>(t)])]() mutable {
        {
          std::unique_lock lock(mutex);
          if (++ready == kThreads) {
            cv.notify_all();
          }
          cv.wait(lock, [&] { return ready == kThreads; });
        }
        EXPECT_EQ(handle.toStringView(), "released everywhere");
        handle = ByteBuf();
      });
    }
    for (auto& t : threads) {
      t.join();
    }
  }
  const auto m = alloc_.metrics();
  EXPECT_EQ(m.allocations, static_cast<std::uint64_t>(kRounds));
  EXPECT_EQ(m.liveBuffers, 0U);
}

TEST_F(ByteBufLifetimeTest, PooledMemoryIsReusedOnceReleased) {
  // Why a raw pointer must not outlive its handles: the next buffer gets the same memory.
  const std::uint8_t* first = nullptr;
  {
    ByteBuf buf = alloc_.buffer(100);
    first = buf.memoryAddress();
  }
  ByteBuf next = alloc_.buffer(100);
  EXPECT_EQ(next.memoryAddress(), first);
}

#if defined(SLUICE_TEST_ASAN)

// Reads a byte through a pointer the caller no longer owns; volatile so it is not elided.
[[gnu::noinline]] std::uint8_t touch(const std::uint8_t* p) {
  return *static_cast<const volatile std::uint8_t*>(p);
}

class ByteBufLifetimeDeathTest : public testing::SluiceTest {
 protected:
  void SetUp() override {
    SluiceTest::SetUp();
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST_F(ByteBufLifetimeDeathTest, PointerIntoAPooledBufferAfterItsLastReleaseIsReported) {
  auto useAfterRelease = [] {
    const std::uint8_t* p = nullptr;
    {
      ByteBuf buf = PooledByteBufAllocator::defaultAllocator().copiedBuffer("poisoned");
      p = buf.readableSpan().data();
    }
    touch(p);
  };
  EXPECT_DEATH(useAfterRelease(), "use-after-poison|use-after-free");
}

TEST_F(ByteBufLifetimeDeathTest, PointerIntoASliceAfterEveryHandleIsGoneIsReported) {
  auto useAfterRelease = [] {
    const std::uint8_t* p = nullptr;
    {
      ByteBuf buf = PooledByteBufAllocator::defaultAllocator().copiedBuffer("parent");
      ByteBuf slice = buf.slice(2, 4);
      buf = ByteBuf();
      p = slice.readableSpan().data();
      touch(p);  // still fine: the slice holds the memory
    }
    touch(p);
  };
  EXPECT_DEATH(useAfterRelease(), "use-after-poison|use-after-free");
}

TEST_F(ByteBufLifetimeDeathTest, PointerIntoAnUnpooledBufferAfterItsLastReleaseIsReported) {
  auto useAfterRelease = [] {
    const std::uint8_t* p = nullptr;
    {
      ByteBuf buf = UnpooledByteBufAllocator::defaultAllocator().copiedBuffer("freed");
      p = buf.readableSpan().data();
    }
    touch(p);
  };
  EXPECT_DEATH(useAfterRelease(), "use-after-poison|use-after-free");
}

TEST_F(ByteBufLifetimeDeathTest, PointerIntoTheBlockAGrownBufferLeftIsReported) {
  auto useAfterGrowth = [] {
    ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(8);
    buf.writeBytes("12345678");
    const std::uint8_t* old = buf.readableSpan().data();
    buf.writeBytes(std::string(4096, 'z'));  // moves to a larger block, releasing this one
    touch(old);
  };
  EXPECT_DEATH(useAfterGrowth(), "use-after-poison|use-after-free");
}

#else

TEST(ByteBufLifetimeDeathTest, NeedsAddressSanitizer) {
  GTEST_SKIP() << "use-after-release is detected in the ASan build (./dev.sh asan)";
}

#endif

}  // namespace
}  // namespace sluice
