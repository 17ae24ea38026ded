#pragma once

#include <sluice/http/HttpResponseStatus.h>

#include <system_error>

namespace sluice::websocket {

/// Why a server refused a WebSocket opening handshake (RFC 6455 4.2.1, 4.2.2; Netty's
/// WebSocketHandshakeException). Each has a stable message and the HTTP status the refusal
/// is answered with (statusOf). The condition of every value is std::errc::protocol_error,
/// except OriginNotAllowed and NotAuthorized (std::errc::permission_denied) and
/// HandshakeTimeout (std::errc::timed_out).
enum class WebSocketHandshakeErrc {
  /// Not a GET request (RFC 6455 4.2.1 item 1). 405.
  MethodNotAllowed = 1,
  /// Older than HTTP/1.1 (RFC 6455 4.2.1 item 1). 400.
  InvalidHttpVersion,
  /// No Host field (RFC 6455 4.2.1 item 2). 400.
  MissingHost,
  /// No "Upgrade: websocket" (RFC 6455 4.2.1 item 3). 400.
  MissingUpgrade,
  /// No "upgrade" token in Connection (RFC 6455 4.2.1 item 4). 400.
  MissingConnectionUpgrade,
  /// No Sec-WebSocket-Key, or more than one (RFC 6455 4.2.1 item 5, 11.3.1). 400.
  MissingKey,
  /// A Sec-WebSocket-Key that is not the base64 of 16 bytes (RFC 6455 4.2.1 item 5). 400.
  InvalidKey,
  /// A Sec-WebSocket-Version other than 13 (RFC 6455 4.2.2). 426 with
  /// "Sec-WebSocket-Version: 13".
  UnsupportedVersion,
  /// An Origin not in WebSocketServerProtocolConfig::allowedOrigins (RFC 6455 10.2). 403.
  OriginNotAllowed,
  /// Refused by the authorizer; the response is the authorizer's (401, 403...).
  NotAuthorized,
  /// The handshake did not complete within the handshake timeout; nothing is answered.
  HandshakeTimeout,
};

/// The category of WebSocketHandshakeErrc, named "sluice.websocket.handshake".
const std::error_category& webSocketHandshakeCategory() noexcept;

inline std::error_code make_error_code(WebSocketHandshakeErrc e) noexcept {  // NOLINT: ADL
  return {static_cast<int>(e), webSocketHandshakeCategory()};
}

/// The status a refusal for `e` is answered with (see WebSocketHandshakeErrc).
http::HttpResponseStatus statusOf(WebSocketHandshakeErrc e);

}  // namespace sluice::websocket

template <>
struct std::is_error_code_enum<sluice::websocket::WebSocketHandshakeErrc> : std::true_type {};
