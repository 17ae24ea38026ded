// Our client pipeline and our server pipeline, each on an EmbeddedChannel, talking to each
// other: every byte one writes is fed to the other until both are quiet, and a channel that
// closes is seen closing by the other, as TCP would make it.

#include <gtest/gtest.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketFrameAggregator.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <string>

#include "WebSocketClientTestUtil.h"
#include "WebSocketServerTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketClientServerTest = sluice::testing::SluiceTest;

constexpr std::string_view kBytes("\x00\x01\xff", 3);
constexpr std::size_t kLarge = 100 * 1024;  // over 64 KiB: the 8-byte length form

struct Pair {
  Events clientEvents;
  Events serverEvents;
  std::unique_ptr<EmbeddedChannel> client;
  std::unique_ptr<EmbeddedChannel> server;
  WebSocketClientProtocolHandler* clientHandler = nullptr;

  // Moves bytes both ways until neither side writes more; then a side that closed is seen
  // closing by the other.
  void pump() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = move(*client, *server);
      moved = move(*server, *client) || moved;
      if (!moved) {
        if (!server->isOpen() && client->isOpen()) {
          client->close();
          continue;
        }
        if (!client->isOpen() && server->isOpen()) {
          server->close();
          continue;
        }
        return;
      }
    }
    ADD_FAILURE() << "the two sides never went quiet";
  }

  ~Pair() {
    client->finishAndReleaseAll();
    server->finishAndReleaseAll();
  }

 private:
  static bool move(EmbeddedChannel& from, EmbeddedChannel& to) {
    bool moved = false;
    while (Message m = from.readOutbound()) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(m.take<ByteBuf>());
      }
    }
    return moved;
  }
};

WebSocketDecoderConfig largeFrames(bool server) {
  return {
      .maxFramePayloadLength = 1 << 20, .maxMessageLength = 1 << 21, .expectMaskedFrames = server};
}

std::unique_ptr<Pair> connect(WebSocketClientProtocolConfig clientConfig,
                              WebSocketServerProtocolConfig serverConfig,
                              bool frameAggregator = false) {
  auto pair = std::make_unique<Pair>();
  auto serverHandler = std::make_unique<WebSocketServerProtocolHandler>(std::move(serverConfig));
  if (frameAggregator) {
    pair->server = std::make_unique<EmbeddedChannel>(
        std::make_unique<http::HttpServerCodec>(),
        std::make_unique<http::HttpObjectAggregator>(65536), std::move(serverHandler),
        std::make_unique<WebSocketFrameAggregator>(1 << 21),
        std::make_unique<EchoTextHandler>(&pair->serverEvents));
  } else {
    pair->server = std::make_unique<EmbeddedChannel>(
        std::make_unique<http::HttpServerCodec>(),
        std::make_unique<http::HttpObjectAggregator>(65536), std::move(serverHandler),
        std::make_unique<EchoTextHandler>(&pair->serverEvents));
  }
  pair->client = clientChannel(std::move(clientConfig), &pair->clientEvents);
  pair->clientHandler = pair->client->pipeline().get<WebSocketClientProtocolHandler>();
  pair->pump();
  return pair;
}

std::unique_ptr<Pair> connect() {
  return connect({.webSocketUri = "ws://server.example/ws"}, {.websocketPath = "/ws"});
}

TEST_F(WebSocketClientServerTest, HandshakeWithSubprotocolAndExtension) {
  // [docs:client-pipeline]
  WebSocketClientProtocolConfig config{
      .webSocketUri = "ws://server.example/ws",
      .subprotocols = {"chat.v2", "chat.v1"},
      .extensionHandshakers = {std::make_shared<FakeClientExtensionHandshaker>()},
  };
  // p.addLast<HttpClientCodec>(); p.addLast<HttpObjectAggregator>(8192);
  // p.addLast<WebSocketClientProtocolHandler>(config); p.addLast<MyFrameHandler>();
  // [docs:end]
  auto pair = connect(
      config, {.websocketPath = "/ws",
               .subprotocols = {"chat.v1"},
               .extensionHandshakers = {std::make_shared<FakeServerExtensionHandshaker>()}});
  ASSERT_TRUE(pair->clientHandler->handshakeFuture().isSuccess());
  const WebSocketClientHandshaker& hs = pair->clientHandler->handshaker();
  EXPECT_EQ(hs.actualSubprotocol(), "chat.v1");
  EXPECT_EQ(hs.acceptedExtensions(), (std::vector<WebSocketExtensionData>{{"x-reverse", {}}}));
  EXPECT_EQ(pair->clientEvents, (Events{"ISSUED", "COMPLETE"}));
  EXPECT_EQ(pair->serverEvents, (Events{"STATE", "COMPLETE /ws chat.v1"}));
  EXPECT_NE(pair->client->pipeline().get<ReverseCodec>(), nullptr);
  EXPECT_NE(pair->server->pipeline().get<ReverseCodec>(), nullptr);

  // The extension transforms the payload and marks it with RSV1 on the wire.
  pair->client->writeAndFlush(BinaryWebSocketFrame(Unpooled::copiedBuffer("abc")));
  auto wire = pair->client->readOutbound<ByteBuf>();
  ASSERT_TRUE(wire);
  EXPECT_EQ(wire->getByte(0) & 0xFF, 0xC2);  // FIN, RSV1, binary
  pair->server->writeInbound(std::move(*wire));
  pair->client->writeAndFlush(TextWebSocketFrame("hello"));
  pair->pump();
  EXPECT_EQ(pair->serverEvents,
            (Events{"STATE", "COMPLETE /ws chat.v1", "FRAME 2 abc", "TEXT hello"}));
  EXPECT_EQ(pair->clientEvents, (Events{"ISSUED", "COMPLETE", "TEXT hello"}));
}

TEST_F(WebSocketClientServerTest, TextBinaryEmptyAndLargeFrames) {
  auto pair =
      connect({.webSocketUri = "ws://server.example/ws", .decoderConfig = largeFrames(false)},
              {.websocketPath = "/ws", .decoderConfig = largeFrames(true)});
  pair->clientEvents.clear();
  pair->serverEvents.clear();
  const std::string large(kLarge, 'x');
  pair->client->writeAndFlush(TextWebSocketFrame(""));
  pair->client->writeAndFlush(BinaryWebSocketFrame(Unpooled::copiedBuffer(kBytes)));
  pair->client->writeAndFlush(BinaryWebSocketFrame(ByteBuf()));
  pair->client->writeAndFlush(TextWebSocketFrame(large));
  pair->pump();
  EXPECT_EQ(pair->serverEvents,
            (Events{"TEXT ", "FRAME 2 " + std::string(kBytes), "FRAME 2 ", "TEXT " + large}));
  EXPECT_EQ(pair->clientEvents, (Events{"TEXT ", "TEXT <102400 bytes>"}));
}

TEST_F(WebSocketClientServerTest, FragmentedMessagesWithAndWithoutTheServersAggregator) {
  for (bool aggregate : {false, true}) {
    auto pair =
        connect({.webSocketUri = "ws://server.example/ws"}, {.websocketPath = "/ws"}, aggregate);
    pair->serverEvents.clear();
    pair->client->writeAndFlush(TextWebSocketFrame(false, 0, "frag"));
    pair->client->writeAndFlush(PingWebSocketFrame());  // control frames may interleave
    pair->client->writeAndFlush(ContinuationWebSocketFrame(false, 0, "men"));
    pair->client->writeAndFlush(ContinuationWebSocketFrame(true, 0, "ted"));
    pair->pump();
    if (aggregate) {
      EXPECT_EQ(pair->serverEvents, (Events{"TEXT fragmented"}));
    } else {
      EXPECT_EQ(pair->serverEvents, (Events{"TEXT frag", "FRAME 0 men", "FRAME 0 ted"}));
    }
  }
}

TEST_F(WebSocketClientServerTest, PingsBothWays) {
  auto pair = connect();
  Future<bool> answered = pair->clientHandler->ping(std::chrono::seconds(1));
  pair->pump();
  ASSERT_TRUE(answered.isDone());
  EXPECT_TRUE(answered.getNow());
  pair->server->writeAndFlush(PingWebSocketFrame(Unpooled::copiedBuffer("srv")));
  pair->pump();
  EXPECT_EQ(pair->clientEvents, (Events{"ISSUED", "COMPLETE"})) << "pings are answered, not passed";
  EXPECT_TRUE(pair->client->isOpen());
}

TEST_F(WebSocketClientServerTest, ClientCloses1000AndTheServerClosesTcpFirst) {
  auto pair = connect();
  ChannelFuture closed = pair->client->close();
  pair->pump();
  EXPECT_TRUE(closed.isSuccess());
  EXPECT_FALSE(pair->server->isOpen());
  EXPECT_FALSE(pair->client->isOpen());
  EXPECT_EQ(pair->clientHandler->receivedCloseStatus()->code(), 1000);
  EXPECT_TRUE(pair->clientHandler->closedByApplication());
  EXPECT_EQ(pair->serverEvents.back(), "INACTIVE");
}

TEST_F(WebSocketClientServerTest, ServerCloses1001AndTheClientEchoesIt) {
  auto pair = connect();
  pair->server->writeAndFlush(CloseWebSocketFrame(WebSocketCloseStatus::kEndpointUnavailable));
  pair->pump();
  EXPECT_FALSE(pair->client->isOpen());
  EXPECT_EQ(pair->clientHandler->receivedCloseStatus(), WebSocketCloseStatus::kEndpointUnavailable);
  EXPECT_EQ(pair->clientHandler->receivedCloseStatus()->reasonText(), "Endpoint unavailable");
  EXPECT_FALSE(pair->clientHandler->closedByApplication());
  EXPECT_EQ(pair->clientEvents.back(), "INACTIVE");
}

TEST_F(WebSocketClientServerTest, CloseCodesWithReasonsAndWithout) {
  auto pair = connect();
  pair->client->writeAndFlush(CloseWebSocketFrame(4000, "custom reason"));
  pair->pump();
  EXPECT_EQ(pair->clientHandler->receivedCloseStatus()->code(), 4000);
  EXPECT_FALSE(pair->client->isOpen());

  pair = connect();
  pair->client->writeAndFlush(CloseWebSocketFrame());
  pair->pump();
  EXPECT_EQ(pair->clientHandler->receivedCloseStatus(), WebSocketCloseStatus::kEmpty);
  EXPECT_FALSE(pair->client->isOpen());
}

TEST_F(WebSocketClientServerTest, ServerRejectsUnmaskedClientFramesWith1002) {
  auto pair =
      connect({.webSocketUri = "ws://server.example/ws", .encoderConfig = {.maskPayload = false}},
              {.websocketPath = "/ws"});
  pair->client->writeAndFlush(TextWebSocketFrame("naked"));
  pair->pump();
  EXPECT_EQ(pair->clientHandler->receivedCloseStatus()->code(), 1002);
  EXPECT_FALSE(pair->client->isOpen());
  EXPECT_EQ(pair->serverEvents, (Events{"STATE", "COMPLETE /ws -", "INACTIVE"}));
}

TEST_F(WebSocketClientServerTest, ClientRejectsMaskedServerFramesWith1002) {
  auto pair = connect();
  pair->server->pipeline().replace("wsencoder", "wsencoder",
                                   std::make_unique<WebSocket13FrameEncoder>(true));
  pair->server->writeAndFlush(TextWebSocketFrame("masked"));
  auto wire = pair->server->readOutbound<ByteBuf>();
  ASSERT_TRUE(wire);
  pair->client->writeInbound(std::move(*wire));
  const Events sent = clientFrames(drainBytes(*pair->client));
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_TRUE(sent[0].starts_with("CLOSE 1002")) << sent[0];
  EXPECT_FALSE(pair->client->isOpen());
  EXPECT_EQ(pair->clientEvents, (Events{"ISSUED", "COMPLETE", "INACTIVE"}));
}

}  // namespace
}  // namespace sluice::websocket
