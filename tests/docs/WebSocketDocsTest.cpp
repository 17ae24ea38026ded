// The code shown in docs/websocket.md that is not an example's: the protocol handler's
// settings and unit tests of frame handlers on an EmbeddedChannel. Each region between
// "// [docs:NAME]" and "// [docs:end]" appears verbatim in the page (docs.snippets test).

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/concurrent/Future.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <chrono>
#include <optional>
#include <string>

#include "WebSocketEchoHandler.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using WebSocketDocsTest = testing::SluiceTest;

// Stands in for an application's token check.
Future<WebSocketAuthorization> checkToken(const http::FullHttpRequest& request) {
  return makeSucceededFuture(
      request.uri().find("token=") != std::string::npos
          ? WebSocketAuthorization::accept()
          : WebSocketAuthorization::refuse(http::HttpResponseStatus::kUnauthorized));
}

TEST_F(WebSocketDocsTest, ProtocolHandlerSettings) {
  EmbeddedChannel ch;
  auto& p = ch.pipeline();
  p.addLast<http::HttpServerCodec>();
  p.addLast<http::HttpObjectAggregator>(65536);
  // [docs:ws-config]
  p.addLast<sluice::websocket::WebSocketServerProtocolHandler>(
      sluice::websocket::WebSocketServerProtocolConfig{
          .websocketPath = "/ws",
          .subprotocols = {"chat.v2", "chat.v1"},  // the client's first match is selected
          .checkStartsWith = true,                 // also /ws/room/7 (the query is ignored)
          .decoderConfig = {.maxFramePayloadLength = 16384},
          .allowedOrigins = {"https://chat.example"},  // others get 403
          .authorizer =
              [](sluice::Channel&, const sluice::http::FullHttpRequest& req) {
                return checkToken(req);  // a Future<WebSocketAuthorization>, completed later
              },
          .pingInterval = std::chrono::seconds(30),  // 0: no keep-alive pings
          .pongTimeout = std::chrono::seconds(10),
      });
  // [docs:end]
  ch.writeInbound(Unpooled::copiedBuffer(
      "GET /ws/room/7?token=x HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\nOrigin: https://chat.example\r\n"
      "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n\r\n"));
  std::string wire;
  while (std::optional<ByteBuf> b = ch.readOutbound<ByteBuf>()) {
    wire += b->toStringView();
  }
  EXPECT_EQ(wire.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0U) << wire;
  EXPECT_NE(wire.find("sec-websocket-protocol: chat.v1\r\n"), std::string::npos) << wire;
  ch.close();
}

TEST_F(WebSocketDocsTest, FrameHandlerUnitTest) {
  // [docs:ws-handler-test]
  // A frame handler alone: frames in, frames out, no handshake and no bytes.
  EmbeddedChannel ch(std::make_unique<WebSocketEchoHandler>());
  ch.writeInbound(TextWebSocketFrame("hello"));
  ch.writeInbound(BinaryWebSocketFrame(Unpooled::copiedBuffer("\x01\x02")));

  std::optional<TextWebSocketFrame> text = ch.readOutbound<TextWebSocketFrame>();
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->text(), "hello");
  std::optional<BinaryWebSocketFrame> binary = ch.readOutbound<BinaryWebSocketFrame>();
  ASSERT_TRUE(binary.has_value());
  EXPECT_EQ(binary->content().readableBytes(), 2U);
  // [docs:end]
}

}  // namespace
}  // namespace sluice::websocket
