#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/UvServerSocketChannel.h>
#include <sluice/util/Log.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::ClosedEvents;
using testing::Collector;
using testing::EchoHandler;
using testing::initializer;

std::uint64_t counterValue(std::string_view name) {
  return MetricsRegistry::global().counter(name, "").value();
}

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
  auto events = std::make_shared<ClosedEvents>();
  auto log = std::make_shared<AcceptLog>();
  ServerBootstrap sb;
  sb.group(serverGroup).childHandler(initializer([events, log](Channel& ch) {
    ch.pipeline().addLast(std::shared_ptr<ChannelHandler>(log));
    ch.pipeline().addLast(events);
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
  // Every connection is served before the shutdown begins.
  const auto served = std::chrono::steady_clock::now() + 10s;
  while (log->active.load() < 10 && std::chrono::steady_clock::now() < served) {
    serverGroup.next().submit([] {}).sync();
  }
  ASSERT_EQ(log->active.load(), 10);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(serverGroup.shutdownGracefully(100ms, 3s).await(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s + 500ms);
  for (auto& c : collectors) {
    EXPECT_TRUE(c->waitInactive(5s));  // the server closed every connection
  }
  ASSERT_TRUE(events->waitFor(10));
  for (const auto& [id, event] : events->events()) {
    EXPECT_EQ(event.reason.initiator, CloseInitiator::Shutdown);
    EXPECT_EQ(event.reason.rule, "event loop shutdown");
  }
  clients.shutdownGracefully(0ms, 5s).await(10s);
}

// A Collector shared by a pipeline and the test.
struct SharedCollector : Collector {
  bool isSharable() const noexcept override { return true; }
};

// Answers a drain and never closes: a protocol whose peer never finishes its goodbye.
struct StubbornDrainer : ChannelInboundHandler {
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (auto* drain = event.getIf<DrainEvent>()) {
      drain->handled = true;
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};

TEST_F(UvServerSocketChannelTest, CountsTheConnectionsItAccepts) {
  UvEventLoopGroup group(2);
  auto events = std::make_shared<ClosedEvents>();
  ServerBootstrap sb;
  sb.group(group).childHandler(
      initializer([events](Channel& ch) { ch.pipeline().addLast(events); }));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  const std::uint64_t accepted = counterValue("sluice_connections_accepted_total");
  Bootstrap b;
  b.group(group).handler(initializer([](Channel&) {}));
  std::vector<ChannelPtr> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(b.connect("127.0.0.1", bound.channel().localAddress().port()).get());
  }
  for (auto& ch : clients) {
    ch->close().sync();
  }
  ASSERT_TRUE(events->waitFor(5));  // each accepted connection was served, then closed
  EXPECT_EQ(counterValue("sluice_connections_accepted_total") - accepted, 5U);
  group.shutdownGracefully(0ms, 5s).await(10s);
}

TEST_F(UvServerSocketChannelTest, DrainStopsAcceptingAndClosesPlainConnectionsAtOnce) {
  UvEventLoopGroup boss(1);
  UvEventLoopGroup workers(2);
  auto events = std::make_shared<ClosedEvents>();
  ServerBootstrap sb;
  sb.group(boss, workers).childHandler(initializer([events](Channel& ch) {
    ch.pipeline().addLast(events);
    ch.pipeline().addLast<EchoHandler>();
  }));
  // Kept: a closed server channel lives only as long as someone holds it.
  ChannelPtr server = sb.bind("127.0.0.1", 0).sync().channel().shared();
  const std::uint16_t port = server->localAddress().port();

  UvEventLoopGroup clients(1);
  std::vector<std::shared_ptr<SharedCollector>> collectors;
  std::vector<ChannelPtr> channels;
  for (int i = 0; i < 4; ++i) {
    auto collector = std::make_shared<SharedCollector>();
    Bootstrap b;
    b.group(clients).handler(
        initializer([collector](Channel& ch) { ch.pipeline().addLast(collector); }));
    channels.push_back(b.connect("127.0.0.1", port).get());
    // A round trip: the server has the connection before the drain starts.
    channels.back()->writeAndFlush(Unpooled::copiedBuffer("ping"));
    ASSERT_TRUE(collector->waitFor(4));
    collectors.push_back(collector);
  }

  // [docs:drain-server]
  // On SIGTERM: stop accepting, let protocol handlers say goodbye, close what is left after
  // 30 seconds.
  Future<DrainResult> drained = UvServerSocketChannel::drain(*server, 30s);
  // [docs:end]
  // Plain TCP pipelines know no goodbye: the tail closes them at once, long before 30 s.
  ASSERT_TRUE(drained.await(20s));
  ASSERT_TRUE(drained.isSuccess());
  EXPECT_EQ(drained.getNow().channels, 4U);
  EXPECT_EQ(drained.getNow().closedInTime, 4U);
  EXPECT_EQ(drained.getNow().forced, 0U);
  EXPECT_FALSE(server->isOpen());
  for (auto& collector : collectors) {
    EXPECT_TRUE(collector->waitInactive());
  }
  ASSERT_TRUE(events->waitFor(4));
  for (const auto& [id, event] : events->events()) {
    EXPECT_EQ(event.reason.initiator, CloseInitiator::Shutdown);
    EXPECT_EQ(event.reason.rule, "drain");
  }
  // Nothing listens any more.
  Bootstrap late;
  late.group(clients).handler(initializer([](Channel&) {}));
  Future<ChannelPtr> refused = late.connect("127.0.0.1", port);
  ASSERT_TRUE(refused.await(10s));
  EXPECT_FALSE(refused.isSuccess());

  clients.shutdownGracefully(0ms, 5s).await(10s);
  boss.shutdownGracefully(0ms, 5s).await(10s);
  workers.shutdownGracefully(0ms, 5s).await(10s);
}

TEST_F(UvServerSocketChannelTest, DrainForcesAConnectionThatNeverClosesAtTheDeadline) {
  UvEventLoopGroup group(2);
  auto events = std::make_shared<ClosedEvents>();
  std::atomic<int> served{0};
  ServerBootstrap sb;
  sb.group(group).childHandler(initializer([events, &served](Channel& ch) {
    ch.pipeline().addLast(events);
    // Every other connection answers the drain and then never closes.
    if (served.fetch_add(1) % 2 == 0) {
      ch.pipeline().addLast<StubbornDrainer>();
    }
    ch.pipeline().addLast<EchoHandler>();
  }));
  ChannelPtr bound = sb.bind("127.0.0.1", 0).sync().channel().shared();
  const std::uint16_t port = bound->localAddress().port();
  std::vector<std::shared_ptr<SharedCollector>> collectors;
  for (int i = 0; i < 2; ++i) {
    auto collector = std::make_shared<SharedCollector>();
    Bootstrap b;
    b.group(group).handler(
        initializer([collector](Channel& ch) { ch.pipeline().addLast(collector); }));
    ChannelPtr ch = b.connect("127.0.0.1", port).get();
    ch->writeAndFlush(Unpooled::copiedBuffer("ping"));
    ASSERT_TRUE(collector->waitFor(4));
    collectors.push_back(collector);
  }
  auto server = std::dynamic_pointer_cast<UvServerSocketChannel>(bound);
  ASSERT_NE(server, nullptr);
  const auto start = std::chrono::steady_clock::now();
  Future<DrainResult> drained = server->drain(300ms);
  ASSERT_TRUE(drained.await(20s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);  // it waited for the stubborn one
  ASSERT_TRUE(drained.isSuccess());
  EXPECT_EQ(drained.getNow().channels, 2U);
  EXPECT_EQ(drained.getNow().closedInTime, 1U);
  EXPECT_EQ(drained.getNow().forced, 1U);
  ASSERT_TRUE(events->waitFor(2));
  std::multiset<std::string> rules;
  for (const auto& [id, event] : events->events()) {
    EXPECT_EQ(event.reason.initiator, CloseInitiator::Shutdown);
    rules.insert(event.reason.rule);
  }
  EXPECT_EQ(rules, (std::multiset<std::string>{"drain", "drain deadline"}));
  for (auto& collector : collectors) {
    EXPECT_TRUE(collector->waitInactive());  // the clients saw both close
  }
  group.shutdownGracefully(0ms, 5s).await(10s);
}

TEST_F(UvServerSocketChannelTest, DrainWithNoConnectionsCompletesOnceTheListenerCloses) {
  UvEventLoopGroup workers(2);
  ServerBootstrap sb;
  sb.group(workers).option({.reusePort = true}).childHandler(initializer([](Channel&) {}));
  ChannelPtr server = sb.bind("127.0.0.1", 0).sync().channel().shared();
  const std::uint16_t port = server->localAddress().port();
  Future<DrainResult> drained = UvServerSocketChannel::drain(*server, 30s);
  ASSERT_TRUE(drained.await(20s));
  EXPECT_EQ(drained.getNow().channels, 0U);
  EXPECT_FALSE(server->isOpen());
  // The sibling listener closed too: nothing accepts on the port.
  UvEventLoopGroup clients(1);
  Bootstrap b;
  b.group(clients).handler(initializer([](Channel&) {}));
  Future<ChannelPtr> refused = b.connect("127.0.0.1", port);
  ASSERT_TRUE(refused.await(10s));
  EXPECT_FALSE(refused.isSuccess());
  clients.shutdownGracefully(0ms, 5s).await(10s);
  workers.shutdownGracefully(0ms, 5s).await(10s);
}

// Captures the "channel" log records while it lives; restores the previous sink after.
class ChannelLogCapture {
 public:
  ChannelLogCapture()
      : previous_(Log::setSink([this](LogLevel, std::string_view logger, std::string_view msg) {
          if (logger == "channel") {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(msg);
          }
        })) {}
  ~ChannelLogCapture() { Log::setSink(std::move(previous_)); }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  Log::Sink previous_;
};

TEST_F(UvServerSocketChannelTest, LogsOneLineForEachClosedConnection) {
  ChannelLogCapture capture;
  {
    UvEventLoopGroup group(1);
    auto events = std::make_shared<ClosedEvents>();
    ServerBootstrap sb;
    sb.group(group).childHandler(
        initializer([events](Channel& ch) { ch.pipeline().addLast(events); }));
    ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
    Bootstrap b;
    b.group(group).handler(initializer([](Channel&) {}));
    ChannelPtr client = b.connect("127.0.0.1", bound.channel().localAddress().port()).get();
    const std::string clientAddress = client->localAddress().toString();
    client->writeAndFlush(Unpooled::copiedBuffer("hello")).sync();
    client->close().sync();
    ASSERT_TRUE(events->waitFor(1));
    const std::string serverSideId = events->events()[0].first;
    group.shutdownGracefully(0ms, 5s).await(10s);
    const std::vector<std::string> lines = capture.lines();
    const std::regex expected("closed id=" + serverSideId + " remote=" + clientAddress +
                              " initiator=peer rule=\"end of stream\" duration_ms=[0-9]+"
                              " bytes_read=5 bytes_written=0");
    int matches = 0;
    for (const std::string& line : lines) {
      matches += std::regex_match(line, expected) ? 1 : 0;
    }
    EXPECT_EQ(matches, 1) << fmt::format("{}", fmt::join(lines, "\n"));
  }
}

}  // namespace
}  // namespace sluice
