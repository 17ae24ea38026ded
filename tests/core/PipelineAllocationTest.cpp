// Proves that a ByteBuf passes through a pipeline of handlers without touching the heap.
// Its own executable: it replaces the global operator new to count allocations.

#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/util/ResourceLeakDetector.h>

#include "support/AllocationCounter.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

class Forward : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    ctx.fireChannelRead(std::move(msg));
  }
};

// Consumes what arrives, as an application handler would.
class Sink : public ChannelInboundHandler {
 public:
  std::size_t bytes = 0;
  void channelRead(ChannelHandlerContext&, Message msg) override {
    bytes += msg.get<ByteBuf>().readableBytes();
  }
};

class PipelineAllocationTest : public testing::SluiceTest {};

TEST_F(PipelineAllocationTest, ByteBufThroughTenHandlersAllocatesNothing) {
  EmbeddedChannel ch;
  for (int i = 0; i < 9; ++i) {
    ch.pipeline().addLast<Forward>();
  }
  Sink& sink = ch.pipeline().addLast<Sink>();
  auto& alloc = PooledByteBufAllocator::defaultAllocator();
  // Warm up: the first buffer of a size class fills this thread's cache.
  ch.pipeline().fireChannelRead(alloc.buffer(256).writeZero(100).slice());

  // The leak detector's samples (on by default in debug and sanitizer builds) record a
  // stack on the heap; the claim is about the data path, so measure without them.
  const LeakDetectionLevel level = ResourceLeakDetector::level();
  ResourceLeakDetector::setLevel(LeakDetectionLevel::Disabled);
  const long before = testing::allocationCount();
  for (int i = 0; i < 1000; ++i) {
    ByteBuf buf = alloc.buffer(256);
    buf.writeZero(100);
    ch.pipeline().fireChannelRead(std::move(buf));
  }
  const long after = testing::allocationCount();
  ResourceLeakDetector::setLevel(level);
  EXPECT_EQ(after - before, 0) << "heap allocations for 1000 messages through 10 handlers";
  EXPECT_EQ(sink.bytes, 100U * 1001);
}

}  // namespace
}  // namespace sluice
