#pragma once

#include <sluice/http/cookie/Cookie.h>
#include <sluice/http/cookie/CookieEncoderConfig.h>

#include <span>
#include <string>
#include <string_view>

namespace sluice::http {

/// Encodes cookies as the value of a request's Cookie field (RFC 6265 4.2, 5.4), on the
/// client side (Netty's ClientCookieEncoder): "name=value; name2=value2", names and values
/// only, a wrap()ped value in double quotes.
///
/// Errors: as ServerCookieEncoder, a refused name or value throws std::invalid_argument
/// (Domain and Path are not written, so not checked).
///
/// Thread: any; the encoder holds only its configuration.
class ClientCookieEncoder {
 public:
  explicit ClientCookieEncoder(CookieEncoderConfig config = {}) noexcept : config_(config) {}

  /// The shared encoder that checks names and values.
  static const ClientCookieEncoder& strict() noexcept;
  /// The shared encoder that refuses only control characters.
  static const ClientCookieEncoder& lax() noexcept;

  /// "name=value".
  std::string encode(std::string_view name, std::string_view value) const;
  std::string encode(const Cookie& cookie) const;
  /// All `cookies` in one Cookie value, ordered as RFC 6265 5.4 step 2 says: longer paths
  /// first, cookies without a path before all others (as Netty orders them), and equal
  /// lengths in the given order, taken as creation order. An empty string when `cookies` is empty:
  /// send no Cookie field then.
  std::string encode(std::span<const Cookie> cookies) const;

  const CookieEncoderConfig& config() const noexcept { return config_; }

 private:
  CookieEncoderConfig config_;
};

}  // namespace sluice::http
