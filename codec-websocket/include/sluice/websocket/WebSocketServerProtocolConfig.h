#pragma once

#include <sluice/concurrent/Future.h>
#include <sluice/http/HttpHeaders.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpResponseStatus.h>
#include <sluice/websocket/WebSocketCloseStatus.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>
#include <sluice/websocket/WebSocketServerExtensionHandshaker.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {
class Channel;
}  // namespace sluice

namespace sluice::websocket {

/// An authorizer's answer to an upgrade request: accept (with headers for the 101, such as
/// Set-Cookie), or refuse with a response (401 with WWW-Authenticate, 403...).
/// Thread: any (a value).
class WebSocketAuthorization {
 public:
  /// Accepts the upgrade; `responseHeaders` are added to the 101 response.
  static WebSocketAuthorization accept(http::HttpHeaders responseHeaders = http::HttpHeaders()) {
    return WebSocketAuthorization(true, http::HttpResponseStatus::kSwitchingProtocols,
                                  std::move(responseHeaders), {});
  }
  /// Refuses the upgrade: the client gets `status` with `headers` and `body` (text), then
  /// the connection closes.
  static WebSocketAuthorization refuse(
      http::HttpResponseStatus status = http::HttpResponseStatus::kForbidden,
      http::HttpHeaders headers = http::HttpHeaders(), std::string body = {}) {
    return WebSocketAuthorization(false, std::move(status), std::move(headers), std::move(body));
  }

  bool isAccepted() const noexcept { return accepted_; }
  const http::HttpResponseStatus& status() const noexcept { return status_; }
  const http::HttpHeaders& headers() const noexcept { return headers_; }
  const std::string& body() const noexcept { return body_; }

 private:
  WebSocketAuthorization(bool accepted, http::HttpResponseStatus status, http::HttpHeaders headers,
                         std::string body)
      : accepted_(accepted),
        status_(std::move(status)),
        headers_(std::move(headers)),
        body_(std::move(body)) {}

  bool accepted_;
  http::HttpResponseStatus status_;
  http::HttpHeaders headers_;
  std::string body_;
};

/// Decides, without blocking the loop, whether an upgrade request may proceed: it receives
/// the channel and the request (both borrowed for the call; copy what a later completion
/// needs) and returns a future that completes, now or later and on any thread, with the
/// decision. It runs on the channel's loop after the request passed the RFC 6455 checks and
/// the origin check. A failed future, or an exception thrown, refuses with 500.
using WebSocketAuthorizer =
    std::function<Future<WebSocketAuthorization>(Channel&, const http::FullHttpRequest&)>;

/// Settings of WebSocketServerProtocolHandler (Netty's WebSocketServerProtocolConfig), with
/// designated initializers (every member has a default, so any subset may be named):
///
/// ```cpp
/// p.addLast<WebSocketServerProtocolHandler>(WebSocketServerProtocolConfig{
///     .websocketPath = "/ws",
///     .subprotocols = {"chat.v2", "chat.v1"},
///     .allowedOrigins = {"https://example.com"},
///     .pingInterval = std::chrono::seconds(30),
/// });
/// ```
struct WebSocketServerProtocolConfig {
  /// The path upgraded; requests for other paths pass through untouched.
  std::string websocketPath = "/";
  /// The subprotocols the server speaks. The first of the client's Sec-WebSocket-Protocol
  /// values found here is selected; with no match none is, and the handshake still
  /// succeeds (RFC 6455 4.2.2). "*" accepts the client's first value.
  std::vector<std::string> subprotocols{};
  /// Upgrade every path below websocketPath too ("/ws/room/1", "/ws?x"), not only the path
  /// itself. Either way the query string is ignored when matching.
  bool checkStartsWith = false;
  /// How long an upgrade request may take from its arrival to the 101, authorization
  /// included. On expiry the handler fires ServerHandshakeStateEvent::HandshakeTimeout and
  /// closes the connection. Zero or less: no limit.
  std::chrono::milliseconds handshakeTimeout{10000};
  /// After this side sent a close frame, how long to wait for the peer's before closing TCP
  /// (RFC 6455 7.1.1: the server closes the connection first, normally once both close
  /// frames are exchanged). Zero: close as soon as the close frame is written.
  std::chrono::milliseconds forceCloseTimeout{10000};
  /// Run the closing handshake (RFC 6455 5.5.1): answer a received close frame with one
  /// carrying the same status code, then close the connection. The close frame is consumed.
  /// When false, close frames reach the application, which must answer them.
  bool handleCloseFrames = true;
  /// The status of the close frame sent when the application closes the channel without
  /// having sent one; nullopt closes TCP without a close frame.
  std::optional<WebSocketCloseStatus> sendCloseFrame = WebSocketCloseStatus::kNormalClosure;
  /// Drop pong frames instead of passing them to the application.
  bool dropPongFrames = true;
  /// The frame decoder's settings (64 KiB frames, 1 MiB messages, UTF-8 checked...).
  WebSocketDecoderConfig decoderConfig{};
  /// The Origin values allowed to upgrade (RFC 6455 10.2), compared case-insensitively, as
  /// "https://example.com". Empty allows every origin. Otherwise a request with another
  /// Origin is refused with 403, which stops cross-site WebSocket hijacking by pages of other
  /// sites; a request without Origin (not from a browser) is allowed.
  std::vector<std::string> allowedOrigins{};
  /// Decides whether an upgrade may proceed (see WebSocketAuthorizer); empty accepts all.
  /// While it decides, the bytes the client sends after the request are kept, unparsed,
  /// and reading from the socket pauses.
  WebSocketAuthorizer authorizer{};
  /// Send a ping after this long without one outstanding (0: never). A peer that does not
  /// answer within pongTimeout is considered gone: the connection is closed at once, with no
  /// close frame (the peer would not read it), and the application sees channelInactive.
  std::chrono::milliseconds pingInterval{0};
  /// See pingInterval.
  std::chrono::milliseconds pongTimeout{10000};
  /// Extensions the server may accept (permessage-deflate...), asked in order about each of
  /// the client's offers.
  std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>> extensionHandshakers{};
};

}  // namespace sluice::websocket
