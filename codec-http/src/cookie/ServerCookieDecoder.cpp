#include <sluice/http/cookie/ServerCookieDecoder.h>

#include <algorithm>

#include "cookie/CookieUtil.h"

namespace sluice::http {
namespace {

// RFC 2965 3.3.4: a Cookie field of that era starts with a $Version pair and may separate
// its cookies with "," as well as ";".
bool isRfc2965(std::string_view header) noexcept {
  const std::size_t eq = header.find('=');
  return eq != std::string_view::npos &&
         detail::equalsIgnoreCase(detail::trimOws(header.substr(0, eq)), "$Version");
}

// RFC 2965 3.3.4 and RFC 2109 4.3.4: names starting with "$" are reserved for these
// attributes of the cookie before them, which RFC 6265 no longer sends and nobody reads.
bool isRfc2965Attribute(std::string_view name) noexcept {
  return detail::equalsIgnoreCase(name, "$Version") || detail::equalsIgnoreCase(name, "$Path") ||
         detail::equalsIgnoreCase(name, "$Domain") || detail::equalsIgnoreCase(name, "$Port");
}

}  // namespace

const ServerCookieDecoder& ServerCookieDecoder::strict() noexcept {
  static const ServerCookieDecoder decoder(CookieDecoderConfig{.strict = true});
  return decoder;
}

const ServerCookieDecoder& ServerCookieDecoder::lax() noexcept {
  static const ServerCookieDecoder decoder(CookieDecoderConfig{.strict = false});
  return decoder;
}

std::vector<Cookie> ServerCookieDecoder::decodeAll(std::string_view header) const {
  std::vector<Cookie> cookies;
  const bool rfc2965 = isRfc2965(header);
  const std::string_view separators = rfc2965 ? ";," : ";";
  while (!header.empty() && cookies.size() < config_.maxCookies) {
    // RFC 6265 4.2.1: cookie-string = cookie-pair *( ";" SP cookie-pair ). A user agent
    // never puts ";" in a name or value, quoted or not, so every ";" ends a pair.
    const std::size_t end = header.find_first_of(separators);
    const std::string_view pair =
        detail::trimOws(end == std::string_view::npos ? header : header.substr(0, end));
    header.remove_prefix(end == std::string_view::npos ? header.size() : end + 1);

    const std::size_t eq = pair.find('=');
    if (pair.empty() || eq == std::string_view::npos) {
      continue;
    }
    const std::string_view name = detail::trimOws(pair.substr(0, eq));
    if (isRfc2965Attribute(name)) {
      continue;
    }
    if (std::optional<Cookie> cookie =
            detail::makeCookie(name, detail::trimOws(pair.substr(eq + 1)), config_.strict)) {
      cookies.push_back(std::move(*cookie));
    }
  }
  return cookies;
}

std::vector<Cookie> ServerCookieDecoder::decode(std::string_view header) const {
  std::vector<Cookie> cookies = decodeAll(header);
  // A stable sort keeps the cookies of one name in the order sent, so unique keeps the first.
  std::stable_sort(cookies.begin(), cookies.end(),
                   [](const Cookie& a, const Cookie& b) { return a.name() < b.name(); });
  cookies.erase(std::unique(cookies.begin(), cookies.end(),
                            [](const Cookie& a, const Cookie& b) { return a.name() == b.name(); }),
                cookies.end());
  return cookies;
}

}  // namespace sluice::http
