#include <sluice/buffer/Unpooled.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::Collector;
using testing::EchoHandler;
using testing::initializer;

class UvServerSocketChannelTest : public testing::SluiceTest {};

// Counts the connections a server accepts and the threads that serve them.
struct AcceptLog : ChannelInboundHandler {
  bool isSharable() const noexcept override { return true; }
  void channelActive(ChannelHandlerContext& ctx) override {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    ++active;
    ctx.fireChannelActive();
  }
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> active{0};
};

TEST_F(UvServerSocketChannelTest, ServesAThousandConcurrentConnections) {
  UvEventLoopGroup boss(1);
  UvEventLoopGroup workers(2);
  auto log = std::make_shared<AcceptLog>();
  ServerBootstrap sb;
  sb.group(boss, workers).childHandler(initializer([log](Channel& ch) {
    ch.pipeline().addLast(std::shared_ptr<ChannelHandler>(log));
    ch.pipeline().addLast<EchoHandler>();
  }));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  const std::uint16_t port = bound.channel().localAddress().port();

  UvEventLoopGroup clients(2);
  constexpr int kConnections = 1000;
  Bootstrap b;
  b.group(clients).handler(initializer([](Channel&) {}));
  std::vector<Future<ChannelPtr>> connecting;
  for (int i = 0; i < kConnections; ++i) {
    connecting.push_back(b.connect("127.0.0.1", port));
  }
  std::vector<ChannelPtr> channels;
  for (auto& f : connecting) {
    channels.push_back(f.get());
  }
  // Every connection carries a round trip.
  std::vector<ChannelFuture> writes;
  for (int i = 0; i < kConnections; ++i) {
    writes.push_back(channels[static_cast<std::size_t>(i)]->writeAndFlush(
        Unpooled::copiedBuffer(std::to_string(i))));
  }
  for (auto& w : writes) {
    ASSERT_TRUE(w.await(20s));
    ASSERT_TRUE(w.isSuccess()) << w.cause().message();
  }
  EXPECT_EQ(log->active.load(), kConnections);
  EXPECT_EQ(log->threads.size(), 2U);  // both worker loops served
  for (auto& ch : channels) {
    ch->close();
  }
  clients.shutdownGracefully(0ms, 5s).await(10s);
  boss.shutdownGracefully(0ms, 5s).await(10s);
  workers.shutdownGracefully(0ms, 5s).await(10s);
}

TEST_F(UvServerSocketChannelTest, ReusePortLetsEveryWorkerLoopAccept) {
  UvEventLoopGroup workers(2);
  auto log = std::make_shared<AcceptLog>();
  ServerBootstrap sb;
  sb.group(workers).option({.reusePort = true}).childHandler(initializer([log](Channel& ch) {
    ch.pipeline().addLast(std::shared_ptr<ChannelHandler>(log));
  }));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  const std::uint16_t port = bound.channel().localAddress().port();
  ASSERT_NE(port, 0);

  UvEventLoopGroup clients(1);
  Bootstrap b;
  b.group(clients).handler(initializer([](Channel&) {}));
  std::vector<ChannelPtr> channels;
  for (int i = 0; i < 64; ++i) {
    channels.push_back(b.connect("127.0.0.1", port).get());
  }
  // The kernel spreads connections over both listeners (by a hash of each connection).
  for (int spin = 0; log->active.load() < 64 && spin < 2000; ++spin) {
    workers.next().submit([] {}).sync();
  }
  EXPECT_EQ(log->active.load(), 64);
  EXPECT_EQ(log->threads.size(), 2U);
  bound.channel().close().sync();  // closes the sibling listener too
  clients.shutdownGracefully(0ms, 5s).await(10s);
  workers.shutdownGracefully(0ms, 5s).await(10s);
}

TEST_F(UvServerSocketChannelTest, BindingAPortInUseFails) {
  UvEventLoopGroup group(1);
  ServerBootstrap sb;
  sb.group(group).childHandler(initializer([](Channel&) {}));
  ChannelFuture first = sb.bind("127.0.0.1", 0).sync();
  ChannelFuture second = sb.bind("127.0.0.1", first.channel().localAddress().port());
  ASSERT_TRUE(second.await(5s));
  EXPECT_FALSE(second.isSuccess());
  EXPECT_EQ(second.cause().code(), std::errc::address_in_use);
  group.shutdownGracefully(0ms, 5s).await(10s);
}

TEST_F(UvServerSocketChannelTest, GracefulShutdownWithOpenConnectionsEndsWithinItsTimeout) {
  UvEventLoopGroup serverGroup(2);
  ServerBootstrap sb;
  sb.group(serverGroup).childHandler(initializer([](Channel& ch) {
    ch.pipeline().addLast<EchoHandler>();
  }));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  const std::uint16_t port = bound.channel().localAddress().port();

  UvEventLoopGroup clients(1);
  std::vector<std::shared_ptr<Collector>> collectors;
  std::vector<ChannelPtr> channels;
  for (int i = 0; i < 10; ++i) {
    struct Shared : Collector {
      bool isSharable() const noexcept override { return true; }
    };
    auto shared = std::make_shared<Shared>();
    collectors.push_back(shared);
    Bootstrap b;
    b.group(clients).handler(initializer(
        [shared](Channel& ch) { ch.pipeline().addLast(std::shared_ptr<ChannelHandler>(shared)); }));
    channels.push_back(b.connect("127.0.0.1", port).get());
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(serverGroup.shutdownGracefully(100ms, 3s).await(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s + 500ms);
  for (auto& c : collectors) {
    EXPECT_TRUE(c->waitInactive(5s));  // the server closed every connection
  }
  clients.shutdownGracefully(0ms, 5s).await(10s);
}

}  // namespace
}  // namespace sluice
