#include <gtest/gtest.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketPingHealthCheck.h>

#include <chrono>
#include <string>

#include "WebSocketClientTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketClientProtocolHandlerTest = sluice::testing::SluiceTest;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Handler = WebSocketClientProtocolHandler;

WebSocketClientProtocolConfig wsConfig() { return {.webSocketUri = "ws://server.example/ws"}; }

Handler& handlerOf(EmbeddedChannel& ch) { return *ch.pipeline().get<Handler>(); }

// The key of the request the client wrote (and drains it).
std::string takeKey(EmbeddedChannel& ch) { return headerOf(drainBytes(ch), "sec-websocket-key"); }

// A client whose handshake the test answered with a 101.
std::unique_ptr<EmbeddedChannel> connected(Events& events,
                                           WebSocketClientProtocolConfig config = wsConfig()) {
  auto ch = clientChannel(std::move(config), &events);
  feed(*ch, response101(takeKey(*ch)));
  EXPECT_TRUE(handlerOf(*ch).handshakeFuture().isSuccess());
  events.clear();
  return ch;
}

TEST_F(WebSocketClientProtocolHandlerTest, HandshakesOnActiveThenPassesFrames) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  EXPECT_EQ(events, (Events{"ISSUED"}));
  ChannelFuture done = h.handshakeFuture();
  EXPECT_FALSE(done.isDone());
  const std::string request = drainBytes(*ch);
  EXPECT_TRUE(request.starts_with("GET /ws HTTP/1.1\r\nhost: server.example\r\n")) << request;
  feed(*ch, response101(headerOf(request, "sec-websocket-key")));
  EXPECT_TRUE(done.isSuccess());
  EXPECT_EQ(events, (Events{"ISSUED", "COMPLETE"}));
  EXPECT_TRUE(h.handshaker().isHandshakeComplete());
  EXPECT_EQ(ch->pipeline().names(),
            (std::vector<std::string>{"wsencoder", "wsdecoder", "WebSocketClientProtocolHandler#0",
                                      "ClientRecorder#0"}));
  feed(*ch, serverFrame(0x81, "hello"));
  ch->writeAndFlush(TextWebSocketFrame("back"));
  EXPECT_EQ(events, (Events{"ISSUED", "COMPLETE", "TEXT hello"}));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"TEXT back"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, AddedToAnActiveChannelHandshakesOnceTheHandlersAreIn) {
  Events events;
  EmbeddedChannel ch(std::make_unique<http::HttpClientCodec>(),
                     std::make_unique<http::HttpObjectAggregator>(8192));
  ch.pipeline().addLast(std::make_unique<Handler>(wsConfig()));
  ch.pipeline().addLast(std::make_unique<ClientRecorder>(&events));
  EXPECT_EQ(drainBytes(ch), "");
  ch.runPendingTasks();
  EXPECT_EQ(events, (Events{"ISSUED"}));
  const std::string key = takeKey(ch);
  EXPECT_FALSE(key.empty());
  feed(ch, response101(key));
  EXPECT_EQ(events, (Events{"ISSUED", "COMPLETE"}));
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, FramesRightAfterThe101FollowTheCompleteEvent) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  feed(*ch, response101(takeKey(*ch)) + serverFrame(0x81, "first") + serverFrame(0x82, "bin") +
                serverFrame(0x89, "p"));
  EXPECT_EQ(events, (Events{"ISSUED", "COMPLETE", "TEXT first", "BINARY bin"}));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"PONG p"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, RefusalFailsTheFutureAndCloses) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  drainBytes(*ch);
  feed(*ch, "HTTP/1.1 403 Forbidden\r\ncontent-length: 3\r\n\r\nno!");
  ChannelFuture done = h.handshakeFuture();
  ASSERT_TRUE(done.isDone());
  EXPECT_EQ(done.cause().code(), make_error_code(WebSocketHandshakeErrc::UnexpectedStatus));
  EXPECT_EQ(events,
            (Events{"ISSUED",
                    "EXCEPTION the server answered the upgrade with 403 Forbidden instead of 101 "
                    "Switching Protocols",
                    "INACTIVE"}));
  EXPECT_FALSE(ch->isOpen());
  EXPECT_FALSE(h.closedByApplication());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, BadAcceptKeyIsRefusedAndTheFramesAfterItDropped) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  drainBytes(*ch);
  feed(*ch, std::string(response101("dGhlIHNhbXBsZSBub25jZQ==")) + serverFrame(0x81, "x"));
  EXPECT_EQ(h.handshakeFuture().cause().code(),
            make_error_code(WebSocketHandshakeErrc::InvalidAccept));
  EXPECT_EQ(events.size(), 3U);
  EXPECT_EQ(events.back(), "INACTIVE");
  EXPECT_TRUE(ch->inboundMessages().empty());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, InterimResponsesAreSkipped) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  const std::string key = takeKey(*ch);
  feed(*ch, "HTTP/1.1 100 Continue\r\n\r\n" + response101(key));
  EXPECT_TRUE(h.handshakeFuture().isSuccess());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, HandshakeTimeoutFiresTheEventAndCloses) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.handshakeTimeout = seconds(5);
  auto ch = clientChannel(config, &events);
  Handler& h = handlerOf(*ch);
  ch->advanceTimeBy(milliseconds(4999));
  ch->runPendingTasks();
  EXPECT_TRUE(ch->isOpen());
  ch->advanceTimeBy(milliseconds(1));
  ch->runPendingTasks();
  EXPECT_EQ(events, (Events{"ISSUED", "TIMEOUT", "INACTIVE"}));
  EXPECT_FALSE(ch->isOpen());
  const Error cause = h.handshakeFuture().cause();
  EXPECT_EQ(cause.code(), make_error_code(WebSocketHandshakeErrc::HandshakeTimeout));
  EXPECT_EQ(cause.code(), std::errc::timed_out);
  EXPECT_EQ(cause.message(), "the WebSocket handshake timed out after 5000 ms");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, ConnectionClosingFirstFailsTheFuture) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  drainBytes(*ch);
  ch->pipeline().fireChannelInactive();
  EXPECT_EQ(h.handshakeFuture().cause(), CoreErrc::ClosedChannel);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, FramesBeforeTheHandshakeCompletesAreRefused) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  const std::string key = takeKey(*ch);
  ChannelFuture early = ch->writeAndFlush(TextWebSocketFrame("too soon"));
  ASSERT_TRUE(early.isDone());
  EXPECT_EQ(early.cause(), CoreErrc::IllegalState);
  EXPECT_EQ(drainBytes(*ch), "");
  feed(*ch, response101(key));
  EXPECT_TRUE(ch->writeAndFlush(TextWebSocketFrame("now")).isSuccess());
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"TEXT now"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, AnswersPingsAndDropsPongs) {
  Events events;
  auto ch = connected(events);
  feed(*ch, serverFrame(0x89, "are you there") + serverFrame(0x8A, "unsolicited"));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"PONG are you there"}));
  EXPECT_EQ(events, Events{});
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, PongsReachTheApplicationWhenNotDropped) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.dropPongFrames = false;
  auto ch = connected(events, config);
  feed(*ch, serverFrame(0x8A, "p"));
  EXPECT_EQ(events, (Events{"PONG p"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, ServerCloseIsEchoedThenTheClientWaitsForTcpClose) {
  Events events;
  auto ch = connected(events);
  Handler& h = handlerOf(*ch);
  feed(*ch, serverFrame(0x88, closeBody(1001, "going away")));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"CLOSE 1001 "}));
  // RFC 6455 7.1.1: the server closes TCP first.
  EXPECT_TRUE(ch->isOpen());
  EXPECT_EQ(h.receivedCloseStatus()->code(), 1001);
  EXPECT_EQ(h.receivedCloseStatus()->reasonText(), "going away");
  EXPECT_FALSE(h.closedByApplication());
  EXPECT_FALSE(ch->writeAndFlush(TextWebSocketFrame("late")).isSuccess());
  ch->pipeline().fireChannelInactive();  // the server closed
  EXPECT_EQ(events, (Events{"INACTIVE"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, ForceClosesWhenTheServerDoesNotCloseTcp) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.forceCloseTimeout = seconds(3);
  auto ch = connected(events, config);
  Handler& h = handlerOf(*ch);
  feed(*ch, serverFrame(0x88, ""));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"CLOSE"})) << "no code answered with none";
  EXPECT_EQ(h.receivedCloseStatus(), WebSocketCloseStatus::kEmpty);
  ch->advanceTimeBy(milliseconds(2999));
  ch->runPendingTasks();
  EXPECT_TRUE(ch->isOpen());
  ch->advanceTimeBy(milliseconds(1));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_FALSE(h.closedByApplication());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, ClientCloseSendsAFrameAndWaitsForTheServer) {
  Events events;
  auto ch = connected(events);
  Handler& h = handlerOf(*ch);
  // [docs:client-close]
  ChannelFuture closed = ch->close();  // sends a close frame (sendCloseFrame: 1000) first
  // [docs:end]
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"CLOSE 1000 Bye"}));
  EXPECT_FALSE(closed.isDone());
  EXPECT_TRUE(h.closedByApplication());
  EXPECT_EQ(ch->writeAndFlush(TextWebSocketFrame("late")).cause(), CoreErrc::ClosedChannel);
  feed(*ch, serverFrame(0x88, closeBody(1000)));
  EXPECT_EQ(drainBytes(*ch), "") << "answered the answer";
  EXPECT_FALSE(closed.isDone()) << "the server closes TCP first";
  ch->pipeline().fireChannelInactive();
  EXPECT_TRUE(closed.isSuccess());
  EXPECT_EQ(h.receivedCloseStatus()->code(), 1000);
  EXPECT_TRUE(h.closedByApplication());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, WrittenCloseFrameGivesUpAfterForceCloseTimeout) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.forceCloseTimeout = seconds(2);
  auto ch = connected(events, config);
  Handler& h = handlerOf(*ch);
  ch->writeAndFlush(CloseWebSocketFrame(4000, "done"));
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"CLOSE 4000 done"}));
  EXPECT_TRUE(h.closedByApplication());
  ch->advanceTimeBy(seconds(2));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, CloseWithoutCloseFrameWhenNotConfigured) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.sendCloseFrame = std::nullopt;
  auto ch = connected(events, config);
  Handler& h = handlerOf(*ch);
  EXPECT_TRUE(ch->close().isSuccess());
  EXPECT_EQ(drainBytes(*ch), "");
  EXPECT_TRUE(h.closedByApplication());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, CloseFramesReachTheApplicationWhenNotHandled) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.handleCloseFrames = false;
  auto ch = connected(events, config);
  Handler& h = handlerOf(*ch);
  feed(*ch, serverFrame(0x88, closeBody(1000, "bye")));
  EXPECT_EQ(events, (Events{"CLOSE 1000 bye"}));
  EXPECT_EQ(drainBytes(*ch), "");
  EXPECT_EQ(h.receivedCloseStatus()->code(), 1000);
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, MaskedServerFrameIsAnswered1002WithoutAnError) {
  Events events;
  auto ch = connected(events);
  // RFC 6455 5.1: a client MUST close the connection on a masked frame.
  feed(*ch, wireFrame(0x81, "masked", true));
  const Events sent = clientFrames(drainBytes(*ch));
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_TRUE(sent[0].starts_with("CLOSE 1002")) << sent[0];
  EXPECT_FALSE(ch->isOpen());
  EXPECT_NO_THROW(ch->checkException());
  EXPECT_EQ(events, (Events{"INACTIVE"}));
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, PingCompletesTrueOnPongFalseOnTimeoutOrClose) {
  Events events;
  auto ch = connected(events);
  Handler& h = handlerOf(*ch);
  // [docs:client-ping]
  Future<bool> alive = h.ping(seconds(5));  // from any thread
  // [docs:end]
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"PING "}));
  EXPECT_FALSE(alive.isDone());
  feed(*ch, serverFrame(0x8A, ""));
  ASSERT_TRUE(alive.isDone());
  EXPECT_TRUE(alive.getNow());

  Future<bool> silent = h.ping(seconds(5));
  ch->advanceTimeBy(seconds(5));
  ch->runPendingTasks();
  ASSERT_TRUE(silent.isDone());
  EXPECT_FALSE(silent.getNow());

  Future<bool> closing = h.ping(seconds(5));
  ch->pipeline().fireChannelInactive();
  ASSERT_TRUE(closing.isDone());
  EXPECT_FALSE(closing.getNow());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, PingBeforeTheHandshakeOrAfterCloseIsFalse) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  Future<bool> early = h.ping(seconds(1));
  ASSERT_TRUE(early.isDone());
  EXPECT_FALSE(early.getNow());
  feed(*ch, response101(takeKey(*ch)));
  ch->writeAndFlush(CloseWebSocketFrame(1000, ""));
  drainBytes(*ch);
  Future<bool> late = h.ping(seconds(1));
  ASSERT_TRUE(late.isDone());
  EXPECT_FALSE(late.getNow());
  EXPECT_EQ(drainBytes(*ch), "");
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, HealthCheckPingsThroughTheHandler) {
  Events events;
  auto ch = connected(events);
  // [docs:ping-health-check]
  auto healthCheck = webSocketPingHealthCheck(std::chrono::seconds(2));
  Future<bool> healthy = healthCheck(*ch);
  // [docs:end]
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"PING "}));
  feed(*ch, serverFrame(0x8A, ""));
  ASSERT_TRUE(healthy.isDone());
  EXPECT_TRUE(healthy.getNow());
  ch->finishAndReleaseAll();

  EmbeddedChannel plain;
  Future<bool> none = healthCheck(plain);
  ASSERT_TRUE(none.isDone());
  EXPECT_FALSE(none.getNow());
  plain.finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest, KeepAlivePingsAndClosesWithoutAPong) {
  Events events;
  WebSocketClientProtocolConfig config = wsConfig();
  config.pingInterval = seconds(30);
  config.pongTimeout = seconds(5);
  auto ch = connected(events, config);
  Handler& h = handlerOf(*ch);
  ch->advanceTimeBy(seconds(30));
  ch->runPendingTasks();
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"PING "}));
  feed(*ch, serverFrame(0x8A, ""));
  ch->advanceTimeBy(seconds(29));
  ch->runPendingTasks();
  EXPECT_EQ(drainBytes(*ch), "");
  ch->advanceTimeBy(seconds(1));
  ch->runPendingTasks();
  EXPECT_EQ(clientFrames(drainBytes(*ch)), (Events{"PING "}));
  ch->advanceTimeBy(seconds(5));
  ch->runPendingTasks();
  EXPECT_FALSE(ch->isOpen());
  EXPECT_EQ(drainBytes(*ch), "") << "no close frame to a dead server";
  EXPECT_FALSE(h.closedByApplication());
  ch->finishAndReleaseAll();
}

TEST_F(WebSocketClientProtocolHandlerTest,
       ApplicationCloseDuringTheHandshakeCountsAsTheApplications) {
  Events events;
  auto ch = clientChannel(wsConfig(), &events);
  Handler& h = handlerOf(*ch);
  drainBytes(*ch);
  ch->close();
  EXPECT_TRUE(h.closedByApplication());
  EXPECT_EQ(h.handshakeFuture().cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(drainBytes(*ch), "");
  ch->finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::websocket
