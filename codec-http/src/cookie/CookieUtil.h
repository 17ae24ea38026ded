#pragma once

// What the cookie decoders and encoders share: RFC 6265's character classes, the check of a
// name-value pair, and attribute names. Private to sluice::http.

#include <sluice/http/cookie/Cookie.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "HttpChars.h"

namespace sluice::http::detail {

// RFC 6265 4.1.1: cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E, US-ASCII but
// CTLs, whitespace, DQUOTE, comma, semicolon and backslash.
constexpr std::array<bool, 256> makeCookieOctets() {
  std::array<bool, 256> t{};
  for (int c = 0x21; c <= 0x7E; ++c) {
    t[static_cast<std::size_t>(c)] = c != '"' && c != ',' && c != ';' && c != '\\';
  }
  return t;
}
inline constexpr std::array<bool, 256> kCookieOctets = makeCookieOctets();

inline bool isCookieOctet(char c) noexcept { return kCookieOctets[static_cast<std::uint8_t>(c)]; }

/// The first byte of `s` that is not a cookie-octet, or npos.
inline std::size_t firstInvalidCookieOctet(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!isCookieOctet(s[i])) {
      return i;
    }
  }
  return std::string_view::npos;
}

/// Strips one pair of enclosing DQUOTEs. Sets `wrapped`; returns nullopt when the value opens
/// a quote it does not close (a lone `"` included).
inline std::optional<std::string_view> unwrapValue(std::string_view v, bool& wrapped) noexcept {
  wrapped = false;
  if (v.empty() || v.front() != '"') {
    return v;
  }
  if (v.size() < 2 || v.back() != '"') {
    return std::nullopt;
  }
  wrapped = true;
  return v.substr(1, v.size() - 2);
}

/// The cookie of a trimmed name and value as both decoders read them, or nullopt when it is
/// to be dropped (see CookieDecoderConfig::strict).
inline std::optional<Cookie> makeCookie(std::string_view name, std::string_view value,
                                        bool strict) {
  if (name.empty()) {
    return std::nullopt;
  }
  bool wrapped = false;
  const std::optional<std::string_view> unwrapped = unwrapValue(value, wrapped);
  if (!unwrapped) {
    return std::nullopt;
  }
  // RFC 6265 4.1.1: cookie-name = token; cookie-value = *cookie-octet / ( DQUOTE
  // *cookie-octet DQUOTE ).
  if (strict && (!isToken(name) || firstInvalidCookieOctet(*unwrapped) != std::string_view::npos)) {
    return std::nullopt;
  }
  Cookie cookie{std::string(name), std::string(*unwrapped)};
  cookie.setWrap(wrapped);
  return cookie;
}

inline std::string_view sameSiteName(SameSite s) noexcept {
  switch (s) {
    case SameSite::Lax:
      return "Lax";
    case SameSite::Strict:
      return "Strict";
    case SameSite::None:
      return "None";
  }
  return "Lax";
}

/// Checks the parts of a cookie an encoder writes and throws std::invalid_argument for one
/// it refuses (see CookieEncoderConfig). Defined in CookieEncoding.cpp.
void checkCookieName(std::string_view name, bool strict);
/// Checks a value; one that is not to be wrapped may carry DQUOTEs of its own.
void checkCookieValue(std::string_view value, bool wrap, bool strict);
void checkCookieAttribute(std::string_view attribute, std::string_view value, bool strict);
/// Checks and appends "name=value", the value in DQUOTEs when `wrap`.
void appendCookiePair(std::string& out, std::string_view name, std::string_view value, bool wrap,
                      bool strict);

}  // namespace sluice::http::detail
