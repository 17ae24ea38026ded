#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/http/HttpMetricsHandler.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpStaticFileHandler.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <memory>
#include <utility>

#include "ChatFrameHandler.h"
#include "ChatRooms.h"

// [docs:chat-initializer]
/// Each connection starts as HTTP: a WebSocket upgrade on /ws turns it into a chat client,
/// compressed with permessage-deflate when the browser offers it (they all do); GET /metrics
/// gets the server's metrics; other requests fall through to the static files, the page and
/// its scripts. The metrics and file handlers and the rooms are shared by every connection;
/// the other handlers are made per connection.
class ChatServerInitializer : public sluice::ChannelInitializer {
 public:
  ChatServerInitializer(std::shared_ptr<sluice::http::HttpStaticFileHandler> files,
                        std::shared_ptr<ChatRooms> rooms,
                        std::shared_ptr<sluice::http::HttpMetricsHandler> metrics =
                            std::make_shared<sluice::http::HttpMetricsHandler>())
      : files_(std::move(files)), rooms_(std::move(rooms)), metrics_(std::move(metrics)) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    auto& p = ch.pipeline();
    p.addLast<sluice::http::HttpServerCodec>();            // bytes <-> HTTP messages
    p.addLast<sluice::http::HttpObjectAggregator>(65536);  // one FullHttpRequest each
    // permessage-deflate without context takeover: a room's broadcast is compressed once for
    // every member (WebSocketBroadcast), and a connection keeps no compression state.
    p.addLast<sluice::websocket::WebSocketServerCompressionHandler>(
        sluice::websocket::PerMessageDeflateServerConfig::sharedTier());
    // The handshake on /ws, pings and the closing handshake; frames over 4 KiB close with 1009.
    p.addLast<sluice::websocket::WebSocketServerProtocolHandler>(
        sluice::websocket::WebSocketServerProtocolConfig{
            .websocketPath = "/ws",
            .decoderConfig = {.maxFramePayloadLength = ChatFrameHandler::kMaxMessageLength,
                              .maxMessageLength = ChatFrameHandler::kMaxMessageLength},
        });
    // Other requests are the metrics (GET /metrics, Prometheus's text format) and the page
    // (GET /, /app.js, /style.css); frames pass all three untouched.
    p.addLast<sluice::ChunkedWriteHandler>();  // large files, as the socket drains
    p.addLast(metrics_);
    p.addLast(files_);
    p.addLast<ChatFrameHandler>(rooms_);  // text frames in, the room's JSON events out
  }

 private:
  std::shared_ptr<sluice::http::HttpStaticFileHandler> files_;
  std::shared_ptr<ChatRooms> rooms_;
  std::shared_ptr<sluice::http::HttpMetricsHandler> metrics_;
};
// [docs:end]
