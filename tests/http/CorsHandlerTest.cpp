#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/CorsHandler.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using CorsHandlerTest = testing::SluiceTest;
using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

constexpr std::string_view kOrigin = "https://app.example";

Message request(HttpMethod method, std::string uri, Fields fields = {},
                HttpVersion version = HttpVersion::kHttp11) {
  Message m = Message::make<FullHttpRequest>(version, std::move(method), std::move(uri));
  for (const auto& [name, value] : fields) {
    m.get<HttpRequest>().headers().add(name, value);
  }
  return m;
}

Message get(std::string uri, Fields fields = {}) {
  return request(HttpMethod::kGet, std::move(uri), fields);
}

Message preflight(std::string_view origin, Fields more = {}) {
  Message m = request(HttpMethod::kOptions, "/api",
                      {{"Origin", origin}, {"Access-Control-Request-Method", "PUT"}});
  for (const auto& [name, value] : more) {
    m.get<HttpRequest>().headers().add(name, value);
  }
  return m;
}

Message okResponse(std::string_view body = "ok", Fields fields = {}) {
  Message m = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                              Unpooled::copiedBuffer(body));
  HttpResponse& r = m.get<HttpResponse>();
  r.headers().set(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(body.size()));
  for (const auto& [name, value] : fields) {
    r.headers().add(name, value);
  }
  return m;
}

std::optional<std::string> field(const HttpMessage& m, HttpHeaderName name) {
  std::optional<std::string_view> v = m.headers().get(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

// Writes `response` as the user's handler would and returns what left the channel.
FullHttpResponse serve(EmbeddedChannel& ch, Message response = okResponse()) {
  ch.writeOutbound(std::move(response));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  EXPECT_TRUE(out.has_value());
  if (!out) {
    return FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kInternalServerError);
  }
  return std::move(*out);
}

EmbeddedChannel channelFor(CorsConfig config) {
  return EmbeddedChannel(std::make_unique<CorsHandler>(std::move(config)));
}

TEST_F(CorsHandlerTest, PreflightFromAnAllowedOriginIsAnsweredByTheHandler) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin), "https://other.example"},
                                   .allowedRequestMethods = {HttpMethod::kPut, HttpMethod::kDelete},
                                   .allowedRequestHeaders = {"content-type", "x-custom"},
                                   .exposedHeaders = {"x-request-id"},
                                   .maxAge = std::chrono::minutes(10)});
  EXPECT_FALSE(ch.writeInbound(preflight(kOrigin)));
  EXPECT_TRUE(ch.inboundMessages().empty());  // never reaches the next handler
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status(), HttpResponseStatus::kOk);
  EXPECT_EQ(field(*out, HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  EXPECT_EQ(field(*out, HttpHeaderNames::kAccessControlAllowMethods), "PUT, DELETE");
  EXPECT_EQ(field(*out, HttpHeaderNames::kAccessControlAllowHeaders), "content-type, x-custom");
  EXPECT_EQ(field(*out, HttpHeaderNames::kAccessControlMaxAge), "600");
  EXPECT_EQ(field(*out, HttpHeaderNames::kVary), "Origin");
  EXPECT_EQ(field(*out, HttpHeaderNames::kContentLength), "0");
  // Credentials were not allowed; exposed headers are for actual responses only.
  EXPECT_FALSE(out->headers().contains(HttpHeaderNames::kAccessControlAllowCredentials));
  EXPECT_FALSE(out->headers().contains(HttpHeaderNames::kAccessControlExposeHeaders));
  EXPECT_TRUE(out->content().toStringView().empty());
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, PreflightFromAnotherOriginGetsNoCorsFields) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)},
                                   .allowedRequestMethods = {HttpMethod::kPut},
                                   .maxAge = std::chrono::seconds(60)});
  ch.writeInbound(preflight("https://evil.example"));
  EXPECT_TRUE(ch.inboundMessages().empty());
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(out.has_value());
  // The browser fails the CORS check on a response without Access-Control-Allow-Origin.
  EXPECT_EQ(out->status(), HttpResponseStatus::kOk);
  EXPECT_FALSE(out->headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_FALSE(out->headers().contains(HttpHeaderNames::kAccessControlAllowMethods));
  EXPECT_FALSE(out->headers().contains(HttpHeaderNames::kAccessControlMaxAge));
  EXPECT_EQ(field(*out, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, OptionsWithoutRequestMethodIsNotAPreflight) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}});
  ch.writeInbound(request(HttpMethod::kOptions, "/api", {{"Origin", kOrigin}}));
  ASSERT_EQ(ch.inboundMessages().size(), 1U);
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, ActualRequestFromAnAllowedOriginGetsCorsFieldsOnItsResponse) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)},
                                   .allowedRequestHeaders = {"x-custom"},
                                   .exposedHeaders = {"x-request-id", "x-trace"}});
  ch.writeInbound(get("/data", {{"Origin", kOrigin}}));
  std::optional<FullHttpRequest> in = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->uri(), "/data");
  FullHttpResponse out = serve(ch, okResponse("data", {{"x-request-id", "7"}}));
  EXPECT_EQ(out.content().toStringView(), "data");
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlExposeHeaders), "x-request-id, x-trace");
  EXPECT_EQ(field(out, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kAccessControlAllowCredentials));
  // Allow-Headers and Allow-Methods answer a preflight only.
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kAccessControlAllowHeaders));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, ActualRequestFromAnotherOriginIsPassedOnWithoutCorsFields) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}});
  ch.writeInbound(get("/data", {{"Origin", "https://evil.example"}}));
  ASSERT_EQ(ch.inboundMessages().size(), 1U);
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_EQ(field(out, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, AnyOriginIsAnsweredWithAStarAndNoVary) {
  EmbeddedChannel ch = channelFor({.anyOrigin = true, .exposedHeaders = {"x-id"}});
  ch.writeInbound(get("/", {{"Origin", "https://whoever.example"}}));
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), "*");
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlExposeHeaders), "x-id");
  // Fetch: a constant "*" is the same for every origin, so caches need no Vary.
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kVary));

  ch.writeInbound(preflight("https://else.example"));
  std::optional<FullHttpResponse> pre = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(field(*pre, HttpHeaderNames::kAccessControlAllowOrigin), "*");
  EXPECT_FALSE(pre->headers().contains(HttpHeaderNames::kVary));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, AConstantStarIsSentToNonCorsRequestsToo) {
  // Fetch, "CORS protocol and HTTP caches": with a constant "*" and no Vary, a response
  // without it, cached from a request without Origin, would be served to a CORS request and
  // fail there. So every response carries it.
  EmbeddedChannel ch = channelFor({.anyOrigin = true});
  ch.writeInbound(get("/plain"));
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), "*");
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kVary));

  // An echoed origin is not constant: a non-CORS response gets Vary: Origin and no origin.
  EmbeddedChannel echoing = channelFor({.anyOrigin = true, .allowCredentials = true});
  echoing.writeInbound(get("/plain"));
  echoing.inboundMessages().clear();
  FullHttpResponse plain = serve(echoing);
  EXPECT_FALSE(plain.headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_EQ(field(plain, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(ch.finish());
  EXPECT_FALSE(echoing.finish());
}

TEST_F(CorsHandlerTest, StarAmongTheOriginsMeansAnyOrigin) {
  EmbeddedChannel ch = channelFor({.origins = {"*"}});
  ch.writeInbound(get("/", {{"Origin", "https://x.example"}}));
  ch.inboundMessages().clear();
  EXPECT_EQ(field(serve(ch), HttpHeaderNames::kAccessControlAllowOrigin), "*");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, CredentialsNeverGetAStarButTheEchoedOrigin) {
  EmbeddedChannel ch = channelFor({.anyOrigin = true, .allowCredentials = true});
  ch.writeInbound(get("/", {{"Origin", "https://x.example"}, {"Cookie", "s=1"}}));
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), "https://x.example");
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowCredentials), "true");
  EXPECT_EQ(field(out, HttpHeaderNames::kVary), "Origin");

  ch.writeInbound(preflight("https://y.example"));
  std::optional<FullHttpResponse> pre = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(field(*pre, HttpHeaderNames::kAccessControlAllowOrigin), "https://y.example");
  EXPECT_EQ(field(*pre, HttpHeaderNames::kAccessControlAllowCredentials), "true");
  EXPECT_EQ(field(*pre, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, CredentialsWithAListedOrigin) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}, .allowCredentials = true});
  ch.writeInbound(get("/", {{"Origin", kOrigin}}));
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowCredentials), "true");

  // Not allowed: no credentials field either.
  ch.writeInbound(get("/", {{"Origin", "https://evil.example"}}));
  ch.inboundMessages().clear();
  FullHttpResponse denied = serve(ch);
  EXPECT_FALSE(denied.headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_FALSE(denied.headers().contains(HttpHeaderNames::kAccessControlAllowCredentials));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, NullOriginIsAllowedOnlyWhenConfigured) {
  EmbeddedChannel allowed =
      channelFor({.origins = {std::string(kOrigin)}, .allowNullOrigin = true});
  allowed.writeInbound(preflight("null"));
  std::optional<FullHttpResponse> pre = allowed.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(field(*pre, HttpHeaderNames::kAccessControlAllowOrigin), "null");
  allowed.writeInbound(get("/", {{"Origin", "null"}}));
  allowed.inboundMessages().clear();
  EXPECT_EQ(field(serve(allowed), HttpHeaderNames::kAccessControlAllowOrigin), "null");
  EXPECT_FALSE(allowed.finish());

  EmbeddedChannel refused = channelFor({.origins = {std::string(kOrigin)}, .shortCircuit = true});
  refused.writeInbound(get("/", {{"Origin", "null"}}));
  EXPECT_TRUE(refused.inboundMessages().empty());
  std::optional<FullHttpResponse> forbidden = refused.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(forbidden.has_value());
  EXPECT_EQ(forbidden->status(), HttpResponseStatus::kForbidden);
  EXPECT_FALSE(refused.finish());
}

TEST_F(CorsHandlerTest, NullOriginNextToAnyOriginVaries) {
  EmbeddedChannel ch = channelFor({.anyOrigin = true, .allowNullOrigin = true});
  ch.writeInbound(get("/", {{"Origin", "null"}}));
  ch.inboundMessages().clear();
  FullHttpResponse out = serve(ch);
  EXPECT_EQ(field(out, HttpHeaderNames::kAccessControlAllowOrigin), "null");
  EXPECT_EQ(field(out, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, ShortCircuitAnswers403AndDropsTheRequest) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}, .shortCircuit = true});
  // A streamed request: its content is dropped too.
  Message start = Message::make<HttpRequest>(HttpVersion::kHttp11, HttpMethod::kPost, "/upload");
  start.get<HttpRequest>().headers().add("Origin", "https://evil.example");
  ch.writeInbound(std::move(start));
  ch.writeInbound(Message::make<HttpContent>(Unpooled::copiedBuffer("secret")));
  ch.writeInbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("!")));
  EXPECT_TRUE(ch.inboundMessages().empty());
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status(), HttpResponseStatus::kForbidden);
  EXPECT_EQ(field(*out, HttpHeaderNames::kContentLength), "0");
  EXPECT_FALSE(out->headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_TRUE(ch.isOpen());  // keep-alive: the connection serves the next request

  // A preflight from that origin is refused the same way.
  ch.writeInbound(preflight("https://evil.example"));
  std::optional<FullHttpResponse> pre = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(pre->status(), HttpResponseStatus::kForbidden);

  // An allowed origin and a request without Origin go through.
  ch.writeInbound(get("/a", {{"Origin", kOrigin}}), get("/b"));
  EXPECT_EQ(ch.inboundMessages().size(), 2U);
  ch.inboundMessages().clear();
  EXPECT_EQ(field(serve(ch), HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  EXPECT_FALSE(serve(ch).headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, ShortCircuitClosesWhenTheRequestAskedForTheClose) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}, .shortCircuit = true});
  ch.writeInbound(
      request(HttpMethod::kGet, "/", {{"Origin", "https://evil.example"}}, HttpVersion::kHttp10));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status(), HttpResponseStatus::kForbidden);
  EXPECT_EQ(out->protocolVersion(), HttpVersion::kHttp10);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, PreflightWithConnectionCloseClosesAfterTheAnswer) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}});
  ch.writeInbound(preflight(kOrigin, {{"Connection", "close"}}));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(field(*out, HttpHeaderNames::kConnection), "close");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, MaxAgeIsSentOnlyWhenConfigured) {
  EmbeddedChannel none = channelFor({.origins = {std::string(kOrigin)}});
  none.writeInbound(preflight(kOrigin));
  std::optional<FullHttpResponse> a = none.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->headers().contains(HttpHeaderNames::kAccessControlMaxAge));
  EXPECT_FALSE(a->headers().contains(HttpHeaderNames::kAccessControlAllowMethods));
  EXPECT_FALSE(none.finish());

  EmbeddedChannel zero =
      channelFor({.origins = {std::string(kOrigin)}, .maxAge = std::chrono::seconds(0)});
  zero.writeInbound(preflight(kOrigin));
  std::optional<FullHttpResponse> b = zero.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(field(*b, HttpHeaderNames::kAccessControlMaxAge), "0");
  EXPECT_FALSE(zero.finish());
}

TEST_F(CorsHandlerTest, ExtraPreflightHeadersAndPrivateNetwork) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)},
                                   .preflightResponseHeaders = {{"x-lb", "keep"}, {"x-lb", "two"}},
                                   .allowPrivateNetwork = true});
  ch.writeInbound(preflight(kOrigin, {{"Access-Control-Request-Private-Network", "true"}}));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->headers().getAll("x-lb").size(), 2U);
  EXPECT_EQ(field(*out, "Access-Control-Allow-Private-Network"), "true");

  // Neither goes on actual responses, nor on a preflight from another origin.
  ch.writeInbound(preflight("https://evil.example"));
  std::optional<FullHttpResponse> denied = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(denied.has_value());
  EXPECT_FALSE(denied->headers().contains("x-lb"));
  ch.writeInbound(get("/", {{"Origin", kOrigin}}));
  ch.inboundMessages().clear();
  EXPECT_FALSE(serve(ch).headers().contains("x-lb"));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, NonCorsRequestsPassThroughUntouched) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}, .shortCircuit = true});
  ch.writeInbound(get("/plain", {{"Accept", "text/html"}}));
  std::optional<FullHttpRequest> in = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->uri(), "/plain");
  EXPECT_EQ(in->headers().size(), 1U);
  FullHttpResponse out = serve(ch, okResponse("page"));
  EXPECT_EQ(out.content().toStringView(), "page");
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  // Fetch, "CORS protocol and HTTP caches": when the answer depends on Origin, non-CORS
  // responses say Vary: Origin too, so a cache does not serve them to a CORS request.
  EXPECT_EQ(field(out, HttpHeaderNames::kVary), "Origin");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, AnExistingVaryFieldIsExtendedOnce) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}});
  ch.writeInbound(get("/", {{"Origin", kOrigin}}), get("/", {{"Origin", kOrigin}}),
                  get("/", {{"Origin", kOrigin}}));
  ch.inboundMessages().clear();
  EXPECT_EQ(serve(ch, okResponse("a", {{"Vary", "Accept-Encoding"}})).headers().getAll("vary"),
            (std::vector<std::string_view>{"Accept-Encoding", "Origin"}));
  EXPECT_EQ(serve(ch, okResponse("b", {{"Vary", "accept-encoding, origin"}}))
                .headers()
                .getAll("vary")
                .size(),
            1U);
  EXPECT_EQ(serve(ch, okResponse("c", {{"Vary", "*"}})).headers().getAll("vary").size(), 1U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, PipelinedRequestsAreAnsweredForTheirOwnOrigins) {
  EmbeddedChannel ch = channelFor({.origins = {"https://a.example", "https://b.example"}});
  ch.writeInbound(get("/1", {{"Origin", "https://a.example"}}), get("/2"),
                  get("/3", {{"Origin", "https://evil.example"}}),
                  get("/4", {{"Origin", "https://b.example"}}));
  ASSERT_EQ(ch.inboundMessages().size(), 4U);
  ch.inboundMessages().clear();
  EXPECT_EQ(field(serve(ch), HttpHeaderNames::kAccessControlAllowOrigin), "https://a.example");
  EXPECT_FALSE(serve(ch).headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_FALSE(serve(ch).headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_EQ(field(serve(ch), HttpHeaderNames::kAccessControlAllowOrigin), "https://b.example");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, StreamedResponseIsDecoratedOnceAndEndsAtItsLastContent) {
  EmbeddedChannel ch = channelFor({.origins = {"https://a.example", "https://b.example"}});
  ch.writeInbound(get("/1", {{"Origin", "https://a.example"}}),
                  get("/2", {{"Origin", "https://b.example"}}));
  ch.inboundMessages().clear();
  Message head = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(head.get<HttpResponse>(), true);
  ch.writeOutbound(std::move(head), Message::make<HttpContent>(Unpooled::copiedBuffer("x")),
                   Message::make<LastHttpContent>());
  std::optional<HttpResponse> first = ch.readOutbound<HttpResponse>();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(field(*first, HttpHeaderNames::kAccessControlAllowOrigin), "https://a.example");
  ch.outboundMessages().clear();
  EXPECT_EQ(field(serve(ch), HttpHeaderNames::kAccessControlAllowOrigin), "https://b.example");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, AnswersOfTheHandlerWaitForEarlierResponses) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}, .shortCircuit = true});
  ch.writeInbound(get("/slow", {{"Origin", kOrigin}}), preflight(kOrigin),
                  get("/x", {{"Origin", "https://evil.example"}}), get("/next"));
  // The preflight and the refusal are not written before the response to /slow.
  EXPECT_TRUE(ch.outboundMessages().empty());
  ASSERT_EQ(ch.inboundMessages().size(), 2U);
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->uri(), "/slow");
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->uri(), "/next");

  ch.writeOutbound(okResponse("slow"));
  std::optional<FullHttpResponse> slow = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->content().toStringView(), "slow");
  EXPECT_EQ(field(*slow, HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  std::optional<FullHttpResponse> pre = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(pre.has_value());
  EXPECT_TRUE(pre->headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  std::optional<FullHttpResponse> forbidden = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(forbidden.has_value());
  EXPECT_EQ(forbidden->status(), HttpResponseStatus::kForbidden);
  EXPECT_TRUE(ch.outboundMessages().empty());

  FullHttpResponse next = serve(ch, okResponse("next"));
  EXPECT_EQ(next.content().toStringView(), "next");
  EXPECT_FALSE(next.headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, InformationalResponsesPassUntouched) {
  EmbeddedChannel ch = channelFor({.origins = {std::string(kOrigin)}});
  ch.writeInbound(get("/", {{"Origin", kOrigin}, {"Expect", "100-continue"}}));
  ch.inboundMessages().clear();
  ch.writeOutbound(
      Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kContinue));
  std::optional<FullHttpResponse> interim = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(interim.has_value());
  EXPECT_TRUE(interim->headers().isEmpty());
  // The final response is still the answer to the request.
  EXPECT_EQ(field(serve(ch), HttpHeaderNames::kAccessControlAllowOrigin), kOrigin);
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, DisabledHandlerPassesEverythingThrough) {
  EmbeddedChannel ch =
      channelFor({.origins = {std::string(kOrigin)}, .shortCircuit = true, .enabled = false});
  ch.writeInbound(preflight(kOrigin), get("/", {{"Origin", "https://evil.example"}}));
  EXPECT_EQ(ch.inboundMessages().size(), 2U);
  ch.inboundMessages().clear();
  EXPECT_TRUE(ch.outboundMessages().empty());
  FullHttpResponse out = serve(ch);
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kAccessControlAllowOrigin));
  EXPECT_FALSE(out.headers().contains(HttpHeaderNames::kVary));
  EXPECT_FALSE(ch.finish());
}

TEST_F(CorsHandlerTest, InvalidConfigurationIsRefusedAtConstruction) {
  EXPECT_THROW((CorsHandler{CorsConfig{.allowedRequestHeaders = {"bad header"}}}),
               std::invalid_argument);
  EXPECT_THROW((CorsHandler{CorsConfig{.exposedHeaders = {""}}}), std::invalid_argument);
  EXPECT_THROW((CorsHandler{CorsConfig{.origins = {"https://a\r\nSet-Cookie: x"}}}),
               std::invalid_argument);
  EXPECT_THROW((CorsHandler{CorsConfig{.preflightResponseHeaders = {{"x", "a\nb"}}}}),
               std::invalid_argument);
  EXPECT_THROW((CorsHandler{CorsConfig{.maxAge = std::chrono::seconds(-1)}}),
               std::invalid_argument);
  EXPECT_NO_THROW(CorsHandler{CorsConfig{}});
}

// A user handler answering every request with "hello <uri>".
class HelloHandler : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (const auto* request = msg.getIf<HttpRequest>()) {
      const std::string body = "hello " + request->uri();
      FullHttpResponse response(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                Unpooled::copiedBuffer(body));
      HttpUtil::setContentLength(response, body.size());
      ctx.writeAndFlush(std::move(response));
    }
  }
};

std::string written(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toStringView();
  }
  return all;
}

TEST_F(CorsHandlerTest, WorksBehindHttpServerCodecOnTheWire) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<CorsHandler>(CorsConfig{
                         .origins = {std::string(kOrigin)},
                         .allowCredentials = true,
                         .allowedRequestMethods = {HttpMethod::kPut},
                         .allowedRequestHeaders = {"content-type"},
                         .maxAge = std::chrono::seconds(86400),
                     }),
                     std::make_unique<HelloHandler>());
  // A preflight, then the actual request, pipelined in one read.
  ch.writeInbound(Unpooled::copiedBuffer(
      "OPTIONS /api HTTP/1.1\r\nHost: h\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n"
      "\r\n"
      "PUT /api HTTP/1.1\r\nHost: h\r\nOrigin: https://app.example\r\nContent-Length: 2\r\n"
      "Content-Type: application/json\r\n\r\n{}"));
  const std::string wire = written(ch);
  const std::size_t second = wire.find("HTTP/1.1 200 OK", 1);
  ASSERT_NE(second, std::string::npos) << wire;
  const std::string preflightAnswer = wire.substr(0, second);
  const std::string actualAnswer = wire.substr(second);
  EXPECT_EQ(preflightAnswer.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << preflightAnswer;
  EXPECT_NE(preflightAnswer.find("access-control-allow-origin: https://app.example\r\n"),
            std::string::npos)
      << preflightAnswer;
  EXPECT_NE(preflightAnswer.find("access-control-allow-methods: PUT\r\n"), std::string::npos);
  EXPECT_NE(preflightAnswer.find("access-control-allow-headers: content-type\r\n"),
            std::string::npos);
  EXPECT_NE(preflightAnswer.find("access-control-allow-credentials: true\r\n"), std::string::npos);
  EXPECT_NE(preflightAnswer.find("access-control-max-age: 86400\r\n"), std::string::npos);
  EXPECT_NE(preflightAnswer.find("content-length: 0\r\n"), std::string::npos);
  EXPECT_EQ(preflightAnswer.find("hello"), std::string::npos);
  EXPECT_NE(actualAnswer.find("access-control-allow-origin: https://app.example\r\n"),
            std::string::npos)
      << actualAnswer;
  EXPECT_NE(actualAnswer.find("vary: Origin\r\n"), std::string::npos) << actualAnswer;
  EXPECT_EQ(actualAnswer.substr(actualAnswer.size() - 10), "hello /api");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finishAndReleaseAll());
}

}  // namespace
}  // namespace sluice::http
