#pragma once

#include <sluice/http/HttpResponseStatus.h>

#include <system_error>

namespace sluice::websocket {

/// Why a WebSocket opening handshake failed (Netty's WebSocketHandshakeException): a server
/// refusing a request (RFC 6455 4.2.1, 4.2.2), or a client refusing the server's response
/// (RFC 6455 4.1, from UnexpectedStatus on). Each has a stable message; an Error made by a
/// handshaker usually carries a more precise one (the status received, the header at fault).
/// The condition of every value is std::errc::protocol_error, except OriginNotAllowed and
/// NotAuthorized (std::errc::permission_denied) and HandshakeTimeout (std::errc::timed_out).
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
  /// The handshake did not complete within the handshake timeout; nothing is answered. Both
  /// sides use it.
  HandshakeTimeout,

  // A client's checks of the server's response (RFC 6455 4.1: the client fails the
  // WebSocket connection). statusOf() has no meaning for them.

  /// The response's status is not 101 Switching Protocols (a refusal, a redirect...): the
  /// Error's message names the status received.
  UnexpectedStatus,
  /// The response is not a valid upgrade: no "Upgrade: websocket", no "upgrade" token in
  /// Connection, or a response the HTTP decoder could not parse.
  InvalidUpgradeResponse,
  /// Sec-WebSocket-Accept is missing or is not base64(SHA-1(key + GUID)) of the key sent.
  InvalidAccept,
  /// Sec-WebSocket-Protocol names a subprotocol the client did not offer, or more than one.
  SubprotocolNotOffered,
  /// Sec-WebSocket-Extensions names an extension the client did not offer (RFC 6455 9.1).
  ExtensionNotOffered,
  /// Sec-WebSocket-Extensions answers an offered extension with parameters that no
  /// extension handshaker accepts.
  InvalidExtension,
  /// Two extensions of the response claim the same RSV bit (RFC 6455 5.2, 9).
  ExtensionConflict,
};

/// The category of WebSocketHandshakeErrc, named "sluice.websocket.handshake".
const std::error_category& webSocketHandshakeCategory() noexcept;

inline std::error_code make_error_code(WebSocketHandshakeErrc e) noexcept {  // NOLINT: ADL
  return {static_cast<int>(e), webSocketHandshakeCategory()};
}

/// The status a server's refusal for `e` is answered with (see WebSocketHandshakeErrc). It
/// concerns server refusals only: for the client's codes (UnexpectedStatus and after) it
/// returns 400 Bad Request, which nobody sends.
http::HttpResponseStatus statusOf(WebSocketHandshakeErrc e);

}  // namespace sluice::websocket

template <>
struct std::is_error_code_enum<sluice::websocket::WebSocketHandshakeErrc> : std::true_type {};
