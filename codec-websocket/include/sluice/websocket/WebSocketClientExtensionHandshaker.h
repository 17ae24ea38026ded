#pragma once

#include <sluice/websocket/WebSocketExtension.h>
#include <sluice/websocket/WebSocketExtensionData.h>

#include <memory>

namespace sluice::websocket {

/// An extension the server's 101 response accepted for one connection (Netty's
/// WebSocketClientExtension): the handlers that implement it (see WebSocketExtension).
class WebSocketClientExtension : public WebSocketExtension {};

/// Offers an extension in a client's opening handshake and checks the server's answer
/// (Netty's WebSocketClientExtensionHandshaker): permessage-deflate implements it. Registered
/// in WebSocketClientProtocolConfig::extensionHandshakers, on a handshaker
/// (WebSocketClientHandshaker::addExtensionHandshaker), or through a
/// WebSocketClientExtensionHandler in the pipeline.
///
/// The handshake sends every handshaker's newRequestData() in Sec-WebSocket-Extensions, in
/// order. Each extension the response lists must carry the name of one offered (RFC 6455
/// 9.1: a server may only answer with extensions the client asked for), and one of the
/// handshakers must accept it through handshakeExtension(); otherwise, or when two accepted
/// extensions claim the same RSV bit, the handshake fails (RFC 6455 4.1: the client fails
/// the connection).
///
/// Thread: one instance is usually shared by every connection, so both methods are called on
/// many loops at once and must not change shared state without synchronisation.
class WebSocketClientExtensionHandshaker {
 public:
  virtual ~WebSocketClientExtensionHandshaker() = default;

  /// The offer: one element of the request's Sec-WebSocket-Extensions.
  virtual WebSocketExtensionData newRequestData() const = 0;
  /// The extension for `response`, one element of the 101's Sec-WebSocket-Extensions, or
  /// null when it is not this handshaker's extension or its parameters are not acceptable.
  virtual std::unique_ptr<WebSocketClientExtension> handshakeExtension(
      const WebSocketExtensionData& response) const = 0;
};

}  // namespace sluice::websocket
