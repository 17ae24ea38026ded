#include <sluice/buffer/Unpooled.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedEventLoop.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "support/SluiceTest.h"
#include "support/TestChannel.h"

namespace sluice {
namespace {

// Records each writability change as the handler sees it.
class WritabilityWatcher : public ChannelInboundHandler {
 public:
  std::vector<bool> changes;
  void channelWritabilityChanged(ChannelHandlerContext& ctx) override {
    changes.push_back(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }
};

class ChannelOutboundBufferTest : public testing::SluiceTest {
 protected:
  ChannelOutboundBufferTest() : ch_(std::make_shared<testing::TestChannel>(loop_)) {
    ch_->config().setWriteBufferWaterMark({.low = 8, .high = 16});
    watcher_ = &ch_->pipeline().addLast<WritabilityWatcher>();
    ch_->start();
  }
  void TearDown() override {
    ch_->close();  // fails and releases what is still queued, before the leak check
    SluiceTest::TearDown();
  }

  EmbeddedEventLoop loop_;
  std::shared_ptr<testing::TestChannel> ch_;
  WritabilityWatcher* watcher_;
};

TEST_F(ChannelOutboundBufferTest, WaterMarksDriveWritability) {
  ch_->writeLimit = 0;                               // the "socket" takes nothing
  ch_->write(Unpooled::copiedBuffer("0123456789"));  // 10 bytes: below high
  EXPECT_TRUE(ch_->isWritable());
  EXPECT_EQ(ch_->bytesBeforeUnwritable(), 6U);
  ch_->write(Unpooled::copiedBuffer("0123456789"));  // 20 bytes: above high
  EXPECT_FALSE(ch_->isWritable());
  EXPECT_EQ(ch_->bytesBeforeWritable(), 12U);
  EXPECT_TRUE(watcher_->changes.empty());  // told after the write returns
  loop_.runTasks();
  EXPECT_EQ(watcher_->changes, (std::vector<bool>{false}));

  ch_->writeLimit = 13;  // the peer reads 13 bytes: 7 left, below low
  ch_->flush();
  EXPECT_TRUE(ch_->isWritable());
  EXPECT_EQ(watcher_->changes, (std::vector<bool>{false, true}));
  EXPECT_EQ(ch_->outbound().totalPendingWriteBytes(), 7U);
  EXPECT_EQ(ch_->written(), (std::vector<std::string>{"0123456789", "012"}));
}

TEST_F(ChannelOutboundBufferTest, QueuedBytesFeedTheWriteQueueGauge) {
  Gauge& queued = MetricsRegistry::global().gauge("sluice_write_queue_bytes", "");
  const std::int64_t before = queued.value();
  ch_->writeLimit = 0;
  ch_->write(Unpooled::copiedBuffer("0123456789"));
  ch_->write(Unpooled::copiedBuffer("abcde"));
  EXPECT_EQ(queued.value(), before + 15);
  ch_->writeLimit = 12;  // the first buffer and two bytes of the second leave
  ch_->flush();
  EXPECT_EQ(queued.value(), before + 3);
  ch_->close();  // what is left is failed, and leaves the queue
  EXPECT_EQ(queued.value(), before);
}

TEST_F(ChannelOutboundBufferTest, AChannelDestroyedWithQueuedBytesLeavesTheGaugeRight) {
  Gauge& queued = MetricsRegistry::global().gauge("sluice_write_queue_bytes", "");
  const std::int64_t before = queued.value();
  {
    auto other = std::make_shared<testing::TestChannel>(loop_);
    other->start();
    other->write(Unpooled::copiedBuffer("never flushed"));
    EXPECT_EQ(queued.value(), before + 13);
  }
  EXPECT_EQ(queued.value(), before);
}

TEST_F(ChannelOutboundBufferTest, PromisesCompleteAsBytesLeave) {
  ch_->writeLimit = 4;
  ChannelFuture first = ch_->write(Unpooled::copiedBuffer("abc"));
  ChannelFuture second = ch_->write(Unpooled::copiedBuffer("defg"));
  ch_->flush();
  EXPECT_TRUE(first.isSuccess());
  EXPECT_FALSE(second.isDone());  // one of its four bytes left
  EXPECT_EQ(ch_->outbound().flushedCount(), 1U);
  ch_->writeLimit = 100;
  ch_->flush();
  EXPECT_TRUE(second.isSuccess());
  EXPECT_EQ(ch_->written(), (std::vector<std::string>{"abc", "d", "efg"}));
}

TEST_F(ChannelOutboundBufferTest, OnlyFlushedEntriesAreWritten) {
  ChannelFuture a = ch_->write(Unpooled::copiedBuffer("a"));
  ch_->flush();
  ChannelFuture b = ch_->write(Unpooled::copiedBuffer("b"));
  EXPECT_TRUE(a.isSuccess());
  EXPECT_FALSE(b.isDone());
  EXPECT_EQ(ch_->written(), (std::vector<std::string>{"a"}));
}

TEST_F(ChannelOutboundBufferTest, ReadableIovecsCoverBuffersAndComposites) {
  ch_->writeLimit = 0;
  ch_->write(Unpooled::copiedBuffer("head"));
  CompositeByteBuf composite(UnpooledByteBufAllocator::defaultAllocator());
  composite.addComponent(Unpooled::copiedBuffer("mid"));
  composite.addComponent(Unpooled::copiedBuffer("dle"));
  ch_->write(std::move(composite));
  ch_->write(Unpooled::copiedBuffer("tail"));
  ch_->flush();
  std::array<iovec, 8> iov{};
  std::size_t bytes = 0;
  const std::size_t n = ch_->outbound().readableIovecs(iov, SIZE_MAX, bytes);
  ASSERT_EQ(n, 4U);
  EXPECT_EQ(bytes, 14U);
  std::string joined;
  for (std::size_t i = 0; i < n; ++i) {
    joined.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  }
  EXPECT_EQ(joined, "headmiddletail");
  ch_->outbound().removeBytes(9);  // "head" and "middl"
  EXPECT_EQ(ch_->outbound().readableIovecs(iov, SIZE_MAX, bytes), 2U);
  EXPECT_EQ(bytes, 5U);
}

TEST_F(ChannelOutboundBufferTest, FailedWriteOfAnUnknownTypeFailsOnlyItsPromise) {
  ChannelFuture odd = ch_->write(std::string("not bytes"));
  ChannelFuture fine = ch_->write(Unpooled::copiedBuffer("ok"));
  ch_->flush();
  EXPECT_EQ(odd.cause(), CoreErrc::UnsupportedMessageType);
  EXPECT_TRUE(fine.isSuccess());
}

}  // namespace
}  // namespace sluice
