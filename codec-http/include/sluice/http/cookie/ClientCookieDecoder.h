#pragma once

#include <sluice/http/cookie/Cookie.h>
#include <sluice/http/cookie/CookieDecoderConfig.h>

#include <chrono>
#include <optional>
#include <string_view>

namespace sluice::http {

/// Decodes the value of a response's Set-Cookie field (RFC 6265 4.1, 5.2) into a cookie, on
/// the client side (Netty's ClientCookieDecoder).
///
/// The first ";"-separated part is the name and value (trimmed; a quoted value is unquoted
/// and marked wrap(); a trailing "," left from a folded field is dropped). The field is
/// ignored (nullopt) when that part has no "=", an empty name or an unbalanced quote, or,
/// with CookieDecoderConfig::strict, a name that is not a token or a value that is not
/// cookie-octets; also when it starts with "," (several cookies folded into one field, which
/// RFC 6265 3 forbids). The attributes are read as RFC 6265 5.2 says, case-insensitively,
/// the last valid one of each name winning and unknown ones ignored:
/// - Max-Age (5.2.2): digits with an optional "-"; zero or less gives maxAge 0; a value too
///   large to count saturates. It takes precedence over Expires (5.3 step 3).
/// - Expires (5.2.1): a date as HttpDateFormat::parse reads it, turned into maxAge: the
///   seconds from `now` to it, rounded up, 0 when it is past. An unreadable date is ignored.
/// - Domain (5.2.3): a leading "." dropped, lower-cased; a value that is then empty or still
///   starts with "." (it domain-matches no host) is ignored.
/// - Path (5.2.4): a value that does not start with "/" means the default path (nullopt),
///   which only the caller can compute from the request URI (5.1.4).
/// - Secure, HttpOnly, Partitioned: flags. SameSite: Strict, Lax or None, any other value
///   ignored.
/// Input from the network never throws (but for std::bad_alloc) and costs time and memory
/// linear in its length.
///
/// Differences from Netty: Netty keeps a Domain's leading dot and case, and any Path value.
///
/// Thread: any; the decoder holds only its configuration.
class ClientCookieDecoder {
 public:
  explicit ClientCookieDecoder(CookieDecoderConfig config = {}) noexcept : config_(config) {}

  /// The shared decoder with CookieDecoderConfig's defaults (strict).
  static const ClientCookieDecoder& strict() noexcept;
  /// The shared decoder that does not check names and values.
  static const ClientCookieDecoder& lax() noexcept;

  /// The cookie of one Set-Cookie field value, Expires counted from the system clock.
  std::optional<Cookie> decode(std::string_view header) const;
  /// The same, Expires counted from `now` (for tests and for a client with its own clock).
  std::optional<Cookie> decode(std::string_view header,
                               std::chrono::system_clock::time_point now) const;

  const CookieDecoderConfig& config() const noexcept { return config_; }

 private:
  CookieDecoderConfig config_;
};

}  // namespace sluice::http
