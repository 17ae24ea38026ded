// Counts the heap allocations of a ChannelGroup broadcast to 1,000 channels. Its own
// executable: it replaces the global operator new to count allocations.

#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <memory>
#include <vector>

#include "support/AllocationCounter.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

// Stands in for a socket that takes every byte at once: completes the write and drops the
// message, so what is measured is the broadcast, not EmbeddedChannel's outbound queue.
class Wire : public ChannelOutboundHandler {
 public:
  std::size_t bytes = 0;
  void write(ChannelHandlerContext&, Message msg, ChannelPromise promise) override {
    bytes += msg.get<ByteBuf>().readableBytes();
    promise.trySuccess();
  }
};

class ChannelGroupAllocationTest : public testing::SluiceTest {};

constexpr int kMembers = 1000;
constexpr int kBroadcasts = 100;

TEST_F(ChannelGroupAllocationTest, BroadcastToAThousandChannelsAllocatesOnce) {
  auto& alloc = PooledByteBufAllocator::defaultAllocator();
  std::vector<std::shared_ptr<EmbeddedChannel>> members;
  std::vector<Wire*> wires;
  ChannelGroup group;
  for (int i = 0; i < kMembers; ++i) {
    auto wire = std::make_unique<Wire>();
    wires.push_back(wire.get());
    members.push_back(std::make_shared<EmbeddedChannel>(std::move(wire)));
    group.add(members.back());
  }
  const auto encode = [](ByteBufAllocator& a) {
    ByteBuf b = a.buffer(64);
    b.writeZero(32);
    return b;
  };
  group.writeAndFlush(encode, {.voidPromise = true});  // warm-up: builds the member list

  const LeakDetectionLevel level = ResourceLeakDetector::level();
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  const std::uint64_t buffersBefore = alloc.metrics().allocations;
  const long before = testing::allocationCount();
  for (int i = 0; i < kBroadcasts; ++i) {
    ChannelGroupFuture f = group.writeAndFlush(encode, {.voidPromise = true});
    ASSERT_TRUE(f.isSuccess());
  }
  const long heap = testing::allocationCount() - before;
  const std::uint64_t buffers = alloc.metrics().allocations - buffersBefore;
  ResourceLeakDetector::setLevel(level);

  // One heap allocation per broadcast: the returned future's state. No per-member cost.
  EXPECT_EQ(heap, kBroadcasts) << "heap allocations for " << kBroadcasts << " broadcasts";
  // One buffer per broadcast: the message is encoded once and shared by every member.
  EXPECT_EQ(buffers, static_cast<std::uint64_t>(kBroadcasts));
  for (Wire* w : wires) {
    EXPECT_EQ(w->bytes, 32U * (kBroadcasts + 1));
  }
}

TEST_F(ChannelGroupAllocationTest, PromisePerMemberCostsAllocationsPerMember) {
  // For contrast, and to keep the claim above honest: a broadcast whose future tracks each
  // member makes a promise (and a listener) per member.
  std::vector<std::shared_ptr<EmbeddedChannel>> members;
  ChannelGroup group;
  for (int i = 0; i < 100; ++i) {
    members.push_back(std::make_shared<EmbeddedChannel>(std::make_unique<Wire>()));
    group.add(members.back());
  }
  group.writeAndFlush(ByteBuf(Unpooled::copiedBuffer("x")));
  const LeakDetectionLevel level = ResourceLeakDetector::level();
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  const long before = testing::allocationCount();
  ChannelGroupFuture f = group.writeAndFlush(Unpooled::copiedBuffer("x"));
  const long heap = testing::allocationCount() - before;
  ResourceLeakDetector::setLevel(level);
  EXPECT_TRUE(f.isSuccess());
  EXPECT_GE(heap, 100);
}

}  // namespace
}  // namespace sluice
