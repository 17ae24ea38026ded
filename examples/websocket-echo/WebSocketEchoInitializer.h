#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/handler/ssl/SslContext.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <memory>
#include <utility>

#include "WebSocketEchoHandler.h"

// [docs:websocket-echo-initializer]
/// Each connection: HTTP until the upgrade on /ws, then WebSocket frames echoed back; with an
/// SslContext, TLS first (https and wss).
class WebSocketEchoInitializer : public sluice::ChannelInitializer {
 public:
  explicit WebSocketEchoInitializer(sluice::websocket::WebSocketDecoderConfig decoderConfig = {},
                                    std::shared_ptr<const sluice::SslContext> sslContext = nullptr)
      : decoderConfig_(decoderConfig), sslContext_(std::move(sslContext)) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    auto& p = ch.pipeline();
    if (sslContext_) {
      p.addLast(sslContext_->newHandler());  // TLS records below, plaintext above
    }
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
  std::shared_ptr<const sluice::SslContext> sslContext_;
};
// [docs:end]
