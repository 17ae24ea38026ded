#pragma once

#include <sluice/websocket/WebSocketExtension.h>
#include <sluice/websocket/WebSocketExtensionData.h>

#include <memory>

namespace sluice::websocket {

/// An extension the server accepted for one connection (Netty's WebSocketServerExtension):
/// the handlers that implement it (see WebSocketExtension) and what the 101 response says
/// about it.
class WebSocketServerExtension : public WebSocketExtension {
 public:
  /// The element the 101 response's Sec-WebSocket-Extensions carries for it (RFC 6455 9.1).
  virtual WebSocketExtensionData newResponseData() const = 0;
};

/// Decides whether the server accepts an extension a client offers (Netty's
/// WebSocketServerExtensionHandshaker): permessage-deflate implements it. Registered in
/// WebSocketServerProtocolConfig::extensionHandshakers, on a handshaker, or through a
/// WebSocketServerExtensionHandler in the pipeline.
///
/// Thread: one instance is usually shared by every connection, so handshakeExtension() is
/// called on many loops at once and must not change shared state without synchronisation.
class WebSocketServerExtensionHandshaker {
 public:
  virtual ~WebSocketServerExtensionHandshaker() = default;

  /// The extension accepted for `offer`, one element of the client's
  /// Sec-WebSocket-Extensions, or null to decline it.
  virtual std::unique_ptr<WebSocketServerExtension> handshakeExtension(
      const WebSocketExtensionData& offer) const = 0;
};

}  // namespace sluice::websocket
