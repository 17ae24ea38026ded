#pragma once

#include <sluice/http/cookie/Cookie.h>
#include <sluice/http/cookie/CookieDecoderConfig.h>

#include <string_view>
#include <vector>

namespace sluice::http {

/// Decodes the value of a request's Cookie field (RFC 6265 4.2.1, 5.4) into cookies, on the
/// server side (Netty's ServerCookieDecoder). Only names and values travel in a Cookie field;
/// the attributes of the returned cookies are unset.
///
/// Pairs are separated by ";" and trimmed of spaces and tabs; a value in double quotes is
/// unquoted and marked wrap(). A pair without "=" or with an empty name is dropped, as is a
/// value whose opening quote is not closed; with CookieDecoderConfig::strict, so is a name
/// that is not a token or a value that is not cookie-octets. The attributes of RFC 2965
/// ("$Version", "$Path", "$Domain", "$Port") are skipped, and in a header that starts with
/// a $Version pair, as RFC 2965 wrote them, "," separates pairs too. Input from the network never
/// throws (but for std::bad_alloc), never fails the request, and costs time and memory linear in
/// its length; at most CookieDecoderConfig::maxCookies cookies are kept.
///
///     const auto cookies = ServerCookieDecoder::strict().decode(
///         request.headers().get(HttpHeaderNames::kCookie, ""));
///
/// Thread: any; the decoder holds only its configuration.
class ServerCookieDecoder {
 public:
  explicit ServerCookieDecoder(CookieDecoderConfig config = {}) noexcept : config_(config) {}

  /// The shared decoder with CookieDecoderConfig's defaults (strict).
  static const ServerCookieDecoder& strict() noexcept;
  /// The shared decoder that does not check names and values.
  static const ServerCookieDecoder& lax() noexcept;

  /// The cookies of `header`, at most one per name (the first one sent: user agents list
  /// the most specific cookie first, RFC 6265 5.4 step 2), sorted by name, byte-wise and
  /// case-sensitively (Netty's decode, which returns a set ordered by name).
  std::vector<Cookie> decode(std::string_view header) const;
  /// Every cookie of `header` in the order sent, several with one name included (Netty's
  /// decodeAll).
  std::vector<Cookie> decodeAll(std::string_view header) const;

  const CookieDecoderConfig& config() const noexcept { return config_; }

 private:
  CookieDecoderConfig config_;
};

}  // namespace sluice::http
