// The code shown in docs/websocket.md that is not an example's: the protocol handler's
// settings, unit tests of frame handlers on an EmbeddedChannel, and permessage-deflate (the
// compression handlers, their settings, the opt-out and a compress-once broadcast). Each
// region between "// [docs:NAME]" and "// [docs:end]" appears verbatim in the page
// (docs.snippets test).

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/concurrent/Future.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/UncompressedWebSocketFrame.h>
#include <sluice/websocket/WebSocketBroadcast.h>
#include <sluice/websocket/WebSocketClientCompressionHandler.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

// Everything `ch` wrote, as one string of wire bytes.
std::string drain(EmbeddedChannel& ch) {
  std::string wire;
  while (std::optional<ByteBuf> b = ch.readOutbound<ByteBuf>()) {
    wire += b->toStringView();
  }
  return wire;
}

// Sends a client's upgrade request offering `offer` and returns the server's answer.
std::string upgrade(EmbeddedChannel& ch, std::string_view offer) {
  ch.writeInbound(Unpooled::copiedBuffer(
      "GET /ws HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: " +
      std::string(offer) + "\r\n\r\n"));
  return drain(ch);
}

// A masked text frame (key 0, so the payload reads as is) without RSV bits: what a client
// sends uncompressed.
ByteBuf clientText(std::string_view text) {
  std::string frame = {'\x81', static_cast<char>(0x80 | text.size()), 0, 0, 0, 0};
  return Unpooled::copiedBuffer(frame + std::string(text));
}

TEST_F(WebSocketDocsTest, ServerCompressionPipeline) {
  EmbeddedChannel ch;
  auto& p = ch.pipeline();
  // [docs:ws-compression-server]
  p.addLast<sluice::http::HttpServerCodec>();
  p.addLast<sluice::http::HttpObjectAggregator>(65536);
  p.addLast<sluice::websocket::WebSocketServerCompressionHandler>();  // Netty's defaults
  p.addLast<sluice::websocket::WebSocketServerProtocolHandler>("/ws");
  p.addLast<WebSocketEchoHandler>();  // reads and writes plain frames
  // [docs:end]
  const std::string answer = upgrade(ch, "permessage-deflate; client_max_window_bits");
  EXPECT_EQ(answer.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0U) << answer;
  EXPECT_NE(answer.find("sec-websocket-extensions: permessage-deflate\r\n"), std::string::npos)
      << answer;
  EXPECT_EQ(p.get<WebSocketServerCompressionHandler>(), nullptr);  // it left after the upgrade
  EXPECT_NE(p.get<PerMessageDeflateDecoder>(), nullptr);
  EXPECT_NE(p.get<PerMessageDeflateEncoder>(), nullptr);

  // The client's uncompressed "hello" comes back compressed (RSV1), unmasked.
  ch.writeInbound(clientText("hello"));
  const std::string echo = drain(ch);
  ASSERT_GE(echo.size(), 2U);
  EXPECT_EQ(static_cast<std::uint8_t>(echo[0]), 0xC1);  // FIN, RSV1, text
  ch.close();
}

TEST_F(WebSocketDocsTest, ServerCompressionSettings) {
  EmbeddedChannel ch;
  auto& p = ch.pipeline();
  p.addLast<http::HttpServerCodec>();
  p.addLast<http::HttpObjectAggregator>(65536);
  // [docs:ws-compression-config]
  p.addLast<sluice::websocket::WebSocketServerCompressionHandler>(
      sluice::websocket::PerMessageDeflateServerConfig{
          .compressionLevel = 6,
          .memLevel = 5,                  // smaller hash tables
          .serverMaxWindowBits = 12,      // compress with 4 KiB windows
          .clientMaxWindowBits = 12,      // ask clients that offer client_max_window_bits
          .compressionThreshold = 64,     // shorter whole messages go out uncompressed
          .maxMessageLength = 256 << 10,  // inflated bytes per message; 1009 past it
      });
  // [docs:end]
  p.addLast<WebSocketServerProtocolHandler>("/ws");
  p.addLast<WebSocketEchoHandler>();
  const std::string answer = upgrade(ch, "permessage-deflate; client_max_window_bits");
  EXPECT_NE(answer.find("sec-websocket-extensions: permessage-deflate; server_max_window_bits=12; "
                        "client_max_window_bits=12\r\n"),
            std::string::npos)
      << answer;

  // Below the threshold: echoed without RSV1.
  ch.writeInbound(clientText("hi"));
  const std::string echo = drain(ch);
  ASSERT_GE(echo.size(), 2U);
  EXPECT_EQ(static_cast<std::uint8_t>(echo[0]), 0x81);
  ch.close();
}

TEST_F(WebSocketDocsTest, PerMessageOptOut) {
  EmbeddedChannel ch(std::make_unique<http::HttpServerCodec>(),
                     std::make_unique<http::HttpObjectAggregator>(65536),
                     std::make_unique<WebSocketServerCompressionHandler>(),
                     std::make_unique<WebSocketServerProtocolHandler>("/ws"));
  ASSERT_NE(upgrade(ch, "permessage-deflate").find("permessage-deflate"), std::string::npos);
  ByteBuf jpeg = Unpooled::copiedBuffer("\xff\xd8\xff\xe0 already compressed");
  // [docs:ws-uncompressed]
  // A JPEG is compressed already: send it as it is (RSV1 clear), on a compressed connection.
  ch.writeAndFlush(sluice::websocket::UncompressedWebSocketFrame(
      sluice::websocket::BinaryWebSocketFrame(std::move(jpeg))));
  // [docs:end]
  const std::string wire = drain(ch);
  ASSERT_GE(wire.size(), 2U);
  EXPECT_EQ(static_cast<std::uint8_t>(wire[0]), 0x82);  // FIN, binary, no RSV1
  EXPECT_NE(wire.find("already compressed"), std::string::npos);

  ch.writeAndFlush(TextWebSocketFrame("compressed as usual"));
  const std::string text = drain(ch);
  ASSERT_GE(text.size(), 2U);
  EXPECT_EQ(static_cast<std::uint8_t>(text[0]), 0xC1);
  ch.close();
}

// The classic client pipeline with permessage-deflate, as a ChannelInitializer so that it is
// in place when the channel becomes active (the request is written then).
class CompressingClientInitializer : public ChannelInitializer {
 protected:
  void initChannel(Channel& ch) override {
    auto& p = ch.pipeline();
    // [docs:ws-compression-client]
    p.addLast<sluice::http::HttpClientCodec>();
    p.addLast<sluice::http::HttpObjectAggregator>(8192);
    // Offers "permessage-deflate; client_max_window_bits".
    p.addLast<sluice::websocket::WebSocketClientCompressionHandler>();
    p.addLast<sluice::websocket::WebSocketClientProtocolHandler>(
        sluice::websocket::WebSocketClientProtocolConfig{.webSocketUri = "ws://chat.example/ws"});
    // [docs:end]
  }
};

// Moves what `from` wrote into `to`; returns the bytes.
std::string pump(EmbeddedChannel& from, EmbeddedChannel& to) {
  const std::string bytes = drain(from);
  if (!bytes.empty()) {
    to.writeInbound(Unpooled::copiedBuffer(bytes));
  }
  return bytes;
}

TEST_F(WebSocketDocsTest, ClientCompressionPipeline) {
  EmbeddedChannel server(std::make_unique<http::HttpServerCodec>(),
                         std::make_unique<http::HttpObjectAggregator>(65536),
                         std::make_unique<WebSocketServerCompressionHandler>(),
                         std::make_unique<WebSocketServerProtocolHandler>("/ws"),
                         std::make_unique<WebSocketEchoHandler>());
  EmbeddedChannel client(std::make_unique<CompressingClientInitializer>());
  const std::string request = pump(client, server);
  EXPECT_NE(request.find("permessage-deflate; client_max_window_bits\r\n"), std::string::npos)
      << request;
  pump(server, client);
  auto* ws = client.pipeline().get<WebSocketClientProtocolHandler>();
  ASSERT_NE(ws, nullptr);
  EXPECT_TRUE(ws->handshakeFuture().isSuccess());
  EXPECT_NE(client.pipeline().get<PerMessageDeflateEncoder>(), nullptr);

  client.writeAndFlush(TextWebSocketFrame("hello, compressed"));
  const std::string up = pump(client, server);
  ASSERT_GE(up.size(), 2U);
  EXPECT_EQ(static_cast<std::uint8_t>(up[0]), 0xC1);  // the client compressed it
  pump(server, client);
  std::optional<TextWebSocketFrame> echo = client.readInbound<TextWebSocketFrame>();
  ASSERT_TRUE(echo.has_value());
  EXPECT_EQ(echo->text(), "hello, compressed");
  EXPECT_EQ(echo->rsv(), 0);  // inflated on the way in
  client.close();
  server.close();
}

// A server connection of the chat's kind: no context takeover (sharedTier), upgraded.
std::shared_ptr<EmbeddedChannel> sharedTierMember() {
  auto ch =
      std::make_shared<EmbeddedChannel>(std::make_unique<http::HttpServerCodec>(),
                                        std::make_unique<http::HttpObjectAggregator>(65536),
                                        std::make_unique<WebSocketServerCompressionHandler>(
                                            PerMessageDeflateServerConfig::sharedTier()),
                                        std::make_unique<WebSocketServerProtocolHandler>("/ws"));
  upgrade(*ch, "permessage-deflate; client_max_window_bits");
  return ch;
}

TEST_F(WebSocketDocsTest, CompressOnceBroadcast) {
  std::shared_ptr<EmbeddedChannel> alice = sharedTierMember();
  std::shared_ptr<EmbeddedChannel> bob = sharedTierMember();
  std::string json = R"({"type":"message","from":"alice","text":")";
  json += std::string(2000, 'a') + "\"}";
  // [docs:ws-broadcast]
  sluice::ChannelGroup room;
  room.add(alice);  // server connections, each with the permessage-deflate it negotiated
  room.add(bob);
  sluice::websocket::WebSocketBroadcast::Stats stats;  // optional
  sluice::websocket::WebSocketBroadcast::writeAndFlushText(room, json, {.voidPromise = true},
                                                           &stats);
  // Both agreed on the same settings without context takeover: compressed once, one buffer.
  // stats.compressedEncodings == 1, stats.plainEncodings == 0
  // [docs:end]
  EXPECT_EQ(stats.compressedEncodings, 1U);
  EXPECT_EQ(stats.plainEncodings, 0U);
  // Each member got an EncodedMessage (a ByteBuf: the frame's bytes) over the same memory.
  Message a = alice->readOutbound();
  Message b = bob->readOutbound();
  ASSERT_TRUE(a.is<ByteBuf>() && b.is<ByteBuf>());
  const ByteBuf& aliceBytes = a.get<ByteBuf>();
  EXPECT_EQ(aliceBytes.memoryAddress(), b.get<ByteBuf>().memoryAddress());
  EXPECT_EQ(aliceBytes.getUnsignedByte(aliceBytes.readerIndex()), 0xC1);  // FIN, RSV1, text
  EXPECT_LT(aliceBytes.readableBytes(), json.size() / 4);
  a = Message();
  b = Message();
  alice->close();
  bob->close();
}

}  // namespace
}  // namespace sluice::websocket
