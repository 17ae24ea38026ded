#pragma once

// A server pipeline on an EmbeddedChannel, as users write it, with a text-echo frame handler
// that records the events it sees; and helpers that speak raw HTTP and frames to it.

#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice::websocket::testing {

using Events = std::vector<std::string>;

/// The RFC 6455 1.3 example request.
inline constexpr std::string_view kRfcRequest =
    "GET /ws HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

/// The 101 answering kRfcRequest, byte for byte.
inline constexpr std::string_view kRfcResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "upgrade: websocket\r\n"
    "connection: upgrade\r\n"
    "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "\r\n";

/// An upgrade request for `path` with `extraHeaders` ("Name: value\r\n" lines).
inline std::string upgradeRequest(std::string_view path = "/ws",
                                  std::string_view extraHeaders = {}) {
  return fmt::format(
      "GET {} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{}\r\n",
      path, extraHeaders);
}

/// Echoes text frames, records binary frames, events and what reaches it besides.
class EchoTextHandler : public SimpleChannelInboundHandler<TextWebSocketFrame> {
 public:
  explicit EchoTextHandler(Events* events) : events_(events) {}

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (!msg.is<TextWebSocketFrame>()) {
      if (const auto* req = msg.getIf<http::FullHttpRequest>()) {
        events_->push_back("HTTP " + req->uri());
      } else if (const auto* f = msg.getIf<WebSocketFrame>()) {
        events_->push_back(
            fmt::format("FRAME {} {}", static_cast<int>(f->opcode()), f->content().toStringView()));
      } else {
        events_->push_back("OTHER");
      }
      return;
    }
    SimpleChannelInboundHandler<TextWebSocketFrame>::channelRead(ctx, std::move(msg));
  }

  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    (void)ctx;
    using H = WebSocketServerProtocolHandler;
    if (const auto* done = event.getIf<H::HandshakeComplete>()) {
      events_->push_back(fmt::format("COMPLETE {} {}", done->requestUri(),
                                     done->selectedSubprotocol().value_or("-")));
    } else if (const auto* drain = event.getIf<DrainEvent>()) {
      events_->push_back(drain->handled ? "DRAIN handled" : "DRAIN");
    } else if (const auto* state = event.getIf<H::ServerHandshakeStateEvent>()) {
      events_->push_back(*state == H::ServerHandshakeStateEvent::HandshakeTimeout ? "TIMEOUT"
                                                                                  : "STATE");
    }
  }

  void channelInactive(ChannelHandlerContext& ctx) override {
    events_->push_back("INACTIVE");
    ctx.fireChannelInactive();
  }

 protected:
  void channelRead0(ChannelHandlerContext& ctx, TextWebSocketFrame& frame) override {
    events_->push_back("TEXT " + std::string(frame.text()));
    ctx.writeAndFlush(TextWebSocketFrame(frame.text()));
  }

 private:
  Events* events_;
};

/// HttpServerCodec, HttpObjectAggregator(65536), the protocol handler, the echo handler.
inline std::unique_ptr<EmbeddedChannel> serverChannel(WebSocketServerProtocolConfig config,
                                                      Events* events) {
  return std::make_unique<EmbeddedChannel>(
      std::make_unique<http::HttpServerCodec>(),
      std::make_unique<http::HttpObjectAggregator>(65536),
      std::make_unique<WebSocketServerProtocolHandler>(std::move(config)),
      std::make_unique<EchoTextHandler>(events));
}

/// Every byte written out so far, as one string.
inline std::string drainOutbound(EmbeddedChannel& ch) {
  std::string out;
  while (Message m = ch.readOutbound()) {
    if (const auto* buf = m.getIf<ByteBuf>()) {
      out += buf->toStringView();
    } else {
      out += "<non-bytes>";
    }
  }
  return out;
}

inline void writeBytes(EmbeddedChannel& ch, std::string_view bytes) {
  ch.writeInbound(Unpooled::copiedBuffer(bytes));
}

}  // namespace sluice::websocket::testing
