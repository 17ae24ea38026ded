#include <sluice/transport/ChannelPool.h>

#include <thread>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::EchoHandler;
using testing::initializer;

class ChannelPoolTest : public testing::SluiceTest {
 protected:
  ChannelPoolTest() {
    ServerBootstrap sb;
    sb.group(group_).childHandler(initializer([this](Channel& ch) {
      ++accepted_;
      ch.pipeline().addLast<EchoHandler>();
    }));
    ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
    server_ = bound.channel().shared();
    port_ = server_->localAddress().port();
    bootstrap_.group(group_).handler(initializer([](Channel&) {}));
  }
  void TearDown() override {
    group_.shutdownGracefully(0ms, 5s).await(10s);
    SluiceTest::TearDown();
  }

  UvEventLoopGroup group_{2};
  ChannelPtr server_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  Bootstrap bootstrap_;
};

TEST_F(ChannelPoolTest, ReusesAReleasedConnection) {
  ChannelPool pool(bootstrap_, "127.0.0.1", port_);
  ChannelPtr first = pool.acquire().get();
  EXPECT_EQ(pool.acquiredCount(), 1U);
  pool.release(first).sync();
  EXPECT_EQ(pool.idleCount(), 1U);
  ChannelPtr second = pool.acquire().get();
  EXPECT_EQ(second, first);
  EXPECT_EQ(accepted_.load(), 1);
  pool.release(second).sync();
}

TEST_F(ChannelPoolTest, AtTheLimitAcquirersWaitAndTimeOut) {
  ChannelPool pool(bootstrap_, "127.0.0.1", port_,
                   {.maxConnections = 1, .acquireTimeout = std::chrono::milliseconds(100)});
  ChannelPtr only = pool.acquire().get();
  auto waiting = pool.acquire();
  ASSERT_TRUE(waiting.await(5s));
  EXPECT_EQ(waiting.cause(), CoreErrc::Timeout);

  auto next = pool.acquire();  // waits for the release below
  pool.release(only).sync();
  EXPECT_EQ(next.get(), only);
  EXPECT_EQ(accepted_.load(), 1);
  pool.release(only).sync();
}

TEST_F(ChannelPoolTest, TooManyWaitersAreTurnedAwayAtOnce) {
  ChannelPool pool(bootstrap_, "127.0.0.1", port_, {.maxConnections = 1, .maxPendingAcquires = 1});
  ChannelPtr only = pool.acquire().get();
  auto queued = pool.acquire();
  auto refused = pool.acquire();
  ASSERT_TRUE(refused.await(5s));
  EXPECT_EQ(refused.cause(), CoreErrc::RejectedExecution);
  pool.release(only).sync();
  EXPECT_EQ(queued.get(), only);
  pool.release(only).sync();
}

TEST_F(ChannelPoolTest, AConnectionThatClosesWhileIdleIsDropped) {
  ChannelPool pool(bootstrap_, "127.0.0.1", port_);
  ChannelPtr ch = pool.acquire().get();
  pool.release(ch).sync();
  ASSERT_EQ(pool.idleCount(), 1U);
  ch->close().sync();
  // The pool hears of the close on its own loop: poll, with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (pool.idleCount() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(pool.idleCount(), 0U);
  ChannelPtr fresh = pool.acquire().get();
  EXPECT_NE(fresh, ch);
  EXPECT_TRUE(fresh->isActive());
  pool.release(fresh).sync();
}

TEST_F(ChannelPoolTest, AFailedHealthCheckReplacesTheConnection) {
  std::atomic<bool> healthy{false};
  ChannelPool pool(bootstrap_, "127.0.0.1", port_, {},
                   [&](Channel&) { return makeSucceededFuture(healthy.load()); });
  ChannelPtr first = pool.acquire().get();
  pool.release(first).sync();
  ChannelPtr second = pool.acquire().get();
  EXPECT_NE(second, first);  // the idle one failed its check
  EXPECT_TRUE(first->closeFuture().await(5s));
  healthy = true;
  pool.release(second).sync();
  EXPECT_EQ(pool.acquire().get(), second);
  pool.release(second).sync();
}

TEST_F(ChannelPoolTest, ANewConnectionIsHandedOutOnlyOnceItsReadyCheckCompletes) {
  auto gate = Promise<void>::make(nullptr);
  std::atomic<int> checked{0};
  ChannelPool pool(bootstrap_, "127.0.0.1", port_, {}, {}, [&](Channel&) {
    ++checked;
    return gate.future();
  });
  auto acquired = pool.acquire();
  EXPECT_FALSE(acquired.await(100ms));  // connected, not ready
  gate.setSuccess();
  ChannelPtr ch = acquired.get();
  EXPECT_TRUE(ch->isActive());
  pool.release(ch).sync();
  EXPECT_EQ(pool.acquire().get(), ch);  // an idle one is not checked again
  EXPECT_EQ(checked.load(), 1);
  pool.release(ch).sync();
}

TEST_F(ChannelPoolTest, AFailedReadyCheckClosesTheConnectionAndFailsTheAcquire) {
  ChannelPtr seen;
  ChannelPool pool(bootstrap_, "127.0.0.1", port_, {.maxConnections = 1}, {}, [&](Channel& ch) {
    seen = ch.shared_from_this();
    return makeFailedFuture<void>(Error(CoreErrc::Timeout, "handshake timed out"));
  });
  auto acquired = pool.acquire();
  ASSERT_TRUE(acquired.await(5s));
  EXPECT_EQ(acquired.cause(), CoreErrc::Timeout);
  ASSERT_NE(seen, nullptr);
  EXPECT_TRUE(seen->closeFuture().await(5s));
  EXPECT_EQ(pool.acquiredCount(), 0U);
  // The slot came back: at maxConnections 1 a second acquire connects again, not waits.
  auto again = pool.acquire();
  ASSERT_TRUE(again.await(5s));
  EXPECT_EQ(again.cause(), CoreErrc::Timeout);
}

}  // namespace
}  // namespace sluice
