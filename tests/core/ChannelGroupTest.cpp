#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/concurrent/DefaultEventExecutor.h>
#include <sluice/concurrent/EventLoop.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"
#include "support/TestChannel.h"

namespace sluice {
namespace {

class ChannelGroupTest : public testing::SluiceTest {};

std::shared_ptr<EmbeddedChannel> embedded() { return std::make_shared<EmbeddedChannel>(); }

TEST_F(ChannelGroupTest, AddsRemovesAndReportsMembers) {
  ChannelGroup group("room");
  auto a = embedded();
  auto b = embedded();
  EXPECT_TRUE(group.add(a));
  EXPECT_FALSE(group.add(a));
  EXPECT_TRUE(group.add(b));
  EXPECT_EQ(group.size(), 2U);
  EXPECT_TRUE(group.contains(*a));
  EXPECT_TRUE(group.remove(*a));
  EXPECT_FALSE(group.remove(*a));
  EXPECT_FALSE(group.contains(*a));
  EXPECT_EQ(group.channels(), (std::vector<ChannelPtr>{b}));
  EXPECT_EQ(group.name(), "room");
}

TEST_F(ChannelGroupTest, ForgetsMembersOnceTheyClose) {
  ChannelGroup group;
  auto a = embedded();
  auto b = embedded();
  group.add(a);
  group.add(b);
  std::weak_ptr<EmbeddedChannel> weakA = a;
  a->close();
  EXPECT_EQ(group.size(), 1U);
  EXPECT_FALSE(group.contains(*a));
  a.reset();
  EXPECT_TRUE(weakA.expired());  // the group does not keep a closed channel alive
  auto closed = embedded();
  closed->close();
  group.add(closed);  // already closed: forgotten at once
  EXPECT_EQ(group.size(), 1U);
}

TEST_F(ChannelGroupTest, BroadcastSharesOneEncodedBufferAmongMembers) {
  ChannelGroup group;
  std::vector<std::shared_ptr<EmbeddedChannel>> members;
  for (int i = 0; i < 3; ++i) {
    members.push_back(embedded());
    group.add(members.back());
  }
  ByteBuf bytes = Unpooled::copiedBuffer("hello all");
  const std::uint8_t* data = bytes.readableSpan().data();
  ChannelGroupFuture f = group.writeAndFlush(std::move(bytes));
  ASSERT_TRUE(f.isDone());
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(f.size(), 3U);
  EXPECT_EQ(f.successCount(), 3U);
  for (auto& ch : members) {
    Message out = ch->readOutbound();
    ASSERT_TRUE(out.isExactly<EncodedMessage>());
    EXPECT_EQ(out.get<ByteBuf>().toString(), "hello all");
    EXPECT_EQ(out.get<ByteBuf>().readableSpan().data(), data);  // the same bytes, not a copy
    EXPECT_EQ(out.get<ByteBuf>().refCnt(), 3U - static_cast<unsigned>(&ch - &members[0]));
  }
}

TEST_F(ChannelGroupTest, EncoderFunctionRunsOnceAndSenderCanBeExcluded) {
  ChannelGroup group;
  auto sender = embedded();
  auto other = embedded();
  group.add(sender);
  group.add(other);
  int calls = 0;
  ChannelGroupFuture f = group.writeAndFlush(
      [&calls](ByteBufAllocator& alloc) {
        ++calls;
        ByteBuf b = alloc.buffer(8);
        b.writeBytes("encoded");
        return b;
      },
      {.exclude = sender.get()});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(f.size(), 1U);
  EXPECT_TRUE(f.isSuccess());
  EXPECT_TRUE(sender->outboundMessages().empty());
  EXPECT_EQ(other->readOutbound().get<ByteBuf>().toString(), "encoded");
}

TEST_F(ChannelGroupTest, FailedMembersFailTheGroupFuture) {
  ChannelGroup group;
  auto open = embedded();
  auto closing = embedded();
  group.add(open);
  group.add(closing);
  // A member whose writes fail.
  struct Refuse : ChannelOutboundHandler {
    void write(ChannelHandlerContext&, Message, ChannelPromise p) override {
      p.tryFailure(Error(CoreErrc::UnsupportedOperation, "refused"));
    }
  };
  closing->pipeline().addLast(std::make_unique<Refuse>());
  ChannelGroupFuture f = group.writeAndFlush(Unpooled::copiedBuffer("x"));
  ASSERT_TRUE(f.isDone());
  EXPECT_FALSE(f.isSuccess());
  EXPECT_TRUE(f.isPartialFailure());
  EXPECT_TRUE(f.isPartialSuccess());
  EXPECT_EQ(f.failureCount(), 1U);
  EXPECT_EQ(f.cause(), CoreErrc::UnsupportedOperation);
  EXPECT_EQ(f.cause().message(), "1 of 2 channels failed: refused");
  open->releaseOutbound();
}

TEST_F(ChannelGroupTest, EmptyGroupSucceedsAtOnce) {
  ChannelGroup group;
  ChannelGroupFuture f = group.writeAndFlush(Unpooled::copiedBuffer("nobody"));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(f.size(), 0U);
}

TEST_F(ChannelGroupTest, CloseClosesEveryMember) {
  ChannelGroup group;
  auto a = embedded();
  auto b = embedded();
  group.add(a);
  group.add(b);
  ChannelGroupFuture f = group.close();
  EXPECT_TRUE(f.isSuccess());
  EXPECT_FALSE(a->isOpen());
  EXPECT_FALSE(b->isOpen());
  EXPECT_TRUE(group.isEmpty());
}

// Answers a DrainEvent (marks it handled) and closes only when told: a protocol that winds
// down by itself, slowly.
struct SlowDrainer : ChannelInboundHandler {
  std::atomic<int> drains{0};
  std::shared_ptr<std::atomic<int>> counted;  // outlives the handler, when set
  std::chrono::steady_clock::time_point deadline;
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (auto* drain = event.getIf<DrainEvent>()) {
      drain->handled = true;
      deadline = drain->deadline;
      ++drains;
      if (counted) {
        ++*counted;
      }
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};

TEST_F(ChannelGroupTest, DrainOfAnEmptyGroupCompletesAtOnce) {
  ChannelGroup group;
  Future<DrainResult> f = group.drain(std::chrono::seconds(5));
  ASSERT_TRUE(f.isSuccess());
  EXPECT_EQ(f.getNow().channels, 0U);
  EXPECT_EQ(f.getNow().forced, 0U);
}

TEST_F(ChannelGroupTest, DrainClosesMembersThatKnowNoGracefulWayOutAtOnce) {
  ChannelGroup group;
  std::vector<std::shared_ptr<EmbeddedChannel>> members;
  for (int i = 0; i < 3; ++i) {
    members.push_back(embedded());
    group.add(members.back());
  }
  Future<DrainResult> f = group.drain(std::chrono::seconds(30));
  ASSERT_TRUE(f.isSuccess());
  EXPECT_EQ(f.getNow().channels, 3U);
  EXPECT_EQ(f.getNow().closedInTime, 3U);
  EXPECT_EQ(f.getNow().forced, 0U);
  for (auto& ch : members) {
    EXPECT_FALSE(ch->isOpen());
    EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown);
    EXPECT_EQ(ch->closeReason().rule, "drain");
  }
  EXPECT_TRUE(group.isEmpty());
}

TEST_F(ChannelGroupTest, DrainForcesMembersStillOpenAtTheDeadline) {
  ChannelGroup group;
  auto slow = embedded();
  SlowDrainer& drainer = slow->pipeline().addLast<SlowDrainer>();
  auto plain = embedded();
  group.add(slow);
  group.add(plain);
  const auto start = std::chrono::steady_clock::now();
  Future<DrainResult> f = group.drain(std::chrono::seconds(5));
  EXPECT_EQ(drainer.drains.load(), 1);
  EXPECT_GE(drainer.deadline, start + std::chrono::seconds(5));
  EXPECT_FALSE(plain->isOpen());
  EXPECT_TRUE(slow->isOpen());
  EXPECT_FALSE(f.isDone());
  slow->advanceTimeBy(std::chrono::seconds(4));
  slow->runPendingTasks();
  EXPECT_TRUE(slow->isOpen());
  EXPECT_FALSE(f.isDone());
  slow->advanceTimeBy(std::chrono::seconds(1));
  slow->runPendingTasks();
  EXPECT_FALSE(slow->isOpen());
  EXPECT_EQ(slow->closeReason().initiator, CloseInitiator::Shutdown);
  EXPECT_EQ(slow->closeReason().rule, "drain deadline");
  ASSERT_TRUE(f.isSuccess());
  EXPECT_EQ(f.getNow().channels, 2U);
  EXPECT_EQ(f.getNow().closedInTime, 1U);
  EXPECT_EQ(f.getNow().forced, 1U);
}

TEST_F(ChannelGroupTest, DrainCountsAMemberThatClosesByItselfAsInTime) {
  ChannelGroup group;
  auto slow = embedded();
  slow->pipeline().addLast<SlowDrainer>();
  group.add(slow);
  Future<DrainResult> f = group.drain(std::chrono::seconds(5));
  EXPECT_FALSE(f.isDone());
  slow->closeReason().record(CloseInitiator::Shutdown, "going away");
  slow->close();
  ASSERT_TRUE(f.isSuccess());
  EXPECT_EQ(f.getNow().closedInTime, 1U);
  EXPECT_EQ(f.getNow().forced, 0U);
  EXPECT_EQ(slow->closeReason().rule, "going away");
  slow->advanceTimeBy(std::chrono::seconds(10));  // the deadline passes: nothing left to do
  slow->runPendingTasks();
  EXPECT_EQ(f.getNow().forced, 0U);
}

// A loop on a real thread that counts the tasks it is given.
class CountingEventLoop final : public EventLoop {
 public:
  CountingEventLoop() : executor_(nullptr, "counting-loop", this) {}
  std::atomic<int> executes{0};
  void execute(Task task) override {
    executes.fetch_add(1);
    executor_.execute(std::move(task));
  }
  ScheduledFuture schedule(Task task, Duration delay) override {
    return executor_.schedule(std::move(task), delay);
  }
  ScheduledFuture scheduleAtFixedRate(Task task, Duration initialDelay, Duration period) override {
    return executor_.scheduleAtFixedRate(std::move(task), initialDelay, period);
  }
  ScheduledFuture scheduleWithFixedDelay(Task task, Duration initialDelay,
                                         Duration delay) override {
    return executor_.scheduleWithFixedDelay(std::move(task), initialDelay, delay);
  }
  Future<void> shutdownGracefully(Duration quietPeriod, Duration timeout) override {
    return executor_.shutdownGracefully(quietPeriod, timeout);
  }
  using EventExecutor::shutdownGracefully;
  Future<void> terminationFuture() const override { return executor_.terminationFuture(); }
  bool isShuttingDown() const noexcept override { return executor_.isShuttingDown(); }
  bool isTerminated() const noexcept override { return executor_.isTerminated(); }

 private:
  DefaultEventExecutor executor_;
};

TEST_F(ChannelGroupTest, BroadcastAcrossLoopsPostsOneTaskPerLoop) {
  CountingEventLoop loop1;
  CountingEventLoop loop2;
  {
    ChannelGroup group;
    std::vector<std::shared_ptr<testing::TestChannel>> members;
    for (int i = 0; i < 10; ++i) {
      auto ch = std::make_shared<testing::TestChannel>(i % 2 == 0 ? loop1 : loop2);
      ch->start();
      members.push_back(ch);
      group.add(ch);
    }
    const int before1 = loop1.executes.load();
    const int before2 = loop2.executes.load();
    ChannelGroupFuture f = group.writeAndFlush(Unpooled::copiedBuffer("tick"));
    f.sync();
    EXPECT_EQ(loop1.executes.load() - before1, 1);
    EXPECT_EQ(loop2.executes.load() - before2, 1);
    EXPECT_EQ(f.successCount(), 10U);
    for (auto& ch : members) {
      EXPECT_EQ(ch->written(), (std::vector<std::string>{"tick"}));
    }
    group.close().sync();
    EXPECT_TRUE(group.isEmpty());
  }
  loop1.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
  loop2.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
}

TEST_F(ChannelGroupTest, DrainAcrossLoopsCompletesOffTheLoops) {
  CountingEventLoop loop1;
  CountingEventLoop loop2;
  {
    ChannelGroup group;
    std::vector<std::shared_ptr<testing::TestChannel>> members;
    auto drained = std::make_shared<std::atomic<int>>(0);
    for (int i = 0; i < 6; ++i) {
      auto ch = std::make_shared<testing::TestChannel>(i % 2 == 0 ? loop1 : loop2);
      if (i % 3 == 0) {
        ch->pipeline().addLast<SlowDrainer>().counted = drained;
      }
      ch->start();
      members.push_back(ch);
      group.add(ch);
    }
    Future<DrainResult> f = group.drain(std::chrono::milliseconds(200));
    ASSERT_TRUE(f.await(std::chrono::seconds(20)));
    ASSERT_TRUE(f.isSuccess());
    EXPECT_EQ(f.getNow().channels, 6U);
    EXPECT_EQ(f.getNow().forced, 2U);  // the two that only answered
    EXPECT_EQ(f.getNow().closedInTime, 4U);
    for (auto& ch : members) {
      EXPECT_FALSE(ch->isOpen());
    }
    EXPECT_EQ(drained->load(), 2);
  }
  loop1.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
  loop2.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
}

TEST_F(ChannelGroupTest, ConcurrentMembershipChangesAndBroadcastsAreSafe) {
  CountingEventLoop loop;
  {
    ChannelGroup group;
    std::vector<std::shared_ptr<testing::TestChannel>> members;
    for (int i = 0; i < 8; ++i) {
      auto ch = std::make_shared<testing::TestChannel>(loop);
      ch->start();
      members.push_back(ch);
    }
    std::thread churn([&] {
      for (int round = 0; round < 50; ++round) {
        for (auto& ch : members) {
          group.add(ch);
        }
        for (auto& ch : members) {
          group.remove(*ch);
        }
      }
      for (auto& ch : members) {
        group.add(ch);
      }
    });
    std::vector<ChannelGroupFuture> futures;
    for (int i = 0; i < 100; ++i) {
      futures.push_back(
          group.writeAndFlush(Unpooled::copiedBuffer("m"), {.voidPromise = i % 2 == 0}));
    }
    churn.join();
    for (auto& f : futures) {
      f.sync();
    }
    group.close().sync();
  }
  loop.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
}

}  // namespace
}  // namespace sluice
