#pragma once

#include <cstddef>

namespace sluice::http {

/// Options of ServerCookieDecoder and ClientCookieDecoder (Netty's STRICT and LAX instances,
/// and a limit Netty lacks).
struct CookieDecoderConfig {
  /// The default of maxCookies: above the 180 cookies per domain that Chrome keeps and the 50
  /// that RFC 6265 6.1 asks a user agent to store at least, so a real browser never reaches it.
  static constexpr std::size_t kDefaultMaxCookies = 256;

  /// Whether a decoder checks names and values against RFC 6265 4.1.1: a name must be a
  /// token (RFC 9110 5.6.2) and a value cookie-octets, optionally inside one pair of
  /// DQUOTEs. A cookie that fails is dropped; the others of the header are kept.
  /// Lax decoding keeps any name and value (but still drops a cookie with an empty name, no
  /// "=" or an unbalanced opening quote).
  bool strict = true;
  /// ServerCookieDecoder keeps at most this many cookies of one Cookie field and ignores the
  /// rest, so that a hostile header cannot make a handler loop over thousands of them.
  /// ClientCookieDecoder reads one cookie per Set-Cookie field and ignores this.
  std::size_t maxCookies = kDefaultMaxCookies;
};

}  // namespace sluice::http
