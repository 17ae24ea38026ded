#include <sluice/http/HttpDateFormat.h>
#include <sluice/http/cookie/ServerCookieEncoder.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "cookie/CookieUtil.h"

namespace sluice::http {

const ServerCookieEncoder& ServerCookieEncoder::strict() noexcept {
  static const ServerCookieEncoder encoder(CookieEncoderConfig{.strict = true});
  return encoder;
}

const ServerCookieEncoder& ServerCookieEncoder::lax() noexcept {
  static const ServerCookieEncoder encoder(CookieEncoderConfig{.strict = false});
  return encoder;
}

std::string ServerCookieEncoder::encode(std::string_view name, std::string_view value) const {
  std::string out;
  detail::appendCookiePair(out, name, value, false, config_.strict);
  return out;
}

std::string ServerCookieEncoder::encode(const Cookie& cookie) const {
  return encode(cookie, std::chrono::system_clock::now());
}

std::string ServerCookieEncoder::encode(const Cookie& cookie,
                                        std::chrono::system_clock::time_point now) const {
  const bool strict = config_.strict;
  // Check every part before writing any, so that a refused cookie costs no output.
  if (cookie.path()) {
    detail::checkCookieAttribute("cookie path", *cookie.path(), strict);
  }
  if (cookie.domain()) {
    detail::checkCookieAttribute("cookie domain", *cookie.domain(), strict);
  }
  std::string out;
  out.reserve(cookie.name().size() + cookie.value().size() + 96);
  detail::appendCookiePair(out, cookie.name(), cookie.value(), cookie.wrap(), strict);

  if (cookie.maxAge()) {
    // RFC 6265 4.1.1: max-age-av = "Max-Age=" non-zero-digit *DIGIT; 0 is what every client
    // reads as "delete now" (5.2.2), so a negative age is written as 0.
    const std::int64_t age = std::max<std::int64_t>(cookie.maxAge()->count(), 0);
    out.append("; Max-Age=");
    out.append(std::to_string(age));
    // Expires = now + age, saturating: HttpDateFormat clamps what is past year 9999.
    const std::int64_t nowSeconds =
        std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    const std::int64_t expires =
        age > kMax - std::max<std::int64_t>(nowSeconds, 0) ? kMax : nowSeconds + age;
    out.append("; Expires=");
    HttpDateFormat::append(std::chrono::sys_seconds(std::chrono::seconds(expires)), out);
  }
  // An empty Path or Domain says nothing (RFC 6265 5.2.3, 5.2.4 read it as absent).
  if (cookie.path() && !cookie.path()->empty()) {
    out.append("; Path=");
    out.append(*cookie.path());
  }
  if (cookie.domain() && !cookie.domain()->empty()) {
    out.append("; Domain=");
    out.append(*cookie.domain());
  }
  if (cookie.isSecure()) {
    out.append("; Secure");
  }
  if (cookie.isHttpOnly()) {
    out.append("; HttpOnly");
  }
  if (cookie.sameSite()) {
    out.append("; SameSite=");
    out.append(detail::sameSiteName(*cookie.sameSite()));
  }
  if (cookie.isPartitioned()) {
    out.append("; Partitioned");
  }
  return out;
}

std::vector<std::string> ServerCookieEncoder::encode(std::span<const Cookie> cookies) const {
  return encode(cookies, std::chrono::system_clock::now());
}

std::vector<std::string> ServerCookieEncoder::encode(
    std::span<const Cookie> cookies, std::chrono::system_clock::time_point now) const {
  std::vector<std::string> out;
  out.reserve(cookies.size());
  for (const Cookie& cookie : cookies) {
    out.push_back(encode(cookie, now));
  }
  if (!config_.strict || cookies.size() < 2) {
    return out;
  }
  // RFC 6265 4.1.1: "Servers SHOULD NOT include more than one Set-Cookie header field in the
  // same response with the same cookie-name." The last one is what a client would keep.
  std::unordered_map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < cookies.size(); ++i) {
    last[cookies[i].name()] = i;
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < cookies.size(); ++i) {
    if (last[cookies[i].name()] == i) {
      out[kept++] = std::move(out[i]);
    }
  }
  out.resize(kept);
  return out;
}

}  // namespace sluice::http
