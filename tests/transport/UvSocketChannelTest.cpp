#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/UvSocketChannel.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <sstream>
#include <thread>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::ClosedEvents;
using testing::Collector;
using testing::EchoHandler;
using testing::initializer;

std::uint64_t counterValue(std::string_view name, MetricLabels labels = {}) {
  return MetricsRegistry::global().counter(name, "", std::move(labels)).value();
}

class UvSocketChannelTest : public testing::SluiceTest {
 protected:
  // A server on 127.0.0.1 whose connections get `serverInit`; returns its port.
  std::uint16_t startServer(std::function<void(Channel&)> serverInit,
                            ChannelOptions childOptions = {}) {
    ServerBootstrap b;
    b.group(group_).childOption(childOptions).childHandler(initializer(std::move(serverInit)));
    ChannelFuture bound = b.bind("127.0.0.1", 0);
    bound.sync();
    server_ = bound.channel().shared();
    return server_->localAddress().port();
  }
  ChannelPtr connect(std::uint16_t port, std::shared_ptr<Collector> collector,
                     ChannelOptions options = {}) {
    Bootstrap b;
    b.group(group_).option(options).handler(
        initializer([collector](Channel& ch) { ch.pipeline().addLast(collector); }));
    return b.connect("127.0.0.1", port).get();
  }
  void TearDown() override {
    group_.shutdownGracefully(0ms, 5s).await(10s);
    SluiceTest::TearDown();
  }

  UvEventLoopGroup group_{2};
  ChannelPtr server_;
};

// A Collector is shared by one channel's pipeline and the test.
struct SharedCollector : Collector {
  bool isSharable() const noexcept override { return true; }
};

TEST_F(UvSocketChannelTest, EchoesFromOneByteToSixteenMebibytesInRandomChunks) {
  const std::uint16_t port = startServer([](Channel& ch) { ch.pipeline().addLast<EchoHandler>(); });
  auto collector = std::make_shared<SharedCollector>();
  ChannelPtr client = connect(port, collector);

  std::mt19937 rng(42);
  std::string sent;
  for (std::size_t size : {std::size_t{1}, std::size_t{100}, std::size_t{65536},
                           std::size_t{1} << 20, std::size_t{16} << 20}) {
    std::string payload(size, '\0');
    std::generate(payload.begin(), payload.end(), [&] { return static_cast<char>(rng()); });
    std::size_t offset = 0;
    while (offset < payload.size()) {
      const std::size_t chunk = std::min<std::size_t>(payload.size() - offset, 1 + rng() % 200000);
      client->write(Unpooled::copiedBuffer(std::string_view(payload).substr(offset, chunk)));
      if (rng() % 3 == 0) {
        client->flush();
      }
      offset += chunk;
    }
    client->flush();
    sent += payload;
    ASSERT_TRUE(collector->waitFor(sent.size()))
        << "echoed " << collector->bytes().size() << " of " << sent.size();
  }
  EXPECT_TRUE(collector->bytes() == sent);
  client->close().sync();
}

TEST_F(UvSocketChannelTest, FlushFromATimerLeavesWithoutWaitingForAnotherEvent) {
  // Nothing else happens on the server's loop: if a flush made in a timer waited for the next
  // I/O event, the bytes would never leave.
  class Ticker : public ChannelInboundHandler {
   public:
    void channelActive(ChannelHandlerContext& ctx) override {
      ctx.executor().schedule([&ctx] { ctx.writeAndFlush(Unpooled::copiedBuffer("tick")); }, 10ms);
      ctx.fireChannelActive();
    }
  };
  const std::uint16_t port = startServer([](Channel& ch) { ch.pipeline().addLast<Ticker>(); });
  auto collector = std::make_shared<SharedCollector>();
  ChannelPtr client = connect(port, collector);
  EXPECT_TRUE(collector->waitFor(4, 5s));
  EXPECT_EQ(collector->bytes(), "tick");
}

TEST_F(UvSocketChannelTest, WritesFromFourThreadsKeepEachThreadsOrder) {
  auto received = std::make_shared<SharedCollector>();
  const std::uint16_t port =
      startServer([received](Channel& ch) { ch.pipeline().addLast(received); });
  ChannelPtr client = connect(port, std::make_shared<SharedCollector>());

  constexpr int kThreads = 4;
  constexpr int kLines = 2000;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([client, t] {
      for (int i = 0; i < kLines; ++i) {
        client->writeAndFlush(Unpooled::copiedBuffer(fmt::format("{} {}\n", t, i)));
      }
    });
  }
  for (auto& w : writers) {
    w.join();
  }
  std::size_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kLines; ++i) {
      expected += fmt::format("{} {}\n", t, i).size();
    }
  }
  ASSERT_TRUE(received->waitFor(expected));
  std::istringstream lines(received->bytes());
  std::vector<int> next(kThreads, 0);
  int t = 0;
  int i = 0;
  while (lines >> t >> i) {
    ASSERT_EQ(i, next[static_cast<std::size_t>(t)]) << "thread " << t << " out of order";
    ++next[static_cast<std::size_t>(t)];
  }
  for (int n : next) {
    EXPECT_EQ(n, kLines);
  }
}

// The writer of the backpressure test: writes 64 KiB chunks while the channel is writable,
// stops when it is not, and resumes when told it is again.
class Flooder : public ChannelInboundHandler {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;
  static constexpr std::size_t kTotal = 32 * 1024 * 1024;

  void channelActive(ChannelHandlerContext& ctx) override {
    pump(ctx);
    ctx.fireChannelActive();
  }
  void channelWritabilityChanged(ChannelHandlerContext& ctx) override {
    if (ctx.channel().isWritable()) {
      if (peerReading) {
        resumed.trySuccess();
      }
      pump(ctx);
    }
    ctx.fireChannelWritabilityChanged();
  }

  std::atomic<bool> peerReading{false};  // set by the test when the client reads again
  std::atomic<std::size_t> maxQueued{0};
  Promise<void> blocked = Promise<void>::make(nullptr);
  Promise<void> resumed = Promise<void>::make(nullptr);

 private:
  void pump(ChannelHandlerContext& ctx) {
    const std::string chunk(kChunk, 'f');
    while (written_ < kTotal && ctx.channel().isWritable()) {
      ctx.writeAndFlush(Unpooled::copiedBuffer(chunk));
      written_ += kChunk;
    }
    if (!ctx.channel().isWritable()) {
      const auto low = ctx.channel().config().writeBufferWaterMark().low;
      maxQueued = std::max(maxQueued.load(), ctx.channel().bytesBeforeWritable() + low);
      // Blocked for real once the kernel's buffers are full too: still unwritable later.
      ctx.executor().schedule(
          [this, ch = ctx.channel().shared()] {
            if (!ch->isWritable()) {
              blocked.trySuccess();
            }
          },
          50ms);
    }
  }
  std::size_t written_ = 0;
};

TEST_F(UvSocketChannelTest, BackpressureTurnsWritabilityOffBoundsTheQueueAndResumes) {
  auto flooder = std::make_shared<Flooder>();
  const std::uint16_t port = startServer(
      [flooder](Channel& ch) { ch.pipeline().addLast(std::shared_ptr<ChannelHandler>(flooder)); },
      {.writeBufferWaterMark = WriteBufferWaterMark{.low = 32 * 1024, .high = 64 * 1024}});
  auto collector = std::make_shared<SharedCollector>();
  // The client does not read: the server's bytes pile up.
  ChannelPtr client = connect(port, collector, {.autoRead = false});
  ASSERT_TRUE(flooder->blocked.await(20s));
  // What waits in the channel stays near the high water mark: the one write that crossed it.
  EXPECT_LE(flooder->maxQueued.load(), 64 * 1024 + Flooder::kChunk);
  EXPECT_GT(flooder->maxQueued.load(), 64 * 1024);

  flooder->peerReading = true;
  client->config().setAutoRead(true);  // the peer reads again
  ASSERT_TRUE(flooder->resumed.await(20s));
  EXPECT_TRUE(collector->waitFor(Flooder::kTotal, 60s));
}

TEST_F(UvSocketChannelTest, AutoReadOffStopsReadingUntilReadIsCalled) {
  auto serverSide = std::make_shared<Promise<ChannelPtr>>(Promise<ChannelPtr>::make(nullptr));
  struct Capture : ChannelInboundHandler {
    explicit Capture(std::shared_ptr<Promise<ChannelPtr>> p) : promise(std::move(p)) {}
    void channelActive(ChannelHandlerContext& ctx) override {
      promise->trySuccess(ctx.channel().shared());
      ctx.fireChannelActive();
    }
    std::shared_ptr<Promise<ChannelPtr>> promise;
  };
  const std::uint16_t port =
      startServer([serverSide](Channel& ch) { ch.pipeline().addLast<Capture>(serverSide); });
  auto collector = std::make_shared<SharedCollector>();
  ChannelPtr client = connect(port, collector, {.autoRead = false});
  ChannelPtr server = serverSide->future().get();

  server->writeAndFlush(Unpooled::copiedBuffer("held back")).sync();
  // Two turns of the client's loop after the bytes left the server: had it been reading,
  // they would have arrived by now.
  client->eventLoop().submit([] {}).sync();
  client->eventLoop().submit([] {}).sync();
  EXPECT_EQ(collector->reads(), 0U);

  client->read();
  EXPECT_TRUE(collector->waitFor(9));
  EXPECT_EQ(collector->bytes(), "held back");
}

TEST_F(UvSocketChannelTest, PeerCloseEndsInInactiveAndLaterWritesFail) {
  struct Closer : ChannelInboundHandler {
    void channelActive(ChannelHandlerContext& ctx) override { ctx.close(); }
  };
  const std::uint16_t port = startServer([](Channel& ch) { ch.pipeline().addLast<Closer>(); });
  auto collector = std::make_shared<SharedCollector>();
  ChannelPtr client = connect(port, collector);
  ASSERT_TRUE(collector->waitInactive());
  EXPECT_FALSE(client->isActive());
  ASSERT_TRUE(client->closeFuture().await(5s));
  ChannelFuture late = client->writeAndFlush(Unpooled::copiedBuffer("too late"));
  ASSERT_TRUE(late.await(5s));
  EXPECT_EQ(late.cause(), CoreErrc::ClosedChannel);
}

TEST_F(UvSocketChannelTest, ShutdownOutputSendsEndOfStream) {
  auto serverSeen = std::make_shared<SharedCollector>();
  const std::uint16_t port =
      startServer([serverSeen](Channel& ch) { ch.pipeline().addLast(serverSeen); });
  ChannelPtr client = connect(port, std::make_shared<SharedCollector>());
  client->writeAndFlush(Unpooled::copiedBuffer("last words"));
  auto* socket = dynamic_cast<UvSocketChannel*>(client.get());
  ASSERT_NE(socket, nullptr);
  socket->shutdownOutput().sync();
  EXPECT_TRUE(socket->isOutputShutdown());
  EXPECT_TRUE(serverSeen->waitFor(10));
  EXPECT_TRUE(serverSeen->waitInactive());  // the server saw EOF and closed
  EXPECT_EQ(serverSeen->bytes(), "last words");
}

TEST_F(UvSocketChannelTest, EchoesOverIPv6) {
  ServerBootstrap b;
  b.group(group_).childHandler(
      initializer([](Channel& ch) { ch.pipeline().addLast<EchoHandler>(); }));
  ChannelFuture bound = b.bind("::1", 0);
  ASSERT_TRUE(bound.await(5s));
  if (!bound.isSuccess()) {
    GTEST_SKIP() << "no IPv6 loopback here: " << bound.cause().message();
  }
  server_ = bound.channel().shared();
  EXPECT_TRUE(server_->localAddress().isIPv6());
  auto collector = std::make_shared<SharedCollector>();
  Bootstrap c;
  c.group(group_).handler(
      initializer([collector](Channel& ch) { ch.pipeline().addLast(collector); }));
  ChannelPtr client = c.connect("::1", server_->localAddress().port()).get();
  EXPECT_EQ(client->remoteAddress().toString(),
            fmt::format("[::1]:{}", server_->localAddress().port()));
  client->writeAndFlush(Unpooled::copiedBuffer("six"));
  EXPECT_TRUE(collector->waitFor(3));
  EXPECT_EQ(collector->bytes(), "six");
}

TEST_F(UvSocketChannelTest, WritingToAClosedPeerFailsTheWriteAndNeverKillsTheProcess) {
  // A write to a socket whose peer has gone raises SIGPIPE, which ends a process by default;
  // sluice ignores it and reports the error on the write instead.
  auto serverSide = std::make_shared<Promise<ChannelPtr>>(Promise<ChannelPtr>::make(nullptr));
  struct Capture : ChannelInboundHandler {
    explicit Capture(std::shared_ptr<Promise<ChannelPtr>> p) : promise(std::move(p)) {}
    void channelActive(ChannelHandlerContext& ctx) override {
      promise->trySuccess(ctx.channel().shared());
      ctx.fireChannelActive();
    }
    std::shared_ptr<Promise<ChannelPtr>> promise;
  };
  const std::uint16_t port =
      startServer([serverSide](Channel& ch) { ch.pipeline().addLast<Capture>(serverSide); });
  ChannelPtr client = connect(port, std::make_shared<SharedCollector>());
  ChannelPtr server = serverSide->future().get();
  serverSide.reset();
  client->close().sync();

  const std::string chunk(64 * 1024, 'x');
  Error failure;
  for (int i = 0; i < 1000 && !failure; ++i) {
    ChannelFuture f = server->writeAndFlush(Unpooled::copiedBuffer(chunk));
    ASSERT_TRUE(f.await(5s));
    failure = f.cause();
  }
  ASSERT_TRUE(failure) << "every write succeeded after the peer closed";
  EXPECT_TRUE(failure.code() == std::errc::broken_pipe ||
              failure.code() == std::errc::connection_reset || failure == CoreErrc::ClosedChannel)
      << failure.toString();
  EXPECT_TRUE(server->closeFuture().await(5s));
  // Whether it saw the end of the stream or a reset first, the peer closed it.
  EXPECT_EQ(server->closeReason().initiator, CloseInitiator::Peer);
  EXPECT_TRUE(server->closeReason().rule == "end of stream" ||
              server->closeReason().rule == "connection reset")
      << server->closeReason().rule;
}

TEST_F(UvSocketChannelTest, AddressesNameTheRealPorts) {
  const std::uint16_t port = startServer([](Channel& ch) { ch.pipeline().addLast<EchoHandler>(); });
  EXPECT_NE(port, 0);
  ChannelPtr client = connect(port, std::make_shared<SharedCollector>());
  EXPECT_EQ(client->remoteAddress().toString(), fmt::format("127.0.0.1:{}", port));
  EXPECT_NE(client->localAddress().port(), 0);
  EXPECT_NE(client->toString().find(fmt::format("R:127.0.0.1:{}", port)), std::string::npos);
}

TEST_F(UvSocketChannelTest, PeerEndOfStreamIsReportedAsClosedByThePeer) {
  struct Closer : ChannelInboundHandler {
    void channelActive(ChannelHandlerContext& ctx) override { ctx.close(); }
  };
  auto serverEvents = std::make_shared<ClosedEvents>();
  const std::uint16_t port = startServer([serverEvents](Channel& ch) {
    ch.pipeline().addLast(serverEvents);
    ch.pipeline().addLast<Closer>();
  });
  auto clientEvents = std::make_shared<ClosedEvents>();
  Bootstrap b;
  b.group(group_).handler(
      initializer([clientEvents](Channel& ch) { ch.pipeline().addLast(clientEvents); }));
  ChannelPtr client = b.connect("127.0.0.1", port).get();
  ASSERT_TRUE(clientEvents->waitFor(1));
  ASSERT_TRUE(serverEvents->waitFor(1));
  const ChannelClosedEvent clientSide = clientEvents->events()[0].second;
  EXPECT_EQ(clientSide.reason.initiator, CloseInitiator::Peer);
  EXPECT_EQ(clientSide.reason.rule, "end of stream");
  EXPECT_FALSE(clientSide.reason.error);
  const ChannelClosedEvent serverSide = serverEvents->events()[0].second;
  EXPECT_EQ(serverSide.reason.initiator, CloseInitiator::Application);
  ASSERT_TRUE(client->closeFuture().await(5s));
  EXPECT_EQ(client->closeReason().initiator, CloseInitiator::Peer);
}

TEST_F(UvSocketChannelTest, CountsTheBytesThatCrossTheWire) {
  auto serverEvents = std::make_shared<ClosedEvents>();
  const std::uint16_t port = startServer([serverEvents](Channel& ch) {
    ch.pipeline().addLast(serverEvents);
    ch.pipeline().addLast<EchoHandler>();
  });
  const std::uint64_t readBefore = counterValue("sluice_bytes_read_total");
  const std::uint64_t writtenBefore = counterValue("sluice_bytes_written_total");
  auto collector = std::make_shared<SharedCollector>();
  ChannelPtr client = connect(port, collector);
  std::string sent;
  for (int i = 0; i < 50; ++i) {
    const std::string chunk(static_cast<std::size_t>(1000 + i * 997),
                            static_cast<char>('a' + i % 26));
    client->writeAndFlush(Unpooled::copiedBuffer(chunk));
    sent += chunk;
  }
  ASSERT_TRUE(collector->waitFor(sent.size()));
  client->close().sync();
  ASSERT_TRUE(serverEvents->waitFor(1));
  // The client wrote and read every byte once; so did the server's side.
  EXPECT_EQ(client->bytesWritten(), sent.size());
  EXPECT_EQ(client->bytesRead(), sent.size());
  const ChannelClosedEvent serverSide = serverEvents->events()[0].second;
  EXPECT_EQ(serverSide.bytesRead, sent.size());
  EXPECT_EQ(serverSide.bytesWritten, sent.size());
  EXPECT_EQ(counterValue("sluice_bytes_read_total") - readBefore, 2 * sent.size());
  EXPECT_EQ(counterValue("sluice_bytes_written_total") - writtenBefore, 2 * sent.size());
}

TEST_F(UvSocketChannelTest, CountsClientConnectionsAndTheirCloses) {
  auto serverEvents = std::make_shared<ClosedEvents>();
  const std::uint16_t port =
      startServer([serverEvents](Channel& ch) { ch.pipeline().addLast(serverEvents); });
  const std::uint64_t connected = counterValue("sluice_connections_connected_total");
  const std::uint64_t byApplication =
      counterValue("sluice_connections_closed_total", {{"initiator", "application"}});
  const std::uint64_t byPeer =
      counterValue("sluice_connections_closed_total", {{"initiator", "peer"}});
  std::vector<ChannelPtr> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connect(port, std::make_shared<SharedCollector>()));
  }
  EXPECT_EQ(counterValue("sluice_connections_connected_total") - connected, 3U);
  for (auto& ch : clients) {
    ch->close().sync();
  }
  ASSERT_TRUE(serverEvents->waitFor(3));
  // Ours closed by the application, the server's sides by their peer.
  EXPECT_EQ(counterValue("sluice_connections_closed_total", {{"initiator", "application"}}) -
                byApplication,
            3U);
  EXPECT_EQ(counterValue("sluice_connections_closed_total", {{"initiator", "peer"}}) - byPeer, 3U);
}

TEST_F(UvSocketChannelTest, AFailedConnectIsNotAConnection) {
  // A port nothing listens on: bind one, note it, close it.
  const std::uint16_t port = startServer([](Channel&) {});
  server_->close().sync();
  const std::uint64_t connected = counterValue("sluice_connections_connected_total");
  Bootstrap b;
  b.group(group_).handler(initializer([](Channel&) {}));
  Future<ChannelPtr> f = b.connect("127.0.0.1", port);
  ASSERT_TRUE(f.await(10s));
  EXPECT_FALSE(f.isSuccess());
  EXPECT_EQ(counterValue("sluice_connections_connected_total"), connected);
}

}  // namespace
}  // namespace sluice
