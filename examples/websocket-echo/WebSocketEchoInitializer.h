#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

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
