#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpMetricsHandler.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/metrics/PrometheusTextFormat.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpMetricsHandlerTest = testing::SluiceTest;

std::string written(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toStringView();
  }
  return all;
}

void feed(EmbeddedChannel& ch, std::string_view bytes) {
  ch.writeInbound(Unpooled::copiedBuffer(bytes));
}

// What the handler after the metrics handler receives: "GET /x", "content abc", "last".
class Next : public ChannelInboundHandler {
 public:
  explicit Next(std::vector<std::string>* seen) : seen_(seen) {}
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    (void)ctx;
    if (const auto* request = msg.getIf<HttpRequest>()) {
      seen_->push_back(std::string(request->method().name()) + " " + request->uri());
    } else if (const auto* last = msg.getIf<LastHttpContent>()) {
      seen_->push_back(last->content().isReadable() ? "last " + last->content().toString()
                                                    : "last");
    } else if (const auto* content = msg.getIf<HttpContent>()) {
      seen_->push_back("content " + content->content().toString());
    }
  }

 private:
  std::vector<std::string>* seen_;
};

// The body of the one response in `response` (after the blank line).
std::string_view bodyOf(std::string_view response) {
  const std::size_t end = response.find("\r\n\r\n");
  return end == std::string_view::npos ? std::string_view() : response.substr(end + 4);
}

TEST_F(HttpMetricsHandlerTest, ServesThePrivateRegistryOnGet) {
  MetricsRegistry registry;
  registry.counter("app_jobs_total", "Jobs done.").inc(3);
  // [docs:metrics-handler]
  auto metrics = std::make_shared<HttpMetricsHandler>(
      HttpMetricsConfig{.path = "/metrics", .registry = &registry});
  // [docs:end]
  std::vector<std::string> seen;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(1024), metrics,
                     std::make_unique<Next>(&seen));
  feed(ch, "GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string out = written(ch);
  const std::string expected = PrometheusTextFormat::write(registry);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "content-length: " +
                std::to_string(expected.size()) + "\r\n\r\n" + expected);
  EXPECT_NE(expected.find("app_jobs_total 3"), std::string::npos) << expected;
  EXPECT_TRUE(seen.empty());
  EXPECT_TRUE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(HttpMetricsHandlerTest, ServesTheGlobalRegistryWithTheFrameworksSeries) {
  std::vector<std::string> seen;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_shared<HttpMetricsHandler>(),
                     std::make_unique<Next>(&seen));
  feed(ch, "GET /metrics?format=text HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string out = written(ch);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n")) << out;
  // The codec counted this very request before the handler collected.
  EXPECT_NE(out.find("# TYPE sluice_http_requests_total counter"), std::string::npos) << out;
  EXPECT_NE(out.find("sluice_http_requests_total{method=\"GET\"}"), std::string::npos) << out;
  EXPECT_TRUE(seen.empty());
  ch.finishAndReleaseAll();
}

TEST_F(HttpMetricsHandlerTest, HeadGetsTheHeadersWithoutTheBody) {
  MetricsRegistry registry;
  registry.gauge("app_queue", "Queue depth.").add(7);
  EmbeddedChannel ch(
      std::make_unique<HttpServerCodec>(),
      std::make_shared<HttpMetricsHandler>(HttpMetricsConfig{.registry = &registry}));
  feed(ch, "HEAD /metrics HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string out = written(ch);
  const std::string text = PrometheusTextFormat::write(registry);
  EXPECT_NE(out.find("content-length: " + std::to_string(text.size()) + "\r\n"), std::string::npos)
      << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\n")) << out;
  EXPECT_EQ(bodyOf(out), "");
  ch.finishAndReleaseAll();
}

TEST_F(HttpMetricsHandlerTest, OtherMethodsGet405WithAllow) {
  std::vector<std::string> seen;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(1024),
                     std::make_shared<HttpMetricsHandler>(), std::make_unique<Next>(&seen));
  feed(ch, "DELETE /metrics HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(written(ch),
            "HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\ncontent-length: 0\r\n\r\n");
  EXPECT_TRUE(seen.empty());
  EXPECT_TRUE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(HttpMetricsHandlerTest, OtherPathsPassOnUntouched) {
  std::vector<std::string> seen;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_shared<HttpMetricsHandler>(),
                     std::make_unique<Next>(&seen));
  feed(ch, "POST /metricsx HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(seen, (std::vector<std::string>{"POST /metricsx", "last abc"}));
  EXPECT_EQ(written(ch), "");
  ch.finishAndReleaseAll();
}

TEST_F(HttpMetricsHandlerTest, TheBodyOfAnAnsweredRequestIsDroppedWithoutAnAggregator) {
  std::vector<std::string> seen;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_shared<HttpMetricsHandler>(),
                     std::make_unique<Next>(&seen));
  feed(ch, "POST /metrics HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
  EXPECT_TRUE(written(ch).starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
  feed(ch, "2\r\nde\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(seen, (std::vector<std::string>{"GET /next", "last"}));
  EXPECT_TRUE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(HttpMetricsHandlerTest, KeepAliveFollowsTheRequest) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_shared<HttpMetricsHandler>());
  feed(ch, "GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const std::string kept = written(ch);
  EXPECT_TRUE(kept.starts_with("HTTP/1.0 200 OK\r\n")) << kept;
  EXPECT_NE(kept.find("connection: keep-alive\r\n"), std::string::npos) << kept;
  EXPECT_TRUE(ch.isOpen());
  feed(ch, "GET /metrics HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  const std::string closed = written(ch);
  EXPECT_NE(closed.find("connection: close\r\n"), std::string::npos) << closed;
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Peer);
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::http
