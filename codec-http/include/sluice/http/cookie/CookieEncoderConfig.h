#pragma once

namespace sluice::http {

/// Options of ServerCookieEncoder and ClientCookieEncoder (Netty's STRICT and LAX instances).
struct CookieEncoderConfig {
  /// Whether an encoder checks what it writes against RFC 6265 4.1.1: the name a token, the
  /// value cookie-octets (inside one pair of DQUOTEs of its own, as Netty allows, when
  /// wrap() is false; wrap() adds the DQUOTEs itself), Domain and Path
  /// free of control characters and ";". A strict ServerCookieEncoder also keeps only the
  /// last of several cookies with the same name (RFC 6265 4.1.1: a server SHOULD NOT send
  /// two Set-Cookie fields with the same cookie-name in one response).
  /// A lax encoder writes what it is given, except control characters (CR, LF, NUL...),
  /// which it refuses in either mode: they would end the header field and let a cookie value
  /// inject header lines (RFC 9110 5.5).
  bool strict = true;
};

}  // namespace sluice::http
