#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <memory>
#include <utility>

#include "WebSocketEchoHandler.h"

// [docs:websocket-echo-initializer]
/// Each connection: HTTP until the upgrade on /ws, then WebSocket frames echoed back.
class WebSocketEchoInitializer : public sluice::ChannelInitializer {
 public:
  explicit WebSocketEchoInitializer(sluice::websocket::WebSocketDecoderConfig decoderConfig = {})
      : decoderConfig_(decoderConfig) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    auto& p = ch.pipeline();
    p.addLast<sluice::http::HttpServerCodec>();
    p.addLast<sluice::http::HttpObjectAggregator>(65536);
    p.addLast<sluice::websocket::WebSocketServerProtocolHandler>(
        sluice::websocket::WebSocketServerProtocolConfig{
            .websocketPath = "/ws",
            .checkStartsWith = true,
            .decoderConfig = decoderConfig_,
        });
    p.addLast<WebSocketEchoHandler>();
  }

 private:
  sluice::websocket::WebSocketDecoderConfig decoderConfig_;
};
// [docs:end]

// [docs:websocket-echo-deflate-initializer]
/// websocket-echo --deflate: the same pipeline with permessage-deflate offered, the classic
/// way: a WebSocketServerCompressionHandler right before the protocol handler. One
/// handshaker (immutable) serves every connection.
class WebSocketEchoDeflateInitializer : public WebSocketEchoInitializer {
 public:
  WebSocketEchoDeflateInitializer(sluice::websocket::WebSocketDecoderConfig decoderConfig,
                                  sluice::websocket::PerMessageDeflateServerConfig deflate)
      : WebSocketEchoInitializer(decoderConfig),
        handshaker_(std::make_shared<sluice::websocket::PerMessageDeflateServerExtensionHandshaker>(
            deflate)) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    WebSocketEchoInitializer::initChannel(ch);
    auto& p = ch.pipeline();
    p.addBefore(
        p.context<sluice::websocket::WebSocketServerProtocolHandler>()->name(), {},
        std::make_unique<sluice::websocket::WebSocketServerCompressionHandler>(handshaker_));
  }

 private:
  std::shared_ptr<const sluice::websocket::PerMessageDeflateServerExtensionHandshaker> handshaker_;
};
// [docs:end]
