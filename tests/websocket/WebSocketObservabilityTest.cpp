// The WebSocket side of observability: drain (close 1001) on both protocol handlers, the
// close reasons every way a WebSocket connection closes records, and the frame, message,
// close-code and handshake metrics.

#include <gtest/gtest.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/websocket/WebSocketBroadcast.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <chrono>
#include <string>

#include "WebSocketClientTestUtil.h"
#include "WebSocketServerTestUtil.h"
#include "WebSocketTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketObservabilityTest = sluice::testing::SluiceTest;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The value of a counter series in the global registry (0 if it does not exist yet). Other
// tests move the same series: the tests compare values before and after their own traffic.
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

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) {
    s.push_back(static_cast<char>(c));
  }
  return s;
}

// The server's (unmasked) close frame with `code` and `reason`.
std::string serverClose(int code, std::string_view reason) {
  return bytes({0x88, static_cast<int>(2 + reason.size()), code >> 8, code & 0xFF}) +
         std::string(reason);
}

void drain(EmbeddedChannel& ch) {
  ch.pipeline().fireUserEventTriggered(
      DrainEvent{.deadline = std::chrono::steady_clock::now() + seconds(30)});
}

// A server channel after the RFC example handshake, its 101 drained.
std::unique_ptr<EmbeddedChannel> upgraded(Events& events, WebSocketServerProtocolConfig config = {
                                                              .websocketPath = "/ws"}) {
  auto ch = serverChannel(std::move(config), &events);
  writeBytes(*ch, kRfcRequest);
  EXPECT_EQ(drainOutbound(*ch), kRfcResponse);
  events.clear();
  return ch;
}

// ---- server: drain

TEST_F(WebSocketObservabilityTest, ServerDrainSendsGoingAwayAndClosesOnThePeersAnswer) {
  Events events;
  auto ch = upgraded(events);
  drain(*ch);
  EXPECT_EQ(drainOutbound(*ch), serverClose(1001, "going away"));
  EXPECT_EQ(events, (Events{"DRAIN handled"}));
  EXPECT_TRUE(ch->isOpen()) << "waits for the peer's close frame";
  // Frames may still arrive until the peer's answer; nothing more is sent.
  writeBytes(*ch, wireFrame(0x81, "late"));
  EXPECT_EQ(drainOutbound(*ch), "");
  writeBytes(*ch, wireFrame(0x88, closeBody(1001)));
  EXPECT_FALSE(ch->isOpen());
  const CloseReason& reason = ch->closeReason();
  EXPECT_EQ(reason.initiator, CloseInitiator::Shutdown);
  EXPECT_EQ(reason.codeSent, 1001);
  EXPECT_EQ(reason.reasonSent, "going away");
  EXPECT_EQ(reason.codeReceived, 1001);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, ServerDrainWithoutAnAnswerClosesAtForceCloseTimeout) {
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .forceCloseTimeout = seconds(3)});
  drain(*ch);
  EXPECT_EQ(drainOutbound(*ch), serverClose(1001, "going away"));
  ch->advanceTimeBy(milliseconds(2999));
  ch->runPendingTasks();
  EXPECT_TRUE(ch->isOpen());
  ch->advanceTimeBy(milliseconds(1));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown) << "the first reason stays";
  EXPECT_EQ(ch->closeReason().codeReceived, 0);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, ACloseAfterTheDrainsCloseFrameClosesAtOnce) {
  // The drain's deadline (ChannelGroup::drain) closes through the pipeline: it must not wait
  // for the peer's answer as an application's close() does.
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .forceCloseTimeout = seconds(10)});
  drain(*ch);
  EXPECT_EQ(drainOutbound(*ch), serverClose(1001, "going away"));
  ch->closeReason().record(CloseInitiator::Shutdown, "drain deadline");
  ChannelFuture closed = ch->close();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_TRUE(closed.isSuccess());
  EXPECT_EQ(drainOutbound(*ch), "") << "no second close frame";
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, DrainDuringTheApplicationsClosingHandshakeLeavesItAlone) {
  Events events;
  auto ch = upgraded(events);
  ch->close();
  EXPECT_EQ(drainOutbound(*ch), serverClose(1000, "Bye"));
  drain(*ch);
  EXPECT_EQ(drainOutbound(*ch), "") << "one close frame";
  EXPECT_EQ(events, (Events{"DRAIN handled"}));
  writeBytes(*ch, wireFrame(0x88, closeBody(1000)));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Application);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, DrainBeforeAnyRequestClosesTheHttpConnectionAtOnce) {
  Events events;
  auto ch = serverChannel({.websocketPath = "/ws"}, &events);
  drain(*ch);
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(events, (Events{"DRAIN handled", "INACTIVE"}));
  EXPECT_EQ(drainOutbound(*ch), "");
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, DrainWhileTheAuthorizerDecidesSendsGoingAwayAfterThe101) {
  Events events;
  Promise<WebSocketAuthorization> decision = Promise<WebSocketAuthorization>::make(nullptr);
  auto ch = serverChannel(
      {.websocketPath = "/ws",
       .authorizer = [&](Channel&, const http::FullHttpRequest&) { return decision.future(); }},
      &events);
  writeBytes(*ch, kRfcRequest);
  drain(*ch);
  EXPECT_TRUE(ch->isOpen()) << "the handshake in flight is not cut";
  EXPECT_EQ(events, (Events{"DRAIN handled"}));
  decision.trySuccess(WebSocketAuthorization::accept());
  ch->runPendingTasks();
  EXPECT_EQ(drainOutbound(*ch), std::string(kRfcResponse) + serverClose(1001, "going away"));
  writeBytes(*ch, wireFrame(0x88, closeBody(1001)));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown);
  ch->finishAndReleaseAll();
}

// ---- server: close reasons

TEST_F(WebSocketObservabilityTest, UnmaskedClientFrameIsAProtocolCloseWith1002) {
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x81, "x", false));
  EXPECT_TRUE(drainOutbound(*ch).starts_with(bytes({0x88})));
  EXPECT_FALSE(ch->isOpen());
  const CloseReason& reason = ch->closeReason();
  EXPECT_EQ(reason.initiator, CloseInitiator::Protocol);
  EXPECT_EQ(reason.rule, "RFC 6455 5.1: a client frame must be masked");
  EXPECT_EQ(reason.codeSent, 1002);
  EXPECT_EQ(reason.reasonSent, "frame not masked as expected");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, InvalidUtf8IsAProtocolCloseWith1007) {
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x81, "\xC3\x28"));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Protocol);
  EXPECT_TRUE(ch->closeReason().rule.starts_with("RFC 6455 8.1: ")) << ch->closeReason().rule;
  EXPECT_EQ(ch->closeReason().codeSent, 1007);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, FrameOverTheLimitIsALimitCloseWith1009) {
  Events events;
  auto ch =
      upgraded(events, {.websocketPath = "/ws", .decoderConfig = {.maxFramePayloadLength = 16}});
  writeBytes(*ch, wireFrame(0x82, std::string(17, 'x')));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Limit);
  EXPECT_EQ(ch->closeReason().rule, "maxFramePayloadLength 16");
  EXPECT_EQ(ch->closeReason().codeSent, 1009);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, PeersCloseFrameIsThePeersCloseAndCountsBothCodes) {
  const double received0 =
      counterValue("sluice_websocket_close_codes_received_total", {{"code", "4001"}});
  const double sent0 = counterValue("sluice_websocket_close_codes_sent_total", {{"code", "4001"}});
  Events events;
  auto ch = upgraded(events);
  writeBytes(*ch, wireFrame(0x88, closeBody(4001, "bye")));
  EXPECT_EQ(drainOutbound(*ch), serverClose(4001, ""));
  EXPECT_FALSE(ch->isOpen());
  const CloseReason& reason = ch->closeReason();
  EXPECT_EQ(reason.initiator, CloseInitiator::Peer);
  EXPECT_EQ(reason.codeReceived, 4001);
  EXPECT_EQ(reason.reasonReceived, "bye");
  EXPECT_EQ(reason.codeSent, 4001);
  EXPECT_EQ(
      counterValue("sluice_websocket_close_codes_received_total", {{"code", "4001"}}) - received0,
      1);
  EXPECT_EQ(counterValue("sluice_websocket_close_codes_sent_total", {{"code", "4001"}}) - sent0, 1);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, ApplicationsCloseIsTheApplicationsWithTheCodeSent) {
  Events events;
  auto ch = upgraded(events);
  ch->writeAndFlush(CloseWebSocketFrame(4002, "done"));
  EXPECT_EQ(drainOutbound(*ch), serverClose(4002, "done"));
  writeBytes(*ch, wireFrame(0x88, closeBody(4002)));
  EXPECT_FALSE(ch->isOpen());
  const CloseReason& reason = ch->closeReason();
  EXPECT_EQ(reason.initiator, CloseInitiator::Application);
  EXPECT_EQ(reason.codeSent, 4002);
  EXPECT_EQ(reason.reasonSent, "done");
  EXPECT_EQ(reason.codeReceived, 4002) << "the answer is recorded, not taken for the peer's close";
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, UnansweredCloseFrameIsATimeoutAtForceClose) {
  Events events;
  auto ch = upgraded(events, {.websocketPath = "/ws", .forceCloseTimeout = seconds(2)});
  ch->close();
  EXPECT_EQ(drainOutbound(*ch), serverClose(1000, "Bye"));
  ch->advanceTimeBy(seconds(2));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Timeout);
  EXPECT_EQ(ch->closeReason().rule, "close handshake timeout 2000 ms");
  EXPECT_EQ(ch->closeReason().codeSent, 1000);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, UnansweredPingIsATimeout) {
  Events events;
  auto ch = upgraded(
      events, {.websocketPath = "/ws", .pingInterval = seconds(30), .pongTimeout = seconds(5)});
  ch->advanceTimeBy(seconds(30));
  ch->runPendingTasks();
  ch->advanceTimeBy(seconds(5));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Timeout);
  EXPECT_EQ(ch->closeReason().rule, "pong timeout 5000 ms");
  EXPECT_EQ(ch->closeReason().codeSent, 0) << "no close frame to a dead peer";
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, HandshakeTimeoutIsATimeoutAndAFailure) {
  const MetricLabels labels{{"protocol", "websocket"}, {"reason", "handshake_timeout"}};
  const double failures0 = counterValue("sluice_handshake_failures_total", labels);
  Events events;
  Promise<WebSocketAuthorization> never = Promise<WebSocketAuthorization>::make(nullptr);
  auto ch = serverChannel(
      {.websocketPath = "/ws",
       .handshakeTimeout = seconds(5),
       .authorizer = [&](Channel&, const http::FullHttpRequest&) { return never.future(); }},
      &events);
  writeBytes(*ch, upgradeRequest());
  ch->advanceTimeBy(seconds(5));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Timeout);
  EXPECT_EQ(ch->closeReason().rule, "handshake timeout 5000 ms");
  EXPECT_EQ(counterValue("sluice_handshake_failures_total", labels) - failures0, 1);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, RefusedHandshakeIsAProtocolCloseAndAFailure) {
  const MetricLabels labels{{"protocol", "websocket"}, {"reason", "missing_key"}};
  const double failures0 = counterValue("sluice_handshake_failures_total", labels);
  Events events;
  auto ch = serverChannel({.websocketPath = "/ws"}, &events);
  writeBytes(*ch,
             "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n");
  EXPECT_TRUE(drainOutbound(*ch).starts_with("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Protocol);
  EXPECT_TRUE(ch->closeReason().rule.starts_with("WebSocket handshake: "))
      << ch->closeReason().rule;
  EXPECT_EQ(ch->closeReason().codeSent, 400);
  EXPECT_EQ(counterValue("sluice_handshake_failures_total", labels) - failures0, 1);
  ch->finishAndReleaseAll();
}

// ---- server: metrics

TEST_F(WebSocketObservabilityTest, CountsFramesAndMessagesByOpcodeAndType) {
  auto frames = [](std::string_view direction, std::string_view opcode) {
    return counterValue(fmt::format("sluice_websocket_frames_{}_total", direction),
                        {{"opcode", std::string(opcode)}});
  };
  auto messages = [](std::string_view direction, std::string_view type) {
    return counterValue(fmt::format("sluice_websocket_messages_{}_total", direction),
                        {{"type", std::string(type)}});
  };
  const double handshakes0 =
      counterValue("sluice_websocket_handshakes_total", {{"side", "server"}});
  Events events;
  auto ch = upgraded(events);
  EXPECT_EQ(counterValue("sluice_websocket_handshakes_total", {{"side", "server"}}) - handshakes0,
            1);
  const double textIn = frames("received", "text");
  const double contIn = frames("received", "continuation");
  const double binaryIn = frames("received", "binary");
  const double pingIn = frames("received", "ping");
  const double textMessagesIn = messages("received", "text");
  const double binaryMessagesIn = messages("received", "binary");
  const double textOut = frames("sent", "text");
  const double pongOut = frames("sent", "pong");
  const double textMessagesOut = messages("sent", "text");
  // A text message in two frames (the echo handler answers its first frame with a whole text
  // message), a ping between them, and a binary message in three.
  writeBytes(*ch, wireFrame(0x01, "ab") + wireFrame(0x89, "p") + wireFrame(0x80, "c") +
                      wireFrame(0x02, "1") + wireFrame(0x00, "2") + wireFrame(0x80, "3"));
  EXPECT_EQ(frames("received", "text") - textIn, 1);
  EXPECT_EQ(frames("received", "continuation") - contIn, 3);
  EXPECT_EQ(frames("received", "binary") - binaryIn, 1);
  EXPECT_EQ(frames("received", "ping") - pingIn, 1);
  EXPECT_EQ(messages("received", "text") - textMessagesIn, 1);
  EXPECT_EQ(messages("received", "binary") - binaryMessagesIn, 1);
  EXPECT_EQ(frames("sent", "pong") - pongOut, 1);
  EXPECT_EQ(drainOutbound(*ch), bytes({0x81, 2}) + "ab" + bytes({0x8A, 1}) + "p");
  EXPECT_EQ(frames("sent", "text") - textOut, 1);
  EXPECT_EQ(messages("sent", "text") - textMessagesOut, 1);
  // A message sent in two frames counts once, at its final frame.
  ch->writeAndFlush(TextWebSocketFrame(false, 0, "h"));
  EXPECT_EQ(messages("sent", "text") - textMessagesOut, 1);
  ch->writeAndFlush(ContinuationWebSocketFrame(true, 0, "i"));
  EXPECT_EQ(frames("sent", "text") - textOut, 2);
  EXPECT_EQ(messages("sent", "text") - textMessagesOut, 2);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, BroadcastFramesCountOncePerMember) {
  const MetricLabels text{{"opcode", "text"}};
  Events events;
  std::shared_ptr<EmbeddedChannel> a = upgraded(events);
  std::shared_ptr<EmbeddedChannel> b = upgraded(events);
  ChannelGroup room;
  room.add(a);
  room.add(b);
  const double frames0 = counterValue("sluice_websocket_frames_sent_total", text);
  const double messages0 = counterValue("sluice_websocket_messages_sent_total", {{"type", "text"}});
  EXPECT_TRUE(WebSocketBroadcast::writeAndFlushText(room, "all").isSuccess());
  EXPECT_EQ(drainOutbound(*a), bytes({0x81, 3}) + "all");
  EXPECT_EQ(drainOutbound(*b), bytes({0x81, 3}) + "all");
  EXPECT_EQ(counterValue("sluice_websocket_frames_sent_total", text) - frames0, 2);
  EXPECT_EQ(counterValue("sluice_websocket_messages_sent_total", {{"type", "text"}}) - messages0,
            2);
  a->finishAndReleaseAll();
  b->finishAndReleaseAll();
}

// ---- client

WebSocketClientProtocolConfig clientConfig() { return {.webSocketUri = "ws://server.example/ws"}; }

std::unique_ptr<EmbeddedChannel> connectedClient(
    Events& events, WebSocketClientProtocolConfig config = clientConfig()) {
  auto ch = clientChannel(std::move(config), &events);
  feed(*ch, response101(headerOf(drainBytes(*ch), "sec-websocket-key")));
  EXPECT_TRUE(ch->pipeline().get<WebSocketClientProtocolHandler>()->handshakeFuture().isSuccess());
  events.clear();
  return ch;
}

TEST_F(WebSocketObservabilityTest, ClientDrainSendsGoingAwayAndClosesOnTheServersAnswer) {
  const double handshakes0 =
      counterValue("sluice_websocket_handshakes_total", {{"side", "client"}});
  Events events;
  auto ch = connectedClient(events);
  EXPECT_EQ(counterValue("sluice_websocket_handshakes_total", {{"side", "client"}}) - handshakes0,
            1);
  drain(*ch);
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"CLOSE 1001 going away"}));
  EXPECT_EQ(events, (Events{"DRAIN handled"}));
  EXPECT_TRUE(ch->isOpen());
  feed(*ch, serverFrame(0x88, closeBody(1001)));
  EXPECT_FALSE(ch->isOpen()) << "a draining client does not wait for the server's TCP close";
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown);
  EXPECT_EQ(ch->closeReason().codeSent, 1001);
  EXPECT_EQ(ch->closeReason().codeReceived, 1001);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, ClientDrainWithoutAnAnswerClosesAtForceCloseTimeout) {
  Events events;
  WebSocketClientProtocolConfig config = clientConfig();
  config.forceCloseTimeout = seconds(3);
  auto ch = connectedClient(events, config);
  drain(*ch);
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"CLOSE 1001 going away"}));
  ch->advanceTimeBy(seconds(3));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Shutdown);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, MaskedServerFrameIsAProtocolCloseOnTheClient) {
  Events events;
  auto ch = connectedClient(events);
  feed(*ch, wireFrame(0x81, "x", true));
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Protocol);
  EXPECT_EQ(ch->closeReason().rule, "RFC 6455 5.1: a server frame must not be masked");
  EXPECT_EQ(ch->closeReason().codeSent, 1002);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, ClientHandshakeFailureIsAProtocolCloseAndAFailure) {
  const MetricLabels labels{{"protocol", "websocket"}, {"reason", "invalid_accept"}};
  const double failures0 = counterValue("sluice_handshake_failures_total", labels);
  Events events;
  auto ch = clientChannel(clientConfig(), &events);
  drainBytes(*ch);
  feed(*ch, response101("dGhlIHNhbXBsZSBub25jZQ=="));  // the accept of another key
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Protocol);
  EXPECT_TRUE(ch->closeReason().rule.starts_with("WebSocket handshake: "))
      << ch->closeReason().rule;
  EXPECT_EQ(counterValue("sluice_handshake_failures_total", labels) - failures0, 1);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketObservabilityTest, ClientHandshakeTimeoutIsATimeoutAndAFailure) {
  const MetricLabels labels{{"protocol", "websocket"}, {"reason", "handshake_timeout"}};
  const double failures0 = counterValue("sluice_handshake_failures_total", labels);
  Events events;
  WebSocketClientProtocolConfig config = clientConfig();
  config.handshakeTimeout = seconds(5);
  auto ch = clientChannel(config, &events);
  ch->advanceTimeBy(seconds(5));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(ch->closeReason().initiator, CloseInitiator::Timeout);
  EXPECT_EQ(ch->closeReason().rule, "handshake timeout 5000 ms");
  EXPECT_EQ(counterValue("sluice_handshake_failures_total", labels) - failures0, 1);
  ch->finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::websocket
