#pragma once

#include <sluice/http/HttpHeaders.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketClientExtensionHandshaker.h>
#include <sluice/websocket/WebSocketCloseStatus.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::websocket {

/// Settings of WebSocketClientProtocolHandler (Netty's WebSocketClientProtocolConfig), with
/// designated initializers (every member has a default, so any subset may be named):
///
/// ```cpp
/// p.addLast<WebSocketClientProtocolHandler>(WebSocketClientProtocolConfig{
///     .webSocketUri = "ws://example.com/chat",
///     .subprotocols = {"chat.v2", "chat.v1"},
///     .handshakeTimeout = std::chrono::seconds(5),
/// });
/// ```
struct WebSocketClientProtocolConfig {
  /// The URL to upgrade: "ws://host[:port]/path[?query]" (or "wss://..." over TLS). Its host
  /// and port make the Host header, its path and query the request target.
  std::string webSocketUri = "ws://localhost/";
  /// The subprotocols offered in Sec-WebSocket-Protocol, in order of preference; empty
  /// offers none. A server answer naming one not offered fails the handshake (RFC 6455
  /// 4.1, item 6 of the client's checks).
  std::vector<std::string> subprotocols{};
  /// Extra request headers (Authorization, Cookie...). They cannot replace the handshake's
  /// own (Upgrade, Connection, Sec-WebSocket-Key, -Version, -Protocol, -Extensions).
  http::HttpHeaders customHeaders{};
  /// The Origin header to send ("https://example.com"); empty sends none unless
  /// generateOriginHeader.
  std::string origin{};
  /// Send an Origin derived from webSocketUri (ws -> http, wss -> https; Netty's
  /// generateOriginHeader) when `origin` is empty.
  bool generateOriginHeader = false;
  /// Put the absolute URL in the request line instead of the path (for HTTP proxies).
  bool absoluteUpgradeUrl = false;
  /// How long the handshake may take, from the request's write to the 101. On expiry the
  /// handler fires ClientHandshakeStateEvent::HandshakeTimeout, fails the handshake future
  /// with WebSocketHandshakeErrc::HandshakeTimeout and closes the connection. Zero or less:
  /// no limit.
  std::chrono::milliseconds handshakeTimeout{10000};
  /// After this side sent a close frame, how long to wait for the server to close TCP
  /// (RFC 6455 7.1.1: the server closes first; the client waits for it, then closes itself).
  std::chrono::milliseconds forceCloseTimeout{10000};
  /// Run the closing handshake (RFC 6455 5.5.1): answer a received close frame with one
  /// carrying the same status code and wait for the server to close TCP. The close frame is
  /// consumed. When false, close frames reach the application, which must answer them.
  bool handleCloseFrames = true;
  /// The status of the close frame sent when the application closes the channel without
  /// having sent one; nullopt closes TCP without a close frame.
  std::optional<WebSocketCloseStatus> sendCloseFrame = WebSocketCloseStatus::kNormalClosure;
  /// Drop pong frames instead of passing them to the application.
  bool dropPongFrames = true;
  /// The frame decoder's settings. A client expects unmasked frames (RFC 6455 5.1: a
  /// client MUST close the connection on a masked frame).
  WebSocketDecoderConfig decoderConfig{.expectMaskedFrames = false};
  /// The frame encoder's settings. A client masks every frame (RFC 6455 5.3).
  WebSocketEncoderConfig encoderConfig{.maskPayload = true};
  /// Send a ping after this long without one outstanding (0: never). A server that does not
  /// answer within pongTimeout is considered gone: the connection is closed at once, with no
  /// close frame, and the application sees channelInactive.
  std::chrono::milliseconds pingInterval{0};
  /// See pingInterval.
  std::chrono::milliseconds pongTimeout{10000};
  /// Extensions to offer (permessage-deflate...), in order; the server's answer selects
  /// among them (see WebSocketClientExtensionHandshaker).
  std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>> extensionHandshakers{};
};

}  // namespace sluice::websocket
