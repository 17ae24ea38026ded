#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/websocket/WebSocketServerExtensionHandshaker.h>

#include <memory>
#include <utility>
#include <vector>

namespace sluice::websocket {

/// Puts extension handshakers in the pipeline (Netty's WebSocketServerExtensionHandler), so a
/// server can write
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(65536);
/// p.addLast<MyExtensionHandler>();  // a WebSocketServerExtensionHandler
/// p.addLast<sluice::websocket::WebSocketServerProtocolHandler>("/ws");
/// ```
///
/// It passes every event through untouched. When WebSocketServerProtocolHandler (or
/// WebSocketServerHandshaker::handshake) upgrades the connection, it asks the handshakers of
/// every WebSocketServerExtensionHandler in the pipeline, after those of its own
/// configuration, about the client's offers, then removes these handlers: the accepted
/// extensions' encoders and decoders take their place. Thread: the loop.
class WebSocketServerExtensionHandler : public ChannelInboundHandler {
 public:
  explicit WebSocketServerExtensionHandler(
      std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>> handshakers)
      : handshakers_(std::move(handshakers)) {}

  const std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>>& handshakers()
      const noexcept {
    return handshakers_;
  }

 private:
  std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>> handshakers_;
};

}  // namespace sluice::websocket
