#include <gtest/gtest.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpContentDecompressor.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpRequestEncoder.h>
#include <sluice/http/HttpResponseDecoder.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocketClientExtensionHandler.h>
#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketClientHandshakerFactory.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerHandshaker13.h>

#include <set>
#include <string>

#include "WebSocketClientTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketClientHandshakerTest = sluice::testing::SluiceTest;
using http::FullHttpResponse;
using http::HttpHeaderNames;

std::unique_ptr<EmbeddedChannel> httpClient() {
  return std::make_unique<EmbeddedChannel>(std::make_unique<http::HttpClientCodec>(),
                                           std::make_unique<http::HttpObjectAggregator>(8192));
}

// The request `handshaker` writes, as bytes.
std::string requestOf(WebSocketClientHandshaker& handshaker) {
  auto ch = httpClient();
  EXPECT_TRUE(handshaker.handshake(*ch).isSuccess());
  std::string out = drainBytes(*ch);
  ch->finishAndReleaseAll();
  return out;
}

// A 101 answering `key`, as a message.
FullHttpResponse accepting(std::string_view key) {
  FullHttpResponse r(http::HttpVersion::kHttp11, http::HttpResponseStatus::kSwitchingProtocols);
  r.headers()
      .set(HttpHeaderNames::kUpgrade, "WebSocket")
      .set(HttpHeaderNames::kConnection, "keep-alive, Upgrade")
      .set(HttpHeaderNames::kSecWebSocketAccept, WebSocketUtil::acceptKey(key));
  return r;
}

TEST_F(WebSocketClientHandshakerTest, WritesTheRfcOpeningHandshake) {
  // [docs:client-handshaker]
  auto handshaker = WebSocketClientHandshakerFactory::newHandshaker("ws://example.com:8080/chat");
  // [docs:end]
  ASSERT_NE(handshaker, nullptr);
  auto& hs13 = dynamic_cast<WebSocketClientHandshaker13&>(*handshaker);
  const std::string request = requestOf(*handshaker);
  EXPECT_EQ(request, fmt::format("GET /chat HTTP/1.1\r\n"
                                 "host: example.com:8080\r\n"
                                 "upgrade: websocket\r\n"
                                 "connection: upgrade\r\n"
                                 "sec-websocket-key: {}\r\n"
                                 "sec-websocket-version: 13\r\n"
                                 "\r\n",
                                 hs13.key()));
  EXPECT_FALSE(handshaker->isHandshakeComplete());
}

TEST_F(WebSocketClientHandshakerTest, KeyIsBase64OfSixteenRandomBytesNewForEachRequest) {
  std::set<std::string> keys;
  for (int i = 0; i < 8; ++i) {
    WebSocketClientHandshaker13 hs("ws://h/");
    const std::string key = headerOf(requestOf(hs), "sec-websocket-key");
    EXPECT_EQ(key, hs.key());
    // RFC 6455 4.1 item 7: the server's own check of it must pass.
    EXPECT_TRUE(WebSocketServerHandshaker13::isValidKey(key)) << key;
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 8U) << "keys repeat";
}

TEST_F(WebSocketClientHandshakerTest, HostCarriesThePortOnlyWhenNotTheDefault) {
  const auto host = [](std::string url) {
    WebSocketClientHandshaker13 hs(std::move(url));
    return headerOf(requestOf(hs), "host");
  };
  EXPECT_EQ(host("ws://example.com/"), "example.com");
  EXPECT_EQ(host("ws://example.com:80/"), "example.com");
  EXPECT_EQ(host("ws://example.com:443/"), "example.com:443");
  EXPECT_EQ(host("wss://example.com:443/"), "example.com");
  EXPECT_EQ(host("wss://example.com:8443/"), "example.com:8443");
  EXPECT_EQ(host("ws://[::1]:9000/"), "[::1]:9000");
  EXPECT_EQ(host("ws://[2001:db8::7]/"), "[2001:db8::7]");
}

TEST_F(WebSocketClientHandshakerTest, RequestTargetKeepsTheQueryAndDefaultsToSlash) {
  const auto line = [](std::string url, bool absolute = false) {
    WebSocketClientHandshaker13 hs(std::move(url), {.absoluteUpgradeUrl = absolute});
    const std::string request = requestOf(hs);
    return request.substr(0, request.find("\r\n"));
  };
  EXPECT_EQ(line("ws://h/chat?room=1&x=%20"), "GET /chat?room=1&x=%20 HTTP/1.1");
  EXPECT_EQ(line("ws://h"), "GET / HTTP/1.1");
  EXPECT_EQ(line("ws://h?q=1"), "GET /?q=1 HTTP/1.1");
  EXPECT_EQ(line("ws://h:81/a?b", true), "GET ws://h:81/a?b HTTP/1.1");
}

TEST_F(WebSocketClientHandshakerTest, RefusesUrlsThatAreNotWebSocketUrls) {
  for (const char* url : {"ftp://h/", "h/chat", "ws:///x", "ws://h:0/", "ws://h:65536/",
                          "ws://h:x/", "ws://h/#frag", "ws://h/a b", "ws://[::1/", "ws://u@h/"}) {
    EXPECT_THROW(WebSocketClientHandshaker13{url}, std::invalid_argument) << url;
  }
  EXPECT_EQ(WebSocketClientHandshakerFactory::newHandshaker("ws://h/", 8), nullptr);
}

TEST_F(WebSocketClientHandshakerTest, OriginWhenAsked) {
  WebSocketClientHandshaker13 none("ws://h/");
  EXPECT_EQ(headerOf(requestOf(none), "origin"), "");
  WebSocketClientHandshaker13 given("ws://h/", {.origin = "https://app.example"});
  EXPECT_EQ(headerOf(requestOf(given), "origin"), "https://app.example");
  WebSocketClientHandshaker13 generated("wss://h:8443/", {.generateOriginHeader = true});
  EXPECT_EQ(headerOf(requestOf(generated), "origin"), "https://h:8443");
  WebSocketClientHandshaker13 plain("ws://h/", {.generateOriginHeader = true});
  EXPECT_EQ(headerOf(requestOf(plain), "origin"), "http://h");
}

TEST_F(WebSocketClientHandshakerTest, CustomHeadersCannotReplaceTheHandshakesOwn) {
  http::HttpHeaders custom;
  custom.set(HttpHeaderNames::kAuthorization, "Bearer t");
  custom.set(HttpHeaderNames::kHost, "virtual.example");
  custom.set(HttpHeaderNames::kUpgrade, "h2c");
  custom.set(HttpHeaderNames::kSecWebSocketVersion, "8");
  custom.set(HttpHeaderNames::kSecWebSocketKey, "AAAAAAAAAAAAAAAAAAAAAA==");
  WebSocketClientHandshaker13 hs("ws://h/", {.customHeaders = custom});
  const std::string request = requestOf(hs);
  EXPECT_EQ(headerOf(request, "authorization"), "Bearer t");
  EXPECT_EQ(headerOf(request, "host"), "virtual.example");
  EXPECT_EQ(headerOf(request, "upgrade"), "websocket");
  EXPECT_EQ(headerOf(request, "sec-websocket-version"), "13");
  EXPECT_EQ(headerOf(request, "sec-websocket-key"), hs.key());
  EXPECT_NE(hs.key(), "AAAAAAAAAAAAAAAAAAAAAA==");
}

TEST_F(WebSocketClientHandshakerTest, OffersSubprotocolsAndExtensionsInOrder) {
  auto ch = httpClient();
  ch->pipeline().addLast(std::make_unique<WebSocketClientExtensionHandler>(
      std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>>{
          std::make_shared<FakeClientExtensionHandshaker>("x-second")}));
  WebSocketClientHandshaker13 hs(
      "ws://h/", {.subprotocols = {"chat.v2", "chat.v1"},
                  .extensionHandshakers = {std::make_shared<FakeClientExtensionHandshaker>()}});
  hs.handshake(*ch);
  const std::string request = drainBytes(*ch);
  EXPECT_EQ(headerOf(request, "sec-websocket-protocol"), "chat.v2, chat.v1");
  EXPECT_EQ(headerOf(request, "sec-websocket-extensions"), "x-reverse; v=1, x-second; v=1");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientHandshakerTest, HandshakeFailsWithoutAnHttpClientCodec) {
  EmbeddedChannel ch;
  WebSocketClientHandshaker13 hs("ws://h/");
  ChannelFuture f = hs.handshake(ch);
  EXPECT_TRUE(f.isDone());
  EXPECT_FALSE(f.isSuccess());
  EXPECT_TRUE(ch.outboundMessages().empty());
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketClientHandshakerTest, AcceptedResponseSwitchesThePipelineToFrames) {
  auto ch = httpClient();
  ch->pipeline().addLast<http::HttpContentDecompressor>();
  WebSocketClientHandshaker13 hs("ws://h/", {.subprotocols = {"a", "b"}});
  requestOf(hs);  // a key
  hs.handshake(*ch);
  drainBytes(*ch);
  FullHttpResponse response = accepting(hs.key());
  response.headers().set(HttpHeaderNames::kSecWebSocketProtocol, "b");
  response.headers().add(HttpHeaderNames::kSetCookie, "s=1");
  EXPECT_FALSE(hs.finishHandshake(*ch, response));
  EXPECT_TRUE(hs.isHandshakeComplete());
  EXPECT_EQ(hs.actualSubprotocol(), "b");
  EXPECT_EQ(hs.responseHeaders().get(HttpHeaderNames::kSetCookie, ""), "s=1");
  EXPECT_EQ(ch->pipeline().names(), (std::vector<std::string>{"wsencoder", "wsdecoder"}));
  EXPECT_FALSE(ch->pipeline().get<WebSocket13FrameDecoder>()->config().expectMaskedFrames);
  // Frames written now are masked (RFC 6455 5.3).
  ch->writeAndFlush(TextWebSocketFrame("hi"));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"TEXT hi"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientHandshakerTest, SwitchesAPipelineOfSeparateDecoderAndEncoder) {
  EmbeddedChannel ch(std::make_unique<http::HttpResponseDecoder>(),
                     std::make_unique<http::HttpRequestEncoder>(),
                     std::make_unique<http::HttpObjectAggregator>(8192));
  WebSocketClientHandshaker13 hs("ws://h/");
  ASSERT_TRUE(hs.handshake(ch).isSuccess());
  drainBytes(ch);
  EXPECT_FALSE(hs.finishHandshake(ch, accepting(hs.key())));
  EXPECT_EQ(ch.pipeline().names(), (std::vector<std::string>{"wsencoder", "wsdecoder"}));
  feed(ch, serverFrame(0x81, "x"));
  auto frame = ch.readInbound<TextWebSocketFrame>();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->text(), "x");
  ch.finishAndReleaseAll();
}

struct BadResponse {
  const char* name;
  FullHttpResponse (*change)(FullHttpResponse);
  WebSocketHandshakeErrc errc;
  const char* message;  // a part of the error's message
};

class WebSocketClientHandshakerRefusalTest : public sluice::testing::SluiceTest,
                                             public ::testing::WithParamInterface<BadResponse> {};

TEST_P(WebSocketClientHandshakerRefusalTest, RefusesWithTheRightErrorAndLeavesThePipeline) {
  const BadResponse& bad = GetParam();
  auto ch = httpClient();
  WebSocketClientHandshaker13 hs(
      "ws://h/",
      {.subprotocols = {"chat"},
       .extensionHandshakers = {std::make_shared<FakeClientExtensionHandshaker>("x-a"),
                                std::make_shared<FakeClientExtensionHandshaker>("x-b")}});
  ASSERT_TRUE(hs.handshake(*ch).isSuccess());
  drainBytes(*ch);
  const std::vector<std::string> before = ch->pipeline().names();
  const FullHttpResponse response = bad.change(accepting(hs.key()));
  const Error error = hs.finishHandshake(*ch, response);
  ASSERT_TRUE(error);
  EXPECT_EQ(error.code(), make_error_code(bad.errc));
  EXPECT_EQ(error.code(), std::errc::protocol_error);
  EXPECT_NE(error.message().find(bad.message), std::string::npos) << error.message();
  EXPECT_FALSE(hs.isHandshakeComplete());
  EXPECT_EQ(hs.actualSubprotocol(), std::nullopt);
  EXPECT_EQ(ch->pipeline().names(), before);
  ch->finishAndReleaseAll();
}

FullHttpResponse withStatus(const FullHttpResponse& r, http::HttpResponseStatus status) {
  FullHttpResponse copy(http::HttpVersion::kHttp11, std::move(status));
  copy.headers().set(r.headers());
  return copy;
}

INSTANTIATE_TEST_SUITE_P(
    WebSocketClientHandshakerTest, WebSocketClientHandshakerRefusalTest,
    ::testing::Values(
        BadResponse{"Status200",
                    [](FullHttpResponse r) { return withStatus(r, http::HttpResponseStatus::kOk); },
                    WebSocketHandshakeErrc::UnexpectedStatus, "answered the upgrade with 200 OK"},
        BadResponse{
            "Status403",
            [](FullHttpResponse r) { return withStatus(r, http::HttpResponseStatus::kForbidden); },
            WebSocketHandshakeErrc::UnexpectedStatus, "403 Forbidden"},
        BadResponse{"NoUpgrade",
                    [](FullHttpResponse r) {
                      r.headers().remove(HttpHeaderNames::kUpgrade);
                      return r;
                    },
                    WebSocketHandshakeErrc::InvalidUpgradeResponse, "no Upgrade header"},
        BadResponse{"UpgradeToOther",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kUpgrade, "h2c");
                      return r;
                    },
                    WebSocketHandshakeErrc::InvalidUpgradeResponse, "\"h2c\""},
        BadResponse{"NoConnectionUpgrade",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kConnection, "keep-alive");
                      return r;
                    },
                    WebSocketHandshakeErrc::InvalidUpgradeResponse, "no \"upgrade\" token"},
        BadResponse{"NoAccept",
                    [](FullHttpResponse r) {
                      r.headers().remove(HttpHeaderNames::kSecWebSocketAccept);
                      return r;
                    },
                    WebSocketHandshakeErrc::InvalidAccept, "no Sec-WebSocket-Accept"},
        BadResponse{"WrongAccept",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kSecWebSocketAccept,
                                      "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
                      return r;
                    },
                    WebSocketHandshakeErrc::InvalidAccept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
        BadResponse{"SubprotocolNotOffered",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kSecWebSocketProtocol, "mqtt");
                      return r;
                    },
                    WebSocketHandshakeErrc::SubprotocolNotOffered, "\"mqtt\""},
        BadResponse{"TwoSubprotocols",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kSecWebSocketProtocol, "chat, chat");
                      return r;
                    },
                    WebSocketHandshakeErrc::SubprotocolNotOffered, "more than one"},
        BadResponse{"ExtensionNotOffered",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kSecWebSocketExtensions,
                                      "permessage-deflate");
                      return r;
                    },
                    WebSocketHandshakeErrc::ExtensionNotOffered, "\"permessage-deflate\""},
        BadResponse{"ExtensionParametersRefused",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kSecWebSocketExtensions, "x-a; bad");
                      return r;
                    },
                    WebSocketHandshakeErrc::InvalidExtension, "x-a; bad"},
        BadResponse{"DuplicateRsv",
                    [](FullHttpResponse r) {
                      r.headers().set(HttpHeaderNames::kSecWebSocketExtensions, "x-a, x-b");
                      return r;
                    },
                    WebSocketHandshakeErrc::ExtensionConflict, "\"x-b\""}),
    [](const ::testing::TestParamInfo<BadResponse>& p) { return std::string(p.param.name); });

TEST_F(WebSocketClientHandshakerTest, AcceptsOfferedExtensionsAndInstallsThemAfterTheDecoder) {
  auto ch = httpClient();
  WebSocketClientHandshaker13 hs(
      "ws://h/", {.extensionHandshakers = {std::make_shared<FakeClientExtensionHandshaker>("x-a"),
                                           std::make_shared<FakeClientExtensionHandshaker>(
                                               "x-b", WebSocketExtension::kRsv2)}});
  hs.handshake(*ch);
  drainBytes(*ch);
  FullHttpResponse response = accepting(hs.key());
  response.headers().set(HttpHeaderNames::kSecWebSocketExtensions, "x-b, x-a; p=1");
  EXPECT_FALSE(hs.finishHandshake(*ch, response));
  EXPECT_EQ(hs.acceptedExtensions(),
            (std::vector<WebSocketExtensionData>{{"x-b", {}}, {"x-a", {{"p", "1"}}}}));
  EXPECT_EQ(ch->pipeline().names(),
            (std::vector<std::string>{"wsencoder", "wsdecoder", "ReverseCodec#0", "ReverseCodec#1",
                                      "ReverseCodec#2", "ReverseCodec#3"}));
  // RSV bits claimed: the decoder accepts them.
  EXPECT_TRUE(ch->pipeline().get<WebSocket13FrameDecoder>()->config().allowExtensions);
  ch->finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::websocket
