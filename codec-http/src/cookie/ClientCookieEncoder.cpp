#include <sluice/http/cookie/ClientCookieEncoder.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "cookie/CookieUtil.h"

namespace sluice::http {

const ClientCookieEncoder& ClientCookieEncoder::strict() noexcept {
  static const ClientCookieEncoder encoder(CookieEncoderConfig{.strict = true});
  return encoder;
}

const ClientCookieEncoder& ClientCookieEncoder::lax() noexcept {
  static const ClientCookieEncoder encoder(CookieEncoderConfig{.strict = false});
  return encoder;
}

std::string ClientCookieEncoder::encode(std::string_view name, std::string_view value) const {
  std::string out;
  detail::appendCookiePair(out, name, value, false, config_.strict);
  return out;
}

std::string ClientCookieEncoder::encode(const Cookie& cookie) const {
  std::string out;
  detail::appendCookiePair(out, cookie.name(), cookie.value(), cookie.wrap(), config_.strict);
  return out;
}

std::string ClientCookieEncoder::encode(std::span<const Cookie> cookies) const {
  std::vector<const Cookie*> ordered;
  ordered.reserve(cookies.size());
  for (const Cookie& c : cookies) {
    ordered.push_back(&c);
  }
  // RFC 6265 5.4 step 2: longer paths first; equal lengths by creation time, which the
  // stable sort takes to be the order given.
  const auto pathLength = [](const Cookie* c) {
    return c->path() ? c->path()->size() : std::numeric_limits<std::size_t>::max();
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const Cookie* a, const Cookie* b) { return pathLength(a) > pathLength(b); });
  std::string out;
  for (const Cookie* c : ordered) {
    if (!out.empty()) {
      out.append("; ");  // RFC 6265 4.2.1: cookie-pair *( ";" SP cookie-pair )
    }
    detail::appendCookiePair(out, c->name(), c->value(), c->wrap(), config_.strict);
  }
  return out;
}

}  // namespace sluice::http
