#pragma once

// A client pipeline on an EmbeddedChannel, as users write it, with a handler that records
// what the application sees; helpers that play the server with raw bytes; and a small fake
// extension (it reverses the payload of the data frames it marks with RSV1) for both sides.

#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/websocket/WebSocketClientExtensionHandshaker.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketServerExtensionHandshaker.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "WebSocketTestUtil.h"

namespace sluice::websocket::testing {

/// The value of header `name` (lower-case, as the encoder writes it) in a request's bytes.
inline std::string headerOf(std::string_view request, std::string_view name) {
  const std::string prefix = "\r\n" + std::string(name) + ": ";
  const std::size_t at = request.find(prefix);
  if (at == std::string_view::npos) {
    return {};
  }
  const std::size_t start = at + prefix.size();
  return std::string(request.substr(start, request.find("\r\n", start) - start));
}

/// A 101 answering a request whose key is `key`, with `extra` header lines.
inline std::string response101(std::string_view key, std::string_view extra = {}) {
  return fmt::format(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: {}\r\n{}\r\n",
      WebSocketUtil::acceptKey(key), extra);
}

/// Renders the masked frames a client wrote (its bytes) as renderFrame does; "UNMASKED" if
/// one is not masked.
inline Events clientFrames(std::string_view bytes) {
  if (bytes.empty()) {
    return {};
  }
  Events events = decodeChunks(WebSocketDecoderConfig{.maxFramePayloadLength = 1 << 20,
                                                      .closeOnProtocolViolation = false,
                                                      .withUTF8Validator = false},
                               {bytes});
  for (std::string& e : events) {
    if (e.starts_with("EXCEPTION")) {
      e = "UNMASKED";
    }
  }
  return events;
}

/// The last handler of a client: records frames, handshake events, errors and inactivity.
class ClientRecorder : public ChannelInboundHandler {
 public:
  explicit ClientRecorder(Events* events) : events_(events) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    if (const auto* f = msg.getIf<WebSocketFrame>()) {
      events_->push_back(renderFrame(*f));
    } else {
      events_->push_back("UNEXPECTED " + msg.typeName());
    }
  }
  void userEventTriggered(ChannelHandlerContext&, Message event) override {
    using E = WebSocketClientProtocolHandler::ClientHandshakeStateEvent;
    if (const auto* drain = event.getIf<DrainEvent>()) {
      events_->push_back(drain->handled ? "DRAIN handled" : "DRAIN");
    } else if (const auto* e = event.getIf<E>()) {
      events_->push_back(*e == E::HandshakeIssued     ? "ISSUED"
                         : *e == E::HandshakeComplete ? "COMPLETE"
                                                      : "TIMEOUT");
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    events_->push_back("EXCEPTION " + error.message());
  }
  void channelInactive(ChannelHandlerContext& ctx) override {
    events_->push_back("INACTIVE");
    ctx.fireChannelInactive();
  }

 private:
  Events* events_;
};

/// HttpClientCodec, HttpObjectAggregator(8192), the protocol handler, a ClientRecorder.
inline std::unique_ptr<EmbeddedChannel> clientChannel(WebSocketClientProtocolConfig config,
                                                      Events* events) {
  return std::make_unique<EmbeddedChannel>(
      std::make_unique<http::HttpClientCodec>(), std::make_unique<http::HttpObjectAggregator>(8192),
      std::make_unique<WebSocketClientProtocolHandler>(std::move(config)),
      std::make_unique<ClientRecorder>(events));
}

/// Every byte written out so far, as one string.
inline std::string drainBytes(EmbeddedChannel& ch) {
  std::string out;
  while (Message m = ch.readOutbound()) {
    if (const auto* buf = m.getIf<ByteBuf>()) {
      out += buf->toStringView();
    } else {
      out += "<" + m.typeName() + ">";
    }
  }
  return out;
}

inline void feed(EmbeddedChannel& ch, std::string_view bytes) {
  ch.writeInbound(Unpooled::copiedBuffer(bytes));
}

/// An unmasked frame, as a server sends it.
inline std::string serverFrame(std::uint8_t b0, std::string_view payload) {
  return wireFrame(b0, payload, false);
}

// ---- The fake extension ----------------------------------------------------------------

/// Reverses the payload of a text or binary frame, which gets RSV1 set (encoder), or clears
/// RSV1 and reverses back (decoder).
class ReverseCodec : public ChannelDuplexHandler {
 public:
  explicit ReverseCodec(bool encode) : encode_(encode) {}
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    auto* f = msg.getIf<WebSocketFrame>();
    if (encode_ || f == nullptr || (f->rsv() & WebSocketExtension::kRsv1) == 0) {
      ctx.fireChannelRead(std::move(msg));
      return;
    }
    ctx.fireChannelRead(flip(*f, 0));
  }
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    auto* f = msg.getIf<WebSocketFrame>();
    if (!encode_ || f == nullptr ||
        (f->opcode() != WebSocketOpcode::Text && f->opcode() != WebSocketOpcode::Binary)) {
      ctx.write(std::move(msg), std::move(promise));
      return;
    }
    ctx.write(flip(*f, WebSocketExtension::kRsv1), std::move(promise));
  }

 private:
  static Message flip(WebSocketFrame& f, int rsv) {
    std::string s(f.content().toStringView());
    std::reverse(s.begin(), s.end());
    ByteBuf content = Unpooled::copiedBuffer(s);
    if (f.opcode() == WebSocketOpcode::Text) {
      return Message(TextWebSocketFrame(f.isFinalFragment(), rsv, std::move(content)));
    }
    if (f.opcode() == WebSocketOpcode::Binary) {
      return Message(BinaryWebSocketFrame(f.isFinalFragment(), rsv, std::move(content)));
    }
    return Message(ContinuationWebSocketFrame(f.isFinalFragment(), rsv, std::move(content)));
  }
  bool encode_;
};

template <typename Base>
class ReverseExtension : public Base {
 public:
  explicit ReverseExtension(int rsv) : rsv_(rsv) {}
  int rsv() const override { return rsv_; }
  std::unique_ptr<ChannelHandler> newExtensionEncoder() override {
    return std::make_unique<ReverseCodec>(true);
  }
  std::unique_ptr<ChannelHandler> newExtensionDecoder() override {
    return std::make_unique<ReverseCodec>(false);
  }

 private:
  int rsv_;
};

class ReverseServerExtension : public ReverseExtension<WebSocketServerExtension> {
 public:
  ReverseServerExtension(int rsv, WebSocketExtensionData data)
      : ReverseExtension(rsv), data_(std::move(data)) {}
  WebSocketExtensionData newResponseData() const override { return data_; }

 private:
  WebSocketExtensionData data_;
};

/// Offers `name` (with parameter "v=1"); accepts an answer of that name unless it has a
/// parameter "bad". Claims `rsv`.
class FakeClientExtensionHandshaker : public WebSocketClientExtensionHandshaker {
 public:
  explicit FakeClientExtensionHandshaker(std::string name = "x-reverse",
                                         int rsv = WebSocketExtension::kRsv1)
      : name_(std::move(name)), rsv_(rsv) {}
  WebSocketExtensionData newRequestData() const override { return {name_, {{"v", "1"}}}; }
  std::unique_ptr<WebSocketClientExtension> handshakeExtension(
      const WebSocketExtensionData& response) const override {
    if (response.name != name_ || response.hasParameter("bad")) {
      return nullptr;
    }
    return std::make_unique<ReverseExtension<WebSocketClientExtension>>(rsv_);
  }

 private:
  std::string name_;
  int rsv_;
};

/// Accepts an offer named `name`, answering with its name alone.
class FakeServerExtensionHandshaker : public WebSocketServerExtensionHandshaker {
 public:
  explicit FakeServerExtensionHandshaker(std::string name = "x-reverse") : name_(std::move(name)) {}
  std::unique_ptr<WebSocketServerExtension> handshakeExtension(
      const WebSocketExtensionData& offer) const override {
    if (offer.name != name_) {
      return nullptr;
    }
    return std::make_unique<ReverseServerExtension>(WebSocketExtension::kRsv1,
                                                    WebSocketExtensionData{name_, {}});
  }

 private:
  std::string name_;
};

}  // namespace sluice::websocket::testing
