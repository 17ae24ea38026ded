#pragma once

#include <sluice/http/cookie/Cookie.h>
#include <sluice/http/cookie/CookieEncoderConfig.h>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

/// Encodes cookies as Set-Cookie field values (RFC 6265 4.1), on the server side (Netty's
/// ServerCookieEncoder). Each cookie gives one field value: Set-Cookie fields are never
/// folded into one with commas (RFC 6265 3, RFC 9110 5.3), so add each one separately:
///
///     for (const std::string& v : ServerCookieEncoder::strict().encode(cookies)) {
///       response.headers().add(HttpHeaderNames::kSetCookie, v);
///     }
///
/// The attributes come in this order: "name=value; Max-Age=N; Expires=<IMF-fixdate>;
/// Path=p; Domain=d; Secure; HttpOnly; SameSite=Lax; Partitioned", each only when set.
/// Expires (now + maxAge, RFC 9110 5.6.7 format) goes with Max-Age for clients that predate
/// Max-Age; a negative maxAge is written as 0 (RFC 6265 4.1.1 has no negative Max-Age).
///
/// Errors: a cookie the encoder refuses (see CookieEncoderConfig: an invalid name, value,
/// Domain or Path in strict mode; a control character in any mode) throws
/// std::invalid_argument with a message that names the part and the character. A cookie
/// is built by the program, not read from the network, so a bad one is a bug of the
/// program, reported where it is made, as HttpHeaders::add reports a bad value.
///
/// Thread: any; the encoder holds only its configuration.
class ServerCookieEncoder {
 public:
  explicit ServerCookieEncoder(CookieEncoderConfig config = {}) noexcept : config_(config) {}

  /// The shared encoder that checks names, values and attributes.
  static const ServerCookieEncoder& strict() noexcept;
  /// The shared encoder that refuses only control characters.
  static const ServerCookieEncoder& lax() noexcept;

  /// A Set-Cookie value with just a name and a value.
  std::string encode(std::string_view name, std::string_view value) const;
  /// The Set-Cookie value of `cookie`, Expires counted from the system clock.
  std::string encode(const Cookie& cookie) const;
  /// The same, Expires counted from `now`.
  std::string encode(const Cookie& cookie, std::chrono::system_clock::time_point now) const;
  /// One Set-Cookie value per cookie, in order; a strict encoder keeps only the last cookie
  /// of each name (where that one stands in the list). Nothing is returned if one throws.
  std::vector<std::string> encode(std::span<const Cookie> cookies) const;
  std::vector<std::string> encode(std::span<const Cookie> cookies,
                                  std::chrono::system_clock::time_point now) const;

  const CookieEncoderConfig& config() const noexcept { return config_; }

 private:
  CookieEncoderConfig config_;
};

}  // namespace sluice::http
