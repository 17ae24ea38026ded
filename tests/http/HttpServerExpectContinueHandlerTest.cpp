#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpServerExpectContinueHandler.h>
#include <sluice/http/HttpUtil.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpServerExpectContinueHandlerTest = testing::SluiceTest;
using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Message request(std::string uri, Fields fields, HttpVersion version = HttpVersion::kHttp11) {
  Message m = Message::make<HttpRequest>(version, HttpMethod::kPut, std::move(uri));
  for (const auto& [name, value] : fields) {
    m.get<HttpRequest>().headers().add(name, value);
  }
  return m;
}

// Refuses content longer than 10 bytes, and says so with a 413 of its own.
class SizeLimitingHandler : public HttpServerExpectContinueHandler {
 protected:
  bool acceptMessage(const HttpRequest& request) override {
    return HttpUtil::getContentLength(request).value_or(0) <= 10;
  }
  FullHttpResponse rejectResponse(const HttpRequest&) override {
    FullHttpResponse r(HttpVersion::kHttp11, HttpResponseStatus::kRequestEntityTooLarge);
    r.headers().set(HttpHeaderNames::kContentLength, 0);
    r.headers().set(HttpHeaderNames::kConnection, "close");
    return r;
  }
};

// Refuses everything with the default answer.
class RefusingHandler : public HttpServerExpectContinueHandler {
 protected:
  bool acceptMessage(const HttpRequest&) override { return false; }
};

TEST_F(HttpServerExpectContinueHandlerTest, SendsContinueAndStripsTheExpectation) {
  EmbeddedChannel ch(std::make_unique<HttpServerExpectContinueHandler>());
  ASSERT_TRUE(
      ch.writeInbound(request("/up", {{"Content-Length", "5"}, {"Expect", "100-continue"}})));
  std::optional<FullHttpResponse> cont = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(cont.has_value());
  EXPECT_EQ(cont->status(), HttpResponseStatus::kContinue);
  EXPECT_EQ(cont->protocolVersion(), HttpVersion::kHttp11);
  EXPECT_TRUE(cont->headers().isEmpty());  // RFC 9110 8.6: no Content-Length on a 1xx
  EXPECT_EQ(cont->content().readableBytes(), 0U);
  EXPECT_TRUE(ch.outboundMessages().empty());
  std::optional<HttpRequest> passed = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(passed.has_value());
  EXPECT_FALSE(passed->headers().contains(HttpHeaderNames::kExpect));
  EXPECT_EQ(passed->headers().get(HttpHeaderNames::kContentLength), "5");
  // The content follows as usual.
  ch.writeInbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("hello")));
  EXPECT_EQ(ch.readInbound<LastHttpContent>()->content().toStringView(), "hello");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, RequestsWithoutExpectationPassUntouched) {
  EmbeddedChannel ch(std::make_unique<HttpServerExpectContinueHandler>());
  ch.writeInbound(request("/", {{"Content-Length", "1"}}),
                  Message::make<LastHttpContent>(Unpooled::copiedBuffer("x")));
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_EQ(ch.readInbound<HttpRequest>()->uri(), "/");
  EXPECT_EQ(ch.readInbound<LastHttpContent>()->content().toStringView(), "x");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, Http10ExpectationIsIgnored) {
  EmbeddedChannel ch(std::make_unique<HttpServerExpectContinueHandler>());
  // RFC 9110 10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
  ch.writeInbound(request("/", {{"Expect", "100-continue"}}, HttpVersion::kHttp10));
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_TRUE(ch.readInbound<HttpRequest>().has_value());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, RefusedRequestGets417AndItsContentIsDropped) {
  EmbeddedChannel ch(std::make_unique<RefusingHandler>());
  EXPECT_FALSE(
      ch.writeInbound(request("/no", {{"Content-Length", "6"}, {"Expect", "100-continue"}})));
  std::optional<FullHttpResponse> refusal = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status(), HttpResponseStatus::kExpectationFailed);
  EXPECT_EQ(refusal->headers().get(HttpHeaderNames::kContentLength), "0");
  // The client sends the content anyway: nothing of the refused request is passed on.
  EXPECT_FALSE(ch.writeInbound(Message::make<HttpContent>(Unpooled::copiedBuffer("abc")),
                               Message::make<LastHttpContent>(Unpooled::copiedBuffer("def"))));
  EXPECT_TRUE(ch.isOpen());
  // The next request is served.
  ch.writeInbound(request("/next", {}), Message::make<LastHttpContent>());
  EXPECT_EQ(ch.readInbound<HttpRequest>()->uri(), "/next");
  EXPECT_TRUE(ch.readInbound<LastHttpContent>().has_value());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, NextRequestEndsTheDroppedContent) {
  EmbeddedChannel ch(std::make_unique<RefusingHandler>());
  // A client that waited for the answer sends its next request without the content.
  ch.writeInbound(request("/no", {{"Content-Length", "6"}, {"Expect", "100-continue"}}));
  ch.writeInbound(request("/next", {}), Message::make<LastHttpContent>());
  EXPECT_EQ(ch.readInbound<HttpRequest>()->uri(), "/next");
  EXPECT_TRUE(ch.readInbound<LastHttpContent>().has_value());
  ch.releaseOutbound();
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, HooksDecideAndAnswer) {
  EmbeddedChannel ch(std::make_unique<SizeLimitingHandler>());
  ch.writeInbound(request("/small", {{"Content-Length", "10"}, {"Expect", "100-continue"}}));
  EXPECT_EQ(ch.readOutbound<FullHttpResponse>()->status(), HttpResponseStatus::kContinue);
  EXPECT_EQ(ch.readInbound<HttpRequest>()->uri(), "/small");
  ch.writeInbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("0123456789")));
  EXPECT_TRUE(ch.readInbound<LastHttpContent>().has_value());

  ch.writeInbound(request("/large", {{"Content-Length", "11"}, {"Expect", "100-continue"}}));
  std::optional<FullHttpResponse> refusal = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status(), HttpResponseStatus::kRequestEntityTooLarge);
  EXPECT_EQ(refusal->headers().get(HttpHeaderNames::kConnection), "close");
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, UnsupportedExpectationGets417) {
  EmbeddedChannel ch(std::make_unique<HttpServerExpectContinueHandler>());
  ch.writeInbound(request("/", {{"Expect", "something-else"}}));
  std::optional<FullHttpResponse> refusal = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status(), HttpResponseStatus::kExpectationFailed);
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerExpectContinueHandlerTest, RefusedFullRequestLeavesNothingToDrop) {
  EmbeddedChannel ch(std::make_unique<RefusingHandler>());
  Message full = Message::make<FullHttpRequest>(HttpVersion::kHttp11, HttpMethod::kPut, "/no",
                                                Unpooled::copiedBuffer("body"));
  full.get<HttpRequest>().headers().add(HttpHeaderNames::kExpect, "100-continue");
  ch.writeInbound(std::move(full));
  EXPECT_EQ(ch.readOutbound<FullHttpResponse>()->status(), HttpResponseStatus::kExpectationFailed);
  EXPECT_TRUE(ch.inboundMessages().empty());
  // Its content came with it, so what follows is not dropped (here: stray content, passed on).
  ch.writeInbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("next")));
  EXPECT_EQ(ch.readInbound<LastHttpContent>()->content().toStringView(), "next");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
