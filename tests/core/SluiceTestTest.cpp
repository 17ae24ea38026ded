// The fixture every sluice test derives from must fail a test that leaves a buffer alive.
// These tests run its SetUp and TearDown by hand around a buffer kept on purpose.

#include <gtest/gtest-spi.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

// A SluiceTest whose SetUp and TearDown can be called from a test body.
class Probe : public testing::SluiceTest {
 public:
  using SluiceTest::expectNoOutstandingBuffers;
  using SluiceTest::SetUp;
  using SluiceTest::TearDown;

 private:
  void TestBody() override {}
};

// Runs `body` between a Probe's SetUp and TearDown; returns the messages of the failures
// TearDown reported.
template <typename Body>
std::vector<std::string> failuresAround(Body&& body) {
  ::testing::TestPartResultArray results;
  Probe probe;
  probe.SetUp();
  body();
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    probe.TearDown();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) {
    messages.emplace_back(results.GetTestPartResult(i).message());
  }
  return messages;
}

class SluiceTestTest : public testing::SluiceTest {};

TEST_F(SluiceTestTest, FailsWhenAPooledBufferIsStillAlive) {
  ByteBuf kept;
  Probe probe;
  probe.SetUp();
  kept = PooledByteBufAllocator::defaultAllocator().buffer(16);
  EXPECT_NONFATAL_FAILURE(probe.TearDown(), "buffers outstanding when the test ended");
  kept = ByteBuf();  // before this test's own TearDown
}

TEST_F(SluiceTestTest, FailsWhenAnUnpooledBufferIsStillAlive) {
  ByteBuf kept;
  Probe probe;
  probe.SetUp();
  kept = UnpooledByteBufAllocator::defaultAllocator().copiedBuffer("kept");
  EXPECT_NONFATAL_FAILURE(probe.TearDown(), "unpooled 0 -> 1");
  kept = ByteBuf();
}

TEST_F(SluiceTestTest, FailsWhenOnlyASliceIsStillAlive) {
  ByteBuf slice;
  Probe probe;
  probe.SetUp();
  {
    ByteBuf buf = PooledByteBufAllocator::defaultAllocator().copiedBuffer("parent");
    slice = buf.slice(0, 3);
  }
  EXPECT_NONFATAL_FAILURE(probe.TearDown(), "pooled");
  slice = ByteBuf();
}

TEST_F(SluiceTestTest, PassesWhenEveryBufferWasReleased) {
  const auto failures = failuresAround([] {
    ByteBuf a = PooledByteBufAllocator::defaultAllocator().buffer(16);
    ByteBuf b = UnpooledByteBufAllocator::defaultAllocator().buffer(16);
    ByteBuf slice = a.slice(0, 4);
    a.writeBytes(std::string(5000, 'x'));  // growth releases the first block too
  });
  EXPECT_TRUE(failures.empty()) << failures.front();
}

TEST_F(SluiceTestTest, BuffersAliveBeforeTheTestStartedAreNotItsLeaks) {
  ByteBuf earlier = PooledByteBufAllocator::defaultAllocator().buffer(16);
  const auto failures = failuresAround([] {});
  EXPECT_TRUE(failures.empty()) << failures.front();
  // ... but releasing one of them during the test is a change the fixture reports, too:
  // its count is a balance, and a balance that moved means ownership went astray.
  const auto released = failuresAround([&] { earlier = ByteBuf(); });
  EXPECT_EQ(released.size(), 1U);
}

TEST_F(SluiceTestTest, FailureShowsSampledAllocationStacks) {
  const auto level = ResourceLeakDetector::level();
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Paranoid);
  ByteBuf kept;
  const auto failures =
      failuresAround([&] { kept = PooledByteBufAllocator::defaultAllocator().buffer(16); });
  ResourceLeakDetector::setLevel(level);
  kept = ByteBuf();
  ASSERT_EQ(failures.size(), 1U);
  const std::string& message = failures.front();
  EXPECT_NE(message.find("allocated at:"), std::string::npos) << message;
  EXPECT_EQ(message.find("no sampled stacks"), std::string::npos) << message;
}

TEST_F(SluiceTestTest, FailureWithoutStacksSaysHowToGetThem) {
  const auto level = ResourceLeakDetector::level();
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  ByteBuf kept;
  const auto failures =
      failuresAround([&] { kept = PooledByteBufAllocator::defaultAllocator().buffer(16); });
  ResourceLeakDetector::setLevel(level);
  kept = ByteBuf();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_NE(failures.front().find("SLUICE_LEAK_DETECTION=paranoid"), std::string::npos)
      << failures.front();
}

TEST_F(SluiceTestTest, ExpectNoOutstandingBuffersChecksATestsOwnAllocator) {
  PooledByteBufAllocator alloc;
  ByteBuf kept = alloc.buffer(8);
  EXPECT_NONFATAL_FAILURE(Probe::expectNoOutstandingBuffers(alloc),
                          "buffers outstanding in a test's allocator");
  kept = ByteBuf();
  Probe::expectNoOutstandingBuffers(alloc);  // and passes once they are released
}

}  // namespace
}  // namespace sluice
