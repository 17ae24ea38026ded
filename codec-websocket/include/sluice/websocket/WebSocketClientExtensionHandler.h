#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/websocket/WebSocketClientExtensionHandshaker.h>

#include <memory>
#include <utility>
#include <vector>

namespace sluice::websocket {

/// Puts extension handshakers in a client's pipeline (Netty's WebSocketClientExtensionHandler),
/// so a client can write
///
/// ```cpp
/// p.addLast<sluice::http::HttpClientCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(8192);
/// p.addLast<MyClientExtensionHandler>();  // a WebSocketClientExtensionHandler
/// p.addLast<sluice::websocket::WebSocketClientProtocolHandler>(config);
/// ```
///
/// It passes every event through untouched. When WebSocketClientHandshaker writes the
/// upgrade request it offers the extensions of every WebSocketClientExtensionHandler in the
/// pipeline, after those of its own configuration; when the 101 arrives it matches the
/// server's answer against the same handshakers (see WebSocketClientExtensionHandshaker),
/// then removes these handlers: the accepted extensions' encoders and decoders take their
/// place. Thread: the loop.
class WebSocketClientExtensionHandler : public ChannelInboundHandler {
 public:
  explicit WebSocketClientExtensionHandler(
      std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>> handshakers)
      : handshakers_(std::move(handshakers)) {}

  const std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>>& handshakers()
      const noexcept {
    return handshakers_;
  }

 private:
  std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>> handshakers_;
};

}  // namespace sluice::websocket
