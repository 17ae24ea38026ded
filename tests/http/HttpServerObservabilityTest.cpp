// The HTTP server's side of observability: drain (DrainEvent) in HttpServerCodec, with and
// without HttpServerKeepAliveHandler; the request and response metrics; the close reasons
// the codec, the aggregator and the keep-alive handler record.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpServerKeepAliveHandler.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpServerObservabilityTest = testing::SluiceTest;

// The value of a counter series in the global registry (0 if it does not exist yet).
double counterValue(std::string_view name, const MetricLabels& labels) {
  for (const MetricFamily& family : MetricsRegistry::global().collect()) {
    if (family.name != name) {
      continue;
    }
    for (const MetricSample& sample : family.samples) {
      if (sample.labels == labels) {
        return sample.value;
      }
    }
  }
  return 0;
}

// Everything written to the wire so far.
std::string written(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toStringView();
  }
  return all;
}

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

FullHttpResponse okResponse(std::string_view body = "ok") {
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk, Unpooled::copiedBuffer(body));
  res.headers().add(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(body.size()));
  return res;
}

// Records what reaches it: requests ("GET /a"), drains ("DRAIN handled"), the inactive.
class Recorder : public ChannelInboundHandler {
 public:
  explicit Recorder(std::vector<std::string>* events) : events_(events) {}

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    (void)ctx;
    if (const auto* request = msg.getIf<HttpRequest>()) {
      events_->push_back(std::string(request->method().name()) + " " + request->uri());
    } else if (msg.is<LastHttpContent>()) {
      events_->push_back("last");
    } else if (msg.is<HttpContent>()) {
      events_->push_back("content");
    }
  }
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (const auto* drain = event.getIf<DrainEvent>()) {
      events_->push_back(drain->handled ? "DRAIN handled" : "DRAIN unhandled");
      return;
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
  void channelInactive(ChannelHandlerContext& ctx) override {
    events_->push_back("INACTIVE");
    ctx.fireChannelInactive();
  }

 private:
  std::vector<std::string>* events_;
};

void drain(EmbeddedChannel& ch) {
  ch.pipeline().fireUserEventTriggered(
      DrainEvent{.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30)});
}

void feed(EmbeddedChannel& ch, std::string_view bytes) {
  ch.writeInbound(Unpooled::copiedBuffer(bytes));
}

TEST_F(HttpServerObservabilityTest, DrainClosesAnIdleConnectionAtOnce) {
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  ch.writeAndFlush(okResponse());
  EXPECT_NE(written(ch).find("200 OK"), std::string::npos);
  drain(ch);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(events, (std::vector<std::string>{"GET /a", "last", "DRAIN handled", "INACTIVE"}));
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Shutdown);
  EXPECT_EQ(ch.closeReason().rule, "drain");
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, DrainLetsTheResponseInFlightFinishWithConnectionClose) {
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  drain(ch);
  EXPECT_TRUE(ch.isOpen());
  // A request that arrives after the drain is not processed (RFC 9112 9.6).
  feed(ch, "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  feed(ch, "GET /c HTTP/1.1\r\nHost: h\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(events, (std::vector<std::string>{"GET /a", "last", "DRAIN handled"}));
  ch.writeAndFlush(okResponse());
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Shutdown);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, DrainAnswersThePipelinedRequestsAlreadyPassedOn) {
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  drain(ch);
  ch.writeAndFlush(okResponse("a"));
  const std::string first = written(ch);
  EXPECT_EQ(first.find("connection"), std::string::npos) << first;
  EXPECT_TRUE(ch.isOpen());
  ch.writeAndFlush(okResponse("b"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 1\r\nconnection: close\r\n\r\nb");
  EXPECT_FALSE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, DrainDuringAStreamedResponseClosesAfterItsLastContent) {
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  HttpResponse head(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  head.headers().add(HttpHeaderNames::kTransferEncoding, HttpHeaderValues::kChunked);
  ch.writeAndFlush(std::move(head));
  drain(ch);
  ch.writeAndFlush(HttpContent(Unpooled::copiedBuffer("part")));
  EXPECT_TRUE(ch.isOpen());
  ch.writeAndFlush(LastHttpContent());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\npart\r\n0\r\n\r\n");
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, DrainWithTheKeepAliveHandlerSaysCloseOnceAndClosesOnce) {
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpServerKeepAliveHandler>(),
                     std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  drain(ch);
  ch.writeAndFlush(okResponse());
  const std::string out = written(ch);
  EXPECT_EQ(occurrences(out, "connection:"), 1U) << out;
  EXPECT_EQ(out.find("keep-alive"), std::string::npos) << out;
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(events, (std::vector<std::string>{"GET /a", "last", "DRAIN handled", "INACTIVE"}));
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Shutdown);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, CountsRequestsByMethodAndResponsesByClass) {
  const MetricLabels get{{"method", "GET"}};
  const MetricLabels other{{"method", "other"}};
  const MetricLabels success{{"class", "2xx"}};
  const MetricLabels clientError{{"class", "4xx"}};
  const double get0 = counterValue("sluice_http_requests_total", get);
  const double other0 = counterValue("sluice_http_requests_total", other);
  const double success0 = counterValue("sluice_http_responses_total", success);
  const double clientError0 = counterValue("sluice_http_responses_total", clientError);
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nBREW /pot HTTP/1.1\r\nHost: h\r\n\r\n");
  ch.writeAndFlush(okResponse());
  ch.writeAndFlush(okResponse());
  feed(ch, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
  FullHttpResponse notFound(HttpVersion::kHttp11, HttpResponseStatus::kNotFound);
  notFound.headers().add(HttpHeaderNames::kContentLength, 0);
  ch.writeAndFlush(std::move(notFound));
  EXPECT_EQ(counterValue("sluice_http_requests_total", get) - get0, 2);
  EXPECT_EQ(counterValue("sluice_http_requests_total", other) - other0, 1);
  EXPECT_EQ(counterValue("sluice_http_responses_total", success) - success0, 2);
  EXPECT_EQ(counterValue("sluice_http_responses_total", clientError) - clientError0, 1);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, BadRequestIsAProtocolCloseWith400) {
  const MetricLabels clientError{{"class", "4xx"}};
  const double clientError0 = counterValue("sluice_http_responses_total", clientError);
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n");
  EXPECT_NE(written(ch).find("400 Bad Request"), std::string::npos);
  EXPECT_FALSE(ch.isOpen());
  const CloseReason& reason = ch.closeReason();
  EXPECT_EQ(reason.initiator, CloseInitiator::Protocol);
  EXPECT_FALSE(reason.rule.empty());
  EXPECT_EQ(reason.codeSent, 400);
  EXPECT_TRUE(reason.error);
  EXPECT_EQ(counterValue("sluice_http_responses_total", clientError) - clientError0, 1);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, HeadersOverTheLimitAreALimitCloseWith431) {
  HttpServerCodecConfig config;
  config.decoder.maxHeaderSize = 64;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(config));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(100, 'x') + "\r\n\r\n");
  EXPECT_NE(written(ch).find("431"), std::string::npos);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Limit);
  EXPECT_EQ(ch.closeReason().rule, "maxHeaderSize 64");
  EXPECT_EQ(ch.closeReason().codeSent, 431);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, BodyOverTheAggregatorsLimitIsALimitCloseWith413) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(4));
  feed(ch, "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
  feed(ch, "3\r\ndef\r\n");
  EXPECT_NE(written(ch).find("413"), std::string::npos);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Limit);
  EXPECT_EQ(ch.closeReason().rule, "maxContentLength 4");
  EXPECT_EQ(ch.closeReason().codeSent, 413);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, RefusedExpectationThatClosesIsALimitCloseWith413) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(HttpObjectAggregatorConfig{
                         .maxContentLength = 4, .closeOnExpectationFailed = true}));
  feed(ch, "POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n");
  EXPECT_NE(written(ch).find("413"), std::string::npos);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Limit);
  EXPECT_EQ(ch.closeReason().rule, "maxContentLength 4");
  EXPECT_EQ(ch.closeReason().codeSent, 413);
  ch.finishAndReleaseAll();
}

TEST_F(HttpServerObservabilityTest, ConnectionCloseRequestIsThePeersClose) {
  std::vector<std::string> events;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpServerKeepAliveHandler>(),
                     std::make_unique<Recorder>(&events));
  feed(ch, "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ch.writeAndFlush(okResponse());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Peer);
  EXPECT_EQ(ch.closeReason().rule, "Connection: close");
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::http
