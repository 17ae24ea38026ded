#pragma once

// A permessage-deflate client's codec on an EmbeddedChannel, configured from a server's
// answer, and the helpers that move bytes between it and a server channel: round trips
// without sockets.

#include <fmt/format.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketServerExtensionHandshaker.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "WebSocketTestUtil.h"

namespace sluice::websocket::testing {

/// JSON-like text that compresses as chat or API traffic does.
inline std::string jsonText(std::size_t size, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s = "[";
  while (s.size() < size) {
    s += fmt::format(R"({{"id":{},"user":"user{}","text":"message number {}","ok":{}}},)",
                     rng() % 100000, rng() % 50, rng() % 1000, rng() % 2 ? "true" : "false");
  }
  s.resize(size);
  return s;
}

/// The value of `name` in `data` as a number, or `absent`.
inline int windowParameter(const WebSocketExtensionData& data, std::string_view name, int absent) {
  for (const auto& [p, v] : data.parameters) {
    if (p == name) {
      return v.empty() ? absent : std::stoi(v);
    }
  }
  return absent;
}

/// What a client does with the server's answer `agreed` (RFC 7692 7.1): compress with
/// client_max_window_bits (or `clientWindowHint`, the value it offered) and no context
/// takeover if client_no_context_takeover; inflate with the server's parameters.
inline std::unique_ptr<EmbeddedChannel> clientCodec(const WebSocketExtensionData& agreed,
                                                    std::unique_ptr<ChannelHandler> last,
                                                    int clientWindowHint = 15,
                                                    int compressionLevel = 6) {
  const int clientWindow =
      std::min(clientWindowHint, windowParameter(agreed, "client_max_window_bits", 15));
  PerMessageDeflateEncoderConfig enc{
      .deflater = {.compressionLevel = compressionLevel,
                   .windowBits = std::max(clientWindow, 9),
                   .noContextTakeover = agreed.hasParameter("client_no_context_takeover")}};
  PerMessageDeflateDecoderConfig dec{
      .inflater = {.windowBits = windowParameter(agreed, "server_max_window_bits", 15),
                   .noContextTakeover = agreed.hasParameter("server_no_context_takeover")}};
  return std::make_unique<EmbeddedChannel>(
      std::make_unique<WebSocket13FrameEncoder>(true),
      std::make_unique<WebSocket13FrameDecoder>(WebSocketDecoderConfig{
          .maxMessageLength = 4 << 20, .expectMaskedFrames = false, .allowExtensions = true}),
      std::make_unique<PerMessageDeflateDecoder>(dec),
      std::make_unique<PerMessageDeflateEncoder>(enc), std::move(last));
}

/// Joins received data frames into messages: "TEXT <payload>" or "BINARY <payload>", and
/// "RSV" if a frame still had RSV bits, "ERROR <message>" for exceptionCaught.
class MessageCollector : public ChannelInboundHandler {
 public:
  explicit MessageCollector(Events* messages) : messages_(messages) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    auto* f = msg.getIf<WebSocketFrame>();
    if (f == nullptr) {
      messages_->push_back("UNEXPECTED " + msg.typeName());
      return;
    }
    if (f->isControlFrame()) {
      messages_->push_back(renderFrame(*f));
      return;
    }
    if (f->rsv() != 0) {
      messages_->push_back("RSV");
    }
    if (f->opcode() != WebSocketOpcode::Continuation) {
      current_ = f->opcode() == WebSocketOpcode::Text ? "TEXT " : "BINARY ";
    }
    current_ += f->content().toStringView();
    if (f->isFinalFragment()) {
      messages_->push_back(std::move(current_));
      current_.clear();
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    messages_->push_back("ERROR " + error.message());
  }

 private:
  Events* messages_;
  std::string current_;
};

/// Moves every outbound buffer of `from` into `to` as inbound bytes; returns the bytes moved.
inline std::string pump(EmbeddedChannel& from, EmbeddedChannel& to) {
  std::string wire;
  while (Message m = from.readOutbound()) {
    if (auto* buf = m.getIf<ByteBuf>()) {
      wire += buf->toStringView();
    }
  }
  if (!wire.empty()) {
    to.writeInbound(Unpooled::copiedBuffer(wire));
  }
  return wire;
}

/// Echoes every data frame as it came (type, FIN), with a copy of its payload.
class FrameEchoHandler : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    auto* f = msg.getIf<WebSocketFrame>();
    if (f == nullptr || f->isControlFrame()) {
      return;
    }
    const bool fin = f->isFinalFragment();
    const std::string_view p = f->content().toStringView();
    switch (f->opcode()) {
      case WebSocketOpcode::Text:
        ctx.writeAndFlush(TextWebSocketFrame(fin, 0, p));
        break;
      case WebSocketOpcode::Binary:
        ctx.writeAndFlush(BinaryWebSocketFrame(fin, 0, Unpooled::copiedBuffer(p)));
        break;
      default:
        ctx.writeAndFlush(ContinuationWebSocketFrame(fin, 0, p));
        break;
    }
  }
};

}  // namespace sluice::websocket::testing
