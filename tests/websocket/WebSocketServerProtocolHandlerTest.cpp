#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <chrono>
#include <string>

#include "WebSocketServerTestUtil.h"
#include "WebSocketTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketServerProtocolHandlerTest = sluice::testing::SluiceTest;
using std::chrono::seconds;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) {
    s.push_back(static_cast<char>(c));
  }
  return s;
}

WebSocketServerProtocolConfig wsConfig() { return {.websocketPath = "/ws"}; }

// Handshakes kRfcRequest and drains the 101.
std::unique_ptr<EmbeddedChannel> upgraded(Events& events,
                                          WebSocketServerProtocolConfig config = wsConfig()) {
  auto ch = serverChannel(std::move(config), &events);
  writeBytes(*ch, kRfcRequest);
  EXPECT_EQ(drainOutbound(*ch), kRfcResponse);
  events.clear();
  return ch;
}

TEST_F(WebSocketServerProtocolHandlerTest, AcceptsTheRfcExampleAndRemovesTheHttpHandlers) {
  Events events;
  auto ch = serverChannel(wsConfig(), &events);
  writeBytes(*ch, kRfcRequest);
  EXPECT_EQ(drainOutbound(*ch), kRfcResponse);
  EXPECT_EQ(events, (Events{"STATE", "COMPLETE /ws -"}));
  EXPECT_EQ(ch->pipeline().names(),
            (std::vector<std::string>{"wsencoder", "wsdecoder", "WebSocketServerProtocolHandler#0",
                                      "EchoTextHandler#0"}));
  EXPECT_NE(ch->pipeline().get<WebSocketServerProtocolHandler>()->handshaker(), nullptr);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, EchoesTextThroughAFrameHandler) {
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x81, "hello"));
  EXPECT_EQ(events, (Events{"TEXT hello"}));
  // Server frames are not masked (RFC 6455 5.1).
  EXPECT_EQ(drainOutbound(*ch), bytes({0x81, 5}) + "hello");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, FrameInTheSameReadAsTheRequestReachesTheHandler) {
  Events events;
  auto ch = serverChannel(wsConfig(), &events);
  writeBytes(*ch, std::string(kRfcRequest) + wireFrame(0x81, "first") + wireFrame(0x82, "bin"));
  EXPECT_EQ(events, (Events{"STATE", "COMPLETE /ws -", "TEXT first", "FRAME 2 bin"}));
  EXPECT_EQ(drainOutbound(*ch), std::string(kRfcResponse) + bytes({0x81, 5}) + "first");
  ch->finishAndReleaseAll();
}

struct Refusal {
  const char* name;
  std::string request;
  const char* statusLine;
  const char* header;  // a header the response must carry, or ""
};

class WebSocketServerProtocolHandlerRefusalTest : public sluice::testing::SluiceTest,
                                                  public ::testing::WithParamInterface<Refusal> {};

TEST_P(WebSocketServerProtocolHandlerRefusalTest, AnswersAndCloses) {
  const Refusal& r = GetParam();
  Events events;
  auto ch = serverChannel(wsConfig(), &events);
  writeBytes(*ch, r.request);
  const std::string out = drainOutbound(*ch);
  EXPECT_TRUE(out.starts_with(r.statusLine)) << out;
  EXPECT_NE(out.find("connection: close\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find(r.header), std::string::npos) << out;
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(events, (Events{"INACTIVE"}));
  ch->finishAndReleaseAll();
}

std::string without(std::string request, std::string_view line) {
  request.erase(request.find(line), line.size());
  return request;
}

std::string withKey(std::string_view key) {
  return without(upgradeRequest("/ws", fmt::format("Sec-WebSocket-Key: {}\r\n", key)),
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
}

INSTANTIATE_TEST_SUITE_P(
    WebSocketServerProtocolHandlerTest, WebSocketServerProtocolHandlerRefusalTest,
    ::testing::Values(
        Refusal{"Post",
                "POST /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                "Content-Length: 0\r\n\r\n",
                "HTTP/1.1 405 Method Not Allowed\r\n", "allow: GET\r\n"},
        Refusal{"NotAnUpgrade", "GET /ws HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 400 ", ""},
        Refusal{"NoUpgrade", without(upgradeRequest(), "Upgrade: websocket\r\n"), "HTTP/1.1 400 ",
                ""},
        Refusal{"NoConnectionUpgrade",
                without(upgradeRequest(), "Connection: keep-alive, Upgrade\r\n"), "HTTP/1.1 400 ",
                ""},
        Refusal{"NoKey",
                without(upgradeRequest(), "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
                "HTTP/1.1 400 ", "no single Sec-WebSocket-Key"},
        Refusal{"ShortKey", withKey("c2hvcnQ="), "HTTP/1.1 400 ", "not the base64"},
        Refusal{"NotBase64Key", withKey("dGhlIHNhbXBsZSBub25j!Q=="), "HTTP/1.1 400 ", ""},
        Refusal{"Http10",
                "GET /ws HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                "HTTP/1.1 400 ", ""}),
    [](const ::testing::TestParamInfo<Refusal>& p) { return std::string(p.param.name); });

TEST_F(WebSocketServerProtocolHandlerTest, Version8IsAnswered426) {
  Events events;
  auto ch = serverChannel(wsConfig(), &events);
  std::string req = upgradeRequest();
  req.replace(req.find("Version: 13"), 11, "Version: 8");
  writeBytes(*ch, req);
  const std::string out = drainOutbound(*ch);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 426 Upgrade Required\r\n")) << out;
  EXPECT_NE(out.find("sec-websocket-version: 13\r\n"), std::string::npos) << out;
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, SelectsASubprotocolOrNone) {
  Events events;
  auto ch =
      serverChannel({.websocketPath = "/ws", .subprotocols = {"chat.v2", "chat.v1"}}, &events);
  writeBytes(*ch, upgradeRequest("/ws", "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n"));
  EXPECT_NE(drainOutbound(*ch).find("sec-websocket-protocol: chat.v1\r\n"), std::string::npos);
  EXPECT_EQ(events, (Events{"STATE", "COMPLETE /ws chat.v1"}));
  ch->finishAndReleaseAll();

  events.clear();
  ch = serverChannel({.websocketPath = "/ws", .subprotocols = {"chat.v2"}}, &events);
  writeBytes(*ch, upgradeRequest("/ws", "Sec-WebSocket-Protocol: mqtt\r\n"));
  const std::string out = drainOutbound(*ch);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 101 ")) << out;
  EXPECT_EQ(out.find("sec-websocket-protocol"), std::string::npos) << out;
  EXPECT_EQ(events, (Events{"STATE", "COMPLETE /ws -"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, RefusesOriginsNotAllowedWith403) {
  const WebSocketServerProtocolConfig config{.websocketPath = "/ws",
                                             .allowedOrigins = {"https://good.example"}};
  Events events;
  auto ch = serverChannel(config, &events);
  writeBytes(*ch, upgradeRequest("/ws", "Origin: https://evil.example\r\n"));
  EXPECT_TRUE(drainOutbound(*ch).starts_with("HTTP/1.1 403 Forbidden\r\n"));
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();

  ch = serverChannel(config, &events);
  writeBytes(*ch, upgradeRequest("/ws", "Origin: HTTPS://good.example\r\n"));
  EXPECT_TRUE(drainOutbound(*ch).starts_with("HTTP/1.1 101 "));
  ch->finishAndReleaseAll();

  // No Origin: not a browser, not concerned.
  ch = serverChannel(config, &events);
  writeBytes(*ch, upgradeRequest("/ws"));
  EXPECT_TRUE(drainOutbound(*ch).starts_with("HTTP/1.1 101 "));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, OtherPathsPassThroughToTheNextHandler) {
  Events events;
  auto ch = serverChannel(wsConfig(), &events);
  writeBytes(*ch, "GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n");
  writeBytes(*ch, upgradeRequest("/wsx"));
  EXPECT_EQ(events, (Events{"HTTP /index.html", "HTTP /wsx"}));
  EXPECT_EQ(drainOutbound(*ch), "");
  EXPECT_TRUE(ch->isOpen());
  // The connection still upgrades afterwards.
  writeBytes(*ch, upgradeRequest("/ws?token=1"));
  EXPECT_TRUE(drainOutbound(*ch).starts_with("HTTP/1.1 101 "));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, CheckStartsWithUpgradesPathsBelow) {
  Events events;
  auto ch = serverChannel({.websocketPath = "/ws", .checkStartsWith = true}, &events);
  writeBytes(*ch, upgradeRequest("/wsx"));
  EXPECT_EQ(events, (Events{"HTTP /wsx"}));
  writeBytes(*ch, upgradeRequest("/ws/room/7"));
  EXPECT_TRUE(drainOutbound(*ch).starts_with("HTTP/1.1 101 "));
  EXPECT_EQ(events, (Events{"HTTP /wsx", "STATE", "COMPLETE /ws/room/7 -"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, AnswersPingWithPongAndDropsPongs) {
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x89, "hi") + wireFrame(0x8A, "unsolicited"));
  EXPECT_EQ(drainOutbound(*ch), bytes({0x8A, 2}) + "hi");
  EXPECT_EQ(events, Events{});
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, PongsReachTheHandlerWhenNotDropped) {
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .dropPongFrames = false});
  writeBytes(*ch, wireFrame(0x8A, "p"));
  EXPECT_EQ(events, (Events{"FRAME 10 p"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, EchoesTheClientsCloseCodeThenCloses) {
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x88, closeBody(1001, "going")));
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 2, 0x03, 0xE9}));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(events, (Events{"INACTIVE"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, AnswersAnEmptyCloseWithAnEmptyClose) {
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x88, ""));
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 0}));
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, ServerCloseWaitsForThePeersClose) {
  Events events;
  auto ch = upgraded(events);
  ch->writeAndFlush(CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener::kClose);
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 2, 0x03, 0xE8}));
  EXPECT_TRUE(ch->isOpen()) << "closed before the peer answered";
  // Nothing may follow a close frame.
  EXPECT_FALSE(ch->writeAndFlush(TextWebSocketFrame("late")).isSuccess());
  writeBytes(*ch, wireFrame(0x88, closeBody(1000)));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(drainOutbound(*ch), "") << "answered the answer";
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, WithoutHandleCloseFramesTheApplicationsAnswerCloses) {
  // The peer's close frame reaches the application, which answers it: the closing handshake
  // is then complete, and the server closes TCP once the answer is written, without waiting
  // for forceCloseTimeout.
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .handleCloseFrames = false});
  writeBytes(*ch, wireFrame(0x88, closeBody(4000, "bye")));
  EXPECT_EQ(events, (Events{"FRAME 8 \x0f\xa0"
                            "bye"}));
  EXPECT_TRUE(ch->isOpen());
  ch->writeAndFlush(CloseWebSocketFrame(4000, ""));
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 2, 0x0F, 0xA0}));
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, WithoutHandleCloseFramesThePeersAnswerToOursCloses) {
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .handleCloseFrames = false});
  ch->writeAndFlush(CloseWebSocketFrame(1000, ""));
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 2, 0x03, 0xE8}));
  EXPECT_TRUE(ch->isOpen());
  writeBytes(*ch, wireFrame(0x88, closeBody(1000)));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(drainOutbound(*ch), "") << "answered the answer";
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, NoPreEncodedFrameFollowsACloseFrame) {
  // A ChannelGroup broadcast reaches the channel as an EncodedMessage (one frame's bytes,
  // shared by every member); after our close frame it is refused like any data frame.
  Events events;
  auto ch = upgraded(events);
  ch->writeAndFlush(CloseWebSocketFrame(1000, ""));
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 2, 0x03, 0xE8}));
  ChannelFuture late =
      ch->writeAndFlush(EncodedMessage(Unpooled::copiedBuffer(bytes({0x81, 1}) + "x")));
  EXPECT_TRUE(late.isDone());
  EXPECT_FALSE(late.isSuccess());
  EXPECT_EQ(drainOutbound(*ch), "");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, ServerCloseGivesUpAfterForceCloseTimeout) {
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .forceCloseTimeout = seconds(3)});
  ch->writeAndFlush(CloseWebSocketFrame(1000, ""));
  drainOutbound(*ch);
  ch->advanceTimeBy(seconds(2));
  ch->runPendingTasks();
  EXPECT_TRUE(ch->isOpen());
  ch->advanceTimeBy(seconds(1));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, ChannelCloseSendsTheConfiguredCloseFrameFirst) {
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws",
                              .sendCloseFrame = WebSocketCloseStatus::kEndpointUnavailable});
  ChannelFuture closed = ch->close();
  EXPECT_EQ(drainOutbound(*ch), bytes({0x88, 22, 0x03, 0xE9}) + "Endpoint unavailable");
  EXPECT_FALSE(closed.isDone());
  writeBytes(*ch, wireFrame(0x88, closeBody(1001)));
  EXPECT_TRUE(closed.isSuccess());
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, ProtocolViolationIsAnsweredOnceWithoutAnError) {
  Events events;
  auto ch = upgraded(events);
  // An unmasked client frame (RFC 6455 5.1).
  writeBytes(*ch, wireFrame(0x81, "x", false));
  EXPECT_EQ(drainOutbound(*ch).substr(0, 4), bytes({0x88, 0x1e, 0x03, 0xEA}));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_NO_THROW(ch->checkException());
  EXPECT_EQ(events, (Events{"INACTIVE"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, HandshakeTimeoutFiresTheEventAndCloses) {
  Events events;
  Promise<WebSocketAuthorization> never = Promise<WebSocketAuthorization>::make(nullptr);
  auto ch = serverChannel(
      {.websocketPath = "/ws",
       .handshakeTimeout = seconds(5),
       .authorizer = [&](Channel&, const http::FullHttpRequest&) { return never.future(); }},
      &events);
  writeBytes(*ch, upgradeRequest());
  ch->advanceTimeBy(seconds(4));
  ch->runPendingTasks();
  EXPECT_TRUE(ch->isOpen());
  ch->advanceTimeBy(seconds(1));
  ch->runPendingTasks();
  EXPECT_EQ(events, (Events{"TIMEOUT", "INACTIVE"}));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(drainOutbound(*ch), "");
  // A decision after the timeout changes nothing.
  never.trySuccess(WebSocketAuthorization::accept());
  ch->runPendingTasks();
  EXPECT_EQ(drainOutbound(*ch), "");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, AuthorizerAcceptsLaterWhileOtherChannelsRun) {
  Events eventsA;
  Events eventsB;
  std::vector<Promise<WebSocketAuthorization>> pending;
  WebSocketServerProtocolConfig config{
      .websocketPath = "/ws", .authorizer = [&](Channel&, const http::FullHttpRequest& req) {
        if (req.headers().get(http::HttpHeaderNames::kAuthorization, "") == "later") {
          pending.push_back(Promise<WebSocketAuthorization>::make(nullptr));
          return pending.back().future();
        }
        return makeSucceededFuture(WebSocketAuthorization::accept());
      }};
  auto a = serverChannel(config, &eventsA);
  auto b = serverChannel(config, &eventsB);
  // A's client sends its first frame right after the request, in the same read.
  writeBytes(*a, upgradeRequest("/ws", "Authorization: later\r\n") + wireFrame(0x81, "early"));
  EXPECT_EQ(drainOutbound(*a), "");
  EXPECT_FALSE(a->config().isAutoRead()) << "reading goes on while the decision is pending";
  writeBytes(*b, upgradeRequest());
  EXPECT_TRUE(drainOutbound(*b).starts_with("HTTP/1.1 101 "));
  writeBytes(*b, wireFrame(0x81, "b"));
  EXPECT_EQ(eventsB, (Events{"STATE", "COMPLETE /ws -", "TEXT b"}));
  // More bytes while pending are kept too.
  writeBytes(*a, wireFrame(0x81, "second"));
  EXPECT_EQ(eventsA, Events{});

  ASSERT_EQ(pending.size(), 1U);
  http::HttpHeaders extra;
  extra.set("set-cookie", "session=1");
  pending[0].trySuccess(WebSocketAuthorization::accept(extra));
  a->runPendingTasks();
  const std::string out = drainOutbound(*a);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 101 Switching Protocols\r\nset-cookie: session=1\r\n"))
      << out;
  EXPECT_NE(out.find("TEXT"), 0U);
  EXPECT_EQ(eventsA, (Events{"STATE", "COMPLETE /ws -", "TEXT early", "TEXT second"}));
  EXPECT_TRUE(a->config().isAutoRead());
  EXPECT_EQ(a->pipeline().names(),
            (std::vector<std::string>{"wsencoder", "wsdecoder", "WebSocketServerProtocolHandler#0",
                                      "EchoTextHandler#0"}));
  a->finishAndReleaseAll();
  b->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, AuthorizerRefusesLaterWith401) {
  Events events;
  Promise<WebSocketAuthorization> decision = Promise<WebSocketAuthorization>::make(nullptr);
  auto ch = serverChannel(
      {.websocketPath = "/ws",
       .authorizer = [&](Channel&, const http::FullHttpRequest&) { return decision.future(); }},
      &events);
  writeBytes(*ch, upgradeRequest() + wireFrame(0x81, "early"));
  http::HttpHeaders h;
  h.set(http::HttpHeaderNames::kWwwAuthenticate, "Bearer");
  decision.trySuccess(
      WebSocketAuthorization::refuse(http::HttpResponseStatus::kUnauthorized, h, "who?"));
  ch->runPendingTasks();
  EXPECT_EQ(drainOutbound(*ch),
            "HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Bearer\r\ncontent-length: 4\r\n"
            "connection: close\r\n\r\nwho?");
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(events, (Events{"INACTIVE"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketServerProtocolHandlerTest, KeepAlivePingsAndClosesWithoutAPong) {
  Events events;
  auto ch = upgraded(
      events, {.websocketPath = "/ws", .pingInterval = seconds(30), .pongTimeout = seconds(5)});
  ch->advanceTimeBy(seconds(30));
  ch->runPendingTasks();
  EXPECT_EQ(drainOutbound(*ch), bytes({0x89, 0}));
  writeBytes(*ch, wireFrame(0x8A, ""));
  ch->advanceTimeBy(seconds(29));
  ch->runPendingTasks();
  EXPECT_EQ(drainOutbound(*ch), "");
  ch->advanceTimeBy(seconds(1));
  ch->runPendingTasks();
  EXPECT_EQ(drainOutbound(*ch), bytes({0x89, 0}));
  ch->advanceTimeBy(seconds(5));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(drainOutbound(*ch), "") << "no close frame to a dead peer";
  ch->finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::websocket
