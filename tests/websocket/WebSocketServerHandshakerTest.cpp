#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpRequestDecoder.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerExtensionHandler.h>
#include <sluice/websocket/WebSocketServerHandshaker13.h>
#include <sluice/websocket/WebSocketServerHandshakerFactory.h>

#include <string>

#include "WebSocketServerTestUtil.h"
#include "WebSocketTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketServerHandshakerTest = sluice::testing::SluiceTest;
using http::FullHttpRequest;
using http::HttpHeaderNames;

FullHttpRequest request(std::string_view version = "13") {
  FullHttpRequest req(http::HttpVersion::kHttp11, http::HttpMethod::kGet, "/ws");
  req.headers()
      .set(HttpHeaderNames::kHost, "h")
      .set(HttpHeaderNames::kUpgrade, "WebSocket")
      .set(HttpHeaderNames::kConnection, "keep-alive, Upgrade")
      .set(HttpHeaderNames::kSecWebSocketKey, "dGhlIHNhbXBsZSBub25jZQ==")
      .set(HttpHeaderNames::kSecWebSocketVersion, version);
  return req;
}

// Captures the request and lets the test drive the handshaker itself, as a Netty user's
// handler does.
class RequestCatcher : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    (void)ctx;
    if (msg.is<FullHttpRequest>()) {
      request = std::make_unique<FullHttpRequest>(msg.take<FullHttpRequest>());
    } else {
      others.push_back(std::move(msg));
    }
  }
  std::unique_ptr<FullHttpRequest> request;
  std::vector<Message> others;
};

TEST_F(WebSocketServerHandshakerTest, AcceptKeyOfTheRfcExample) {
  // RFC 6455 1.3.
  EXPECT_EQ(WebSocketServerHandshaker13::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_F(WebSocketServerHandshakerTest, KeyMustBeBase64OfSixteenBytes) {
  EXPECT_TRUE(WebSocketServerHandshaker13::isValidKey("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(WebSocketServerHandshaker13::isValidKey("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_FALSE(WebSocketServerHandshaker13::isValidKey("dGhlIHNhbXBsZQ=="));          // 10 bytes
  EXPECT_FALSE(WebSocketServerHandshaker13::isValidKey("dGhlIHNhbXBsZSBub25jZR=="));  // stray bits
  EXPECT_FALSE(WebSocketServerHandshaker13::isValidKey("dGhlIHNhbXBsZSBub25j*Q=="));
  EXPECT_FALSE(WebSocketServerHandshaker13::isValidKey("dGhlIHNhbXBsZSBub25jZQ"));
  EXPECT_FALSE(WebSocketServerHandshaker13::isValidKey(""));
}

TEST_F(WebSocketServerHandshakerTest, ValidatesEachRuleOfTheOpeningHandshake) {
  WebSocketServerHandshaker13 hs("ws://h/ws");
  auto errc = [&](const FullHttpRequest& r) {
    Error e = hs.validateRequest(r);
    return e ? e.code() : std::error_code();
  };
  auto with = [](auto change) {
    FullHttpRequest r = request();
    change(r);
    return r;
  };
  EXPECT_EQ(errc(request()), std::error_code());
  EXPECT_EQ(errc(with([](FullHttpRequest& r) { r.setMethod(http::HttpMethod::kPost); })),
            WebSocketHandshakeErrc::MethodNotAllowed);
  EXPECT_EQ(
      errc(with([](FullHttpRequest& r) { r.setProtocolVersion(http::HttpVersion::kHttp10); })),
      WebSocketHandshakeErrc::InvalidHttpVersion);
  EXPECT_EQ(errc(with([](FullHttpRequest& r) { r.headers().remove(HttpHeaderNames::kHost); })),
            WebSocketHandshakeErrc::MissingHost);
  EXPECT_EQ(
      errc(with([](FullHttpRequest& r) { r.headers().set(HttpHeaderNames::kUpgrade, "h2c"); })),
      WebSocketHandshakeErrc::MissingUpgrade);
  EXPECT_EQ(errc(with([](FullHttpRequest& r) {
              r.headers().set(HttpHeaderNames::kConnection, "keep-alive");
            })),
            WebSocketHandshakeErrc::MissingConnectionUpgrade);
  EXPECT_EQ(
      errc(with([](FullHttpRequest& r) { r.headers().remove(HttpHeaderNames::kSecWebSocketKey); })),
      WebSocketHandshakeErrc::MissingKey);
  EXPECT_EQ(errc(with([](FullHttpRequest& r) {
              r.headers().add(HttpHeaderNames::kSecWebSocketKey, "dGhlIHNhbXBsZSBub25jZQ==");
            })),
            WebSocketHandshakeErrc::MissingKey);
  EXPECT_EQ(errc(with([](FullHttpRequest& r) {
              r.headers().set(HttpHeaderNames::kSecWebSocketKey, "c2hvcnQ=");
            })),
            WebSocketHandshakeErrc::InvalidKey);
  EXPECT_EQ(errc(request("8")), WebSocketHandshakeErrc::UnsupportedVersion);
  EXPECT_EQ(statusOf(WebSocketHandshakeErrc::UnsupportedVersion).code(), 426);
}

TEST_F(WebSocketServerHandshakerTest, SelectsTheClientsFirstSupportedSubprotocol) {
  WebSocketServerHandshaker13 hs("ws://h/ws", {"v2", "v1"});
  EXPECT_EQ(hs.selectSubprotocol("v1, v2"), "v1");
  EXPECT_EQ(hs.selectSubprotocol(" x ,v2"), "v2");
  EXPECT_EQ(hs.selectSubprotocol("x, y"), std::nullopt);
  EXPECT_EQ(hs.selectSubprotocol(""), std::nullopt);
  WebSocketServerHandshaker13 any("ws://h/ws", {"*"});
  EXPECT_EQ(any.selectSubprotocol("a, b"), "a");
  WebSocketServerHandshaker13 none("ws://h/ws");
  EXPECT_EQ(none.selectSubprotocol("a"), std::nullopt);
}

TEST_F(WebSocketServerHandshakerTest, FactoryKnowsVersion13Only) {
  WebSocketServerHandshakerFactory factory("ws://h/ws", {});
  auto hs = factory.newHandshaker(request());
  ASSERT_NE(hs, nullptr);
  EXPECT_EQ(hs->version(), 13);
  EXPECT_EQ(factory.newHandshaker(request("8")), nullptr);
  EXPECT_EQ(factory.newHandshaker(request("")), nullptr);

  EmbeddedChannel ch(std::make_unique<http::HttpServerCodec>());
  WebSocketServerHandshakerFactory::sendUnsupportedVersionResponse(ch);
  const std::string out = drainOutbound(ch);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 426 Upgrade Required\r\n")) << out;
  EXPECT_NE(out.find("sec-websocket-version: 13\r\n"), std::string::npos) << out;
  EXPECT_FALSE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketServerHandshakerTest, HandshakeWithSeparateDecoderAndEncoder) {
  auto catcher = std::make_unique<RequestCatcher>();
  RequestCatcher& c = *catcher;
  EmbeddedChannel ch(std::make_unique<http::HttpRequestDecoder>(),
                     std::make_unique<http::HttpResponseEncoder>(),
                     std::make_unique<http::HttpObjectAggregator>(1024), std::move(catcher));
  writeBytes(ch, kRfcRequest);
  ASSERT_TRUE(c.request);
  WebSocketServerHandshaker13 hs("ws://server.example.com/ws");
  ChannelFuture f = hs.handshake(ch, *c.request);
  EXPECT_TRUE(f.isSuccess()) << f.cause().toString();
  EXPECT_EQ(drainOutbound(ch), kRfcResponse);
  EXPECT_EQ(ch.pipeline().names(),
            (std::vector<std::string>{"wsencoder", "wsdecoder", "RequestCatcher#0"}));
  writeBytes(ch, wireFrame(0x81, "one") + wireFrame(0x81, "two"));
  ASSERT_EQ(c.others.size(), 2U);
  EXPECT_EQ(c.others[0].get<TextWebSocketFrame>().text(), "one");
  EXPECT_EQ(c.others[1].get<TextWebSocketFrame>().text(), "two");
  c.others.clear();
  c.request.reset();
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketServerHandshakerTest, InvalidRequestFailsTheFutureAndWritesNothing) {
  EmbeddedChannel ch(std::make_unique<http::HttpServerCodec>());
  WebSocketServerHandshaker13 hs("ws://h/ws");
  ChannelFuture f = hs.handshake(ch, request("7"));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), WebSocketHandshakeErrc::UnsupportedVersion);
  EXPECT_EQ(drainOutbound(ch), "");
  EXPECT_NE(ch.pipeline().get<http::HttpServerCodec>(), nullptr);
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketServerHandshakerTest, CloseWritesTheFrameThenCloses) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false));
  WebSocketServerHandshaker13 hs("ws://h/ws");
  hs.close(ch, CloseWebSocketFrame(1000, ""));
  EXPECT_EQ(drainOutbound(ch), std::string("\x88\x02\x03\xe8", 4));
  EXPECT_FALSE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketServerHandshakerTest, ParsesExtensionOffers) {
  const auto offers = WebSocketExtensionData::parse(
      "permessage-deflate; client_max_window_bits, x-foo; a=\"q,\\\"\" ;b=2,, ;");
  ASSERT_EQ(offers.size(), 2U);
  EXPECT_EQ(offers[0].name, "permessage-deflate");
  EXPECT_TRUE(offers[0].hasParameter("Client_Max_Window_Bits"));
  EXPECT_EQ(offers[1].name, "x-foo");
  ASSERT_EQ(offers[1].parameters.size(), 2U);
  EXPECT_EQ(offers[1].parameters[0].second, "q,\"");
  EXPECT_EQ(offers[1].parameters[1], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ(offers[0].toString(), "permessage-deflate; client_max_window_bits");
}

// An extension that claims RSV1 and installs two pass-through handlers.
class FakeExtension : public WebSocketServerExtension {
 public:
  int rsv() const override { return kRsv1; }
  std::unique_ptr<ChannelHandler> newExtensionEncoder() override {
    return std::make_unique<ChannelInboundHandler>();
  }
  std::unique_ptr<ChannelHandler> newExtensionDecoder() override {
    return std::make_unique<ChannelInboundHandler>();
  }
  WebSocketExtensionData newResponseData() const override { return {"x-fake", {{"p", "1"}}}; }
};

class FakeExtensionHandshaker : public WebSocketServerExtensionHandshaker {
 public:
  std::unique_ptr<WebSocketServerExtension> handshakeExtension(
      const WebSocketExtensionData& offer) const override {
    return offer.name == "x-fake" ? std::make_unique<FakeExtension>() : nullptr;
  }
};

TEST_F(WebSocketServerHandshakerTest, AcceptedExtensionIsAnsweredInstalledAndAllowsRsv) {
  Events events;
  auto ch = serverChannel(WebSocketServerProtocolConfig{.websocketPath = "/ws"}, &events);
  ch->pipeline().addBefore(
      ch->pipeline().names()[2], "ext",
      std::make_unique<WebSocketServerExtensionHandler>(
          std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>>{
              std::make_shared<FakeExtensionHandshaker>()}));
  // Two offers of the same bit: only the first is accepted.
  writeBytes(*ch, upgradeRequest("/ws",
                                 "Sec-WebSocket-Extensions: x-other, x-fake; q\r\n"
                                 "Sec-WebSocket-Extensions: x-fake\r\n"));
  const std::string out = drainOutbound(*ch);
  EXPECT_NE(out.find("sec-websocket-extensions: x-fake; p=1\r\n"), std::string::npos) << out;
  const auto names = ch->pipeline().names();
  ASSERT_GE(names.size(), 4U);
  EXPECT_EQ(names[0], "wsencoder");
  EXPECT_EQ(names[1], "wsdecoder");
  EXPECT_EQ(names[2], "ChannelInboundHandler#0");
  EXPECT_EQ(names[3], "ChannelInboundHandler#1");
  EXPECT_EQ(ch->pipeline().get("ext"), nullptr);
  auto* decoder = dynamic_cast<WebSocket13FrameDecoder*>(ch->pipeline().get("wsdecoder"));
  ASSERT_NE(decoder, nullptr);
  EXPECT_TRUE(decoder->config().allowExtensions);
  // A compressed-looking frame (RSV1) is not a protocol error now.
  writeBytes(*ch, wireFrame(0xC1, "z"));
  EXPECT_TRUE(ch->isOpen());
  ch->finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::websocket
