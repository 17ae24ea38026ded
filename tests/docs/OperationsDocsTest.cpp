// The code shown in docs/operations.md: an application's own metrics, a /metrics endpoint,
// a ChannelClosedEvent handler, routing the per-connection log line, and draining a server
// (with a handler that says goodbye on a drain) over real sockets on 127.0.0.1. Each region
// between "// [docs:NAME]" and "// [docs:end]" appears verbatim in the page (docs.snippets).

#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelClosedEvent.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/codec/LineBasedFrameDecoder.h>
#include <sluice/http/HttpMetricsHandler.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/metrics/PrometheusTextFormat.h>
#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/transport/UvServerSocketChannel.h>
#include <sluice/util/Log.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace docs {

// Where the snippets' handlers write, for the tests to read.
struct Lines {
  std::mutex mutex;
  std::vector<std::string> lines;
  void add(std::string line) {
    std::lock_guard lock(mutex);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex);
    return std::exchange(lines, {});
  }
};
Lines auditLog;
Lines accessLog;

void audit(std::string line) { auditLog.add(std::move(line)); }

// [docs:app-counter]
// Looked up once (the registry takes a mutex to find a series), then a lock-free add per call.
sluice::Counter& ordersPlaced() {
  static sluice::Counter& counter = sluice::MetricsRegistry::global().counter(
      "shop_orders_placed_total", "Orders placed, by where they came from", {{"source", "web"}});
  return counter;
}

void placeOrder() {
  // ... the order itself ...
  ordersPlaced().inc();
}
// [docs:end]

// [docs:metrics-initializer]
/// An HTTP server whose GET /metrics is Prometheus's; every other request goes on to the
/// application. One HttpMetricsHandler serves every connection.
class ApiServerInitializer : public sluice::ChannelInitializer {
 public:
  explicit ApiServerInitializer(std::shared_ptr<sluice::ChannelHandler> api)
      : api_(std::move(api)) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    ch.pipeline().addLast<sluice::http::HttpServerCodec>();
    ch.pipeline().addLast(metrics_);
    ch.pipeline().addLast(api_);
  }

 private:
  std::shared_ptr<sluice::http::HttpMetricsHandler> metrics_ =
      std::make_shared<sluice::http::HttpMetricsHandler>(
          sluice::http::HttpMetricsConfig{.path = "/metrics"});
  std::shared_ptr<sluice::ChannelHandler> api_;
};
// [docs:end]

// [docs:closed-event-handler]
/// One audit line per connection, from the event every channel fires as it closes (right
/// before channelInactive): who closed it, why, and what it carried.
class AuditHandler : public sluice::ChannelInboundHandler {
 public:
  void userEventTriggered(sluice::ChannelHandlerContext& ctx, sluice::Message event) override {
    if (const auto* closed = event.getIf<sluice::ChannelClosedEvent>()) {
      const sluice::CloseReason& reason = closed->reason;
      audit(fmt::format(
          "{} closed by {} ({}), close code sent {} received {}, {} ms, {} bytes in, {} out",
          ctx.channel().id().asShortText(), sluice::toString(reason.initiator),
          reason.rule.empty() ? "no rule" : reason.rule, reason.codeSent, reason.codeReceived,
          std::chrono::duration_cast<std::chrono::milliseconds>(closed->duration).count(),
          closed->bytesRead, closed->bytesWritten));
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};
// [docs:end]

// [docs:goodbye-on-drain]
/// A line protocol's way out of a drain: say goodbye, then close once it is written. Marking
/// the event handled keeps the pipeline's tail from closing the connection at once; the
/// close is recorded as the drain's (initiator "shutdown"), not the application's.
class GoodbyeOnDrain : public sluice::ChannelInboundHandler {
 public:
  void userEventTriggered(sluice::ChannelHandlerContext& ctx, sluice::Message event) override {
    if (auto* drain = event.getIf<sluice::DrainEvent>()) {
      drain->handled = true;
      ctx.channel().closeReason().record(sluice::CloseInitiator::Shutdown, "goodbye on drain");
      ctx.writeAndFlush(sluice::Unpooled::copiedBuffer("server going away\n"))
          .addListener(sluice::ChannelFutureListener::kClose);
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};
// [docs:end]

class OperationsDocsTest : public sluice::testing::SluiceTest {
 protected:
  void TearDown() override {
    sluice::Log::setSink({});
    sluice::Log::setLevel(sluice::LogLevel::Info);
    SluiceTest::TearDown();
  }
};

double sampleValue(const sluice::MetricsRegistry& registry, std::string_view name,
                   const sluice::MetricLabels& labels = {}) {
  for (const auto& family : registry.collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& sample : family.samples) {
      if (sample.labels == labels) {
        return sample.value;
      }
    }
  }
  return -1;
}

TEST_F(OperationsDocsTest, AnApplicationsCounterIsInTheGlobalRegistry) {
  placeOrder();
  const double before = sampleValue(sluice::MetricsRegistry::global(), "shop_orders_placed_total",
                                    {{"source", "web"}});
  placeOrder();
  placeOrder();
  EXPECT_EQ(sampleValue(sluice::MetricsRegistry::global(), "shop_orders_placed_total",
                        {{"source", "web"}}),
            before + 2);
  EXPECT_NE(sluice::PrometheusTextFormat::write(sluice::MetricsRegistry::global())
                .find("# TYPE shop_orders_placed_total counter\n"),
            std::string::npos);
}

TEST_F(OperationsDocsTest, OwnRegistryAndCallbackGauge) {
  // [docs:own-registry]
  sluice::MetricsRegistry registry;  // not the framework's: only what is put in it
  std::deque<std::string> jobs{"a", "b", "c"};
  std::mutex jobsMutex;
  sluice::Histogram& jobSeconds = registry.histogram("jobs_duration_seconds", "Time a job took",
                                                     sluice::Histogram::latencyBuckets());
  sluice::MetricsRegistry::Registration queued = registry.gaugeCallback(
      "jobs_queued", "Jobs waiting", {}, [&] {  // sampled when the registry is read
        std::lock_guard lock(jobsMutex);
        return static_cast<double>(jobs.size());
      });
  jobSeconds.observe(0.004);
  const std::string text = sluice::PrometheusTextFormat::write(registry);
  // [docs:end]
  EXPECT_NE(text.find("# TYPE jobs_queued gauge\njobs_queued 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("jobs_duration_seconds_count 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("jobs_duration_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  queued.reset();
  EXPECT_EQ(sluice::PrometheusTextFormat::write(registry).find("jobs_queued"), std::string::npos);
}

TEST_F(OperationsDocsTest, MetricsEndpointAnswersGetAndPassesTheRestOn) {
  sluice::EmbeddedChannel ch;
  ch.pipeline().addLast(
      std::make_shared<ApiServerInitializer>(std::make_shared<sluice::testing::EchoHandler>()));
  ch.runPendingTasks();
  ch.writeInbound(sluice::Unpooled::copiedBuffer("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string response;
  while (auto out = ch.readOutbound<sluice::ByteBuf>()) {
    response += out->toStringView();
  }
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_NE(response.find("text/plain; version=0.0.4; charset=utf-8"), std::string::npos);
  EXPECT_NE(response.find("# TYPE sluice_connections_open gauge"), std::string::npos);
  ch.finishAndReleaseAll();
}

TEST_F(OperationsDocsTest, ClosedEventCarriesTheReason) {
  sluice::EmbeddedChannel ch;
  ch.pipeline().addLast<AuditHandler>();
  auditLog.take();
  // [docs:record-reason]
  // Whoever decides to close says why first; the first initiator recorded wins.
  ch.closeReason().record(sluice::CloseInitiator::Limit, "more than 100 requests a second");
  ch.close();
  // [docs:end]
  const std::vector<std::string> lines = auditLog.take();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_NE(lines[0].find(" closed by limit (more than 100 requests a second), close code sent 0 "
                          "received 0, "),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(" bytes in, "), std::string::npos) << lines[0];
}

TEST_F(OperationsDocsTest, LogLineRoutedBySink) {
  // [docs:log-sink]
  // The one line per closed connection comes from the logger "channel" at Info. Send those
  // lines to an access log, and the rest where they went before.
  sluice::Log::setSink(
      [](sluice::LogLevel level, std::string_view logger, std::string_view message) {
        if (logger == "channel") {
          accessLog.add(std::string(message));
        } else {
          fmt::print(stderr, "{} {}: {}\n", sluice::toString(level), logger, message);
        }
      });
  // [docs:end]
  accessLog.take();
  {
    sluice::EmbeddedChannel ch;
    ch.closeReason().record(sluice::CloseInitiator::Protocol, "RFC 9112 2.2: bare CR");
    ch.close();
  }
  const std::vector<std::string> lines = accessLog.take();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_TRUE(lines[0].starts_with("closed id=")) << lines[0];
  EXPECT_NE(lines[0].find(" initiator=protocol rule=\"RFC 9112 2.2: bare CR\" "), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(" duration_ms="), std::string::npos) << lines[0];

  // [docs:log-level]
  sluice::Log::setLevel(sluice::LogLevel::Warn);  // no Info lines at all, these included
  // [docs:end]
  {
    sluice::EmbeddedChannel ch;
    ch.close();
  }
  EXPECT_TRUE(accessLog.take().empty());
}

TEST_F(OperationsDocsTest, DrainSaysGoodbyeAndReportsWhatItDid) {
  auditLog.take();
  sluice::UvEventLoopGroup group(1);
  auto accepted = std::make_shared<std::atomic<int>>(0);
  sluice::ServerBootstrap bootstrap;
  bootstrap.group(group).childHandler(sluice::testing::initializer([accepted](sluice::Channel& ch) {
    ch.pipeline().addLast<GoodbyeOnDrain>();
    ch.pipeline().addLast<AuditHandler>();
    ++*accepted;
  }));
  sluice::ChannelFuture bound = bootstrap.bind("127.0.0.1", 0).sync();
  const std::uint16_t port = bound.channel().localAddress().port();

  // Two clients; each must hear the goodbye and then the close.
  std::vector<std::shared_ptr<sluice::testing::Collector>> collectors;
  std::vector<sluice::ChannelPtr> clients;
  sluice::UvEventLoopGroup clientGroup(1);
  for (int i = 0; i < 2; ++i) {
    auto collector = std::make_shared<sluice::testing::Collector>();
    sluice::Bootstrap b;
    b.group(clientGroup).handler(sluice::testing::initializer([collector](sluice::Channel& ch) {
      ch.pipeline().addLast(collector);
    }));
    clients.push_back(b.connect("127.0.0.1", port).get());
    collectors.push_back(collector);
  }
  // Both accepted (their pipelines set up) before the drain begins.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (*accepted < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }

  // [docs:drain-server]
  // On SIGTERM: stop accepting, let every connection finish, then stop the loops.
  sluice::Future<sluice::DrainResult> drained =
      sluice::UvServerSocketChannel::drain(bound.channel(), std::chrono::seconds(10));
  const sluice::DrainResult& result = drained.get();  // every connection has closed
  fmt::print("drained {} connections: {} closed in time, {} forced\n", result.channels,
             result.closedInTime, result.forced);
  // Every connection has closed: the loops need no quiet period to wait for stragglers.
  group.shutdownGracefully(std::chrono::milliseconds(100), std::chrono::seconds(5)).await();
  // [docs:end]
  EXPECT_EQ(result.channels, 2U);
  EXPECT_EQ(result.closedInTime, 2U);
  EXPECT_EQ(result.forced, 0U);
  for (const auto& collector : collectors) {
    EXPECT_TRUE(collector->waitInactive());
    EXPECT_EQ(collector->bytes(), "server going away\n");
  }
  const std::vector<std::string> audited = auditLog.take();
  ASSERT_EQ(audited.size(), 2U);
  for (const std::string& line : audited) {
    EXPECT_NE(line.find(" closed by shutdown (goodbye on drain), "), std::string::npos) << line;
  }
  clientGroup.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
}

TEST_F(OperationsDocsTest, GroupDrainForcesWhatDoesNotCloseInTime) {
  sluice::UvEventLoopGroup group(1);
  auto sessions = std::make_shared<sluice::ChannelGroup>("sessions");
  auto joined = std::make_shared<std::atomic<int>>(0);
  sluice::ServerBootstrap bootstrap;
  // A pipeline that knows no goodbye but holds the drain up (handled, never closes): only the
  // deadline ends it.
  class Stubborn : public sluice::ChannelInboundHandler {
   public:
    void userEventTriggered(sluice::ChannelHandlerContext& ctx, sluice::Message event) override {
      if (auto* drain = event.getIf<sluice::DrainEvent>()) {
        drain->handled = true;
      }
      ctx.fireUserEventTriggered(std::move(event));
    }
  };
  bootstrap.group(group).childHandler(
      sluice::testing::initializer([sessions, joined](sluice::Channel& ch) {
        ch.pipeline().addLast<Stubborn>();
        sessions->add(ch.shared());
        ++*joined;
      }));
  sluice::ChannelFuture bound = bootstrap.bind("127.0.0.1", 0).sync();
  sluice::UvEventLoopGroup clientGroup(1);
  auto collector = std::make_shared<sluice::testing::Collector>();
  sluice::Bootstrap b;
  b.group(clientGroup).handler(sluice::testing::initializer([collector](sluice::Channel& ch) {
    ch.pipeline().addLast(collector);
  }));
  sluice::ChannelPtr client = b.connect("127.0.0.1", bound.channel().localAddress().port()).get();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (*joined < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }

  // [docs:group-drain]
  // A group drains the same way: the sessions of one tenant, the members of a room.
  const sluice::DrainResult result = sessions->drain(std::chrono::milliseconds(200)).get();
  // [docs:end]
  EXPECT_EQ(result.channels, 1U);
  EXPECT_EQ(result.closedInTime, 0U);
  EXPECT_EQ(result.forced, 1U);
  EXPECT_TRUE(collector->waitInactive());
  bound.channel().close().sync();
  clientGroup.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
  group.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
}

}  // namespace docs
