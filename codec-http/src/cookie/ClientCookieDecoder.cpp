#include <sluice/http/HttpDateFormat.h>
#include <sluice/http/cookie/ClientCookieDecoder.h>

#include <cstdint>
#include <limits>

#include "cookie/CookieUtil.h"

namespace sluice::http {
namespace {

using std::chrono::seconds;

// RFC 6265 5.2.2: "-"? 1*DIGIT, anything else ignored. Zero or less means "expire now";
// a count too large for seconds saturates (it is already longer than any clock reaches).
std::optional<seconds> parseMaxAge(std::string_view v) noexcept {
  bool negative = false;
  if (!v.empty() && v.front() == '-') {
    negative = true;
    v.remove_prefix(1);
  }
  if (v.empty()) {
    return std::nullopt;
  }
  std::int64_t n = 0;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (char c : v) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const int digit = c - '0';
    n = n > (kMax - digit) / 10 ? kMax : n * 10 + digit;
  }
  return seconds(negative ? 0 : n);
}

std::optional<SameSite> parseSameSite(std::string_view v) noexcept {
  if (detail::equalsIgnoreCase(v, "Lax")) {
    return SameSite::Lax;
  }
  if (detail::equalsIgnoreCase(v, "Strict")) {
    return SameSite::Strict;
  }
  if (detail::equalsIgnoreCase(v, "None")) {
    return SameSite::None;
  }
  return std::nullopt;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = detail::toLowerAscii(c);
  }
  return out;
}

}  // namespace

const ClientCookieDecoder& ClientCookieDecoder::strict() noexcept {
  static const ClientCookieDecoder decoder(CookieDecoderConfig{.strict = true});
  return decoder;
}

const ClientCookieDecoder& ClientCookieDecoder::lax() noexcept {
  static const ClientCookieDecoder decoder(CookieDecoderConfig{.strict = false});
  return decoder;
}

std::optional<Cookie> ClientCookieDecoder::decode(std::string_view header) const {
  return decode(header, std::chrono::system_clock::now());
}

std::optional<Cookie> ClientCookieDecoder::decode(std::string_view header,
                                                  std::chrono::system_clock::time_point now) const {
  while (!header.empty() &&
         (header.front() == ' ' || header.front() == '\t' || header.front() == ';')) {
    header.remove_prefix(1);
  }
  // A field that starts with "," is the tail of several cookies folded into one, which
  // RFC 6265 3 forbids ("Origin servers SHOULD NOT fold multiple Set-Cookie header fields").
  if (header.empty() || header.front() == ',') {
    return std::nullopt;
  }

  // RFC 6265 5.2 steps 1-5: the name-value-pair runs to the first ";"; no "=" or an empty
  // name ignores the whole field.
  const std::size_t semi = header.find(';');
  const std::string_view pair = header.substr(0, semi);
  std::string_view attributes =
      semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view value = detail::trimOws(pair.substr(eq + 1));
  if (!value.empty() && value.back() == ',') {
    // What is left of an old server that folded several cookies with ",".
    value = detail::trimOws(value.substr(0, value.size() - 1));
  }
  std::optional<Cookie> cookie =
      detail::makeCookie(detail::trimOws(pair.substr(0, eq)), value, config_.strict);
  if (!cookie) {
    return std::nullopt;
  }

  // RFC 5.2 step 6 and 5.2.1-5.2.6: each cookie-av in turn; the last one of a name wins
  // (5.3 step 3 and following), an invalid one is ignored as if it were absent.
  std::optional<seconds> maxAge;
  std::optional<std::chrono::sys_seconds> expires;
  while (!attributes.empty()) {
    const std::size_t end = attributes.find(';');
    const std::string_view av = attributes.substr(0, end);
    attributes.remove_prefix(end == std::string_view::npos ? attributes.size() : end + 1);

    const std::size_t avEq = av.find('=');
    const std::string_view name = detail::trimOws(av.substr(0, avEq));
    const std::string_view v =
        avEq == std::string_view::npos ? std::string_view() : detail::trimOws(av.substr(avEq + 1));
    if (detail::equalsIgnoreCase(name, "Expires")) {
      if (auto t = HttpDateFormat::parse(v)) {
        expires = t;
      }
    } else if (detail::equalsIgnoreCase(name, "Max-Age")) {
      if (auto age = parseMaxAge(v)) {
        maxAge = age;
      }
    } else if (detail::equalsIgnoreCase(name, "Domain")) {
      // 5.2.3: an empty value SHOULD be ignored; a leading "." is dropped; lower case. What
      // still starts with "." (or is empty) domain-matches no host (5.1.3) and is ignored too.
      const std::string_view domain = !v.empty() && v.front() == '.' ? v.substr(1) : v;
      if (!domain.empty() && domain.front() != '.') {
        cookie->setDomain(toLower(domain));
      }
    } else if (detail::equalsIgnoreCase(name, "Path")) {
      // 5.2.4: a value that is empty or does not start with "/" means the default path.
      cookie->setPath(!v.empty() && v.front() == '/' ? std::optional<std::string>(std::string(v))
                                                     : std::nullopt);
    } else if (detail::equalsIgnoreCase(name, "Secure")) {
      cookie->setSecure(true);
    } else if (detail::equalsIgnoreCase(name, "HttpOnly")) {
      cookie->setHttpOnly(true);
    } else if (detail::equalsIgnoreCase(name, "SameSite")) {
      if (auto s = parseSameSite(v)) {
        cookie->setSameSite(s);
      }
    } else if (detail::equalsIgnoreCase(name, "Partitioned")) {
      cookie->setPartitioned(true);
    }
  }

  // 5.3 step 3: Max-Age takes precedence over Expires.
  if (maxAge) {
    cookie->setMaxAge(maxAge);
  } else if (expires) {
    // The seconds from now to the date, rounded up; computed in whole seconds since a date
    // like 31 Dec 9999 does not fit the clock's nanoseconds.
    const std::chrono::sys_seconds nowSeconds = std::chrono::floor<seconds>(now);
    const seconds left = *expires - nowSeconds;
    cookie->setMaxAge(left.count() > 0 ? left : seconds(0));
  }
  return cookie;
}

}  // namespace sluice::http
