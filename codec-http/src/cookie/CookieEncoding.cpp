// The checks both cookie encoders make before they write a name, a value or an attribute.

#include <fmt/format.h>

#include <stdexcept>

#include "cookie/CookieUtil.h"

namespace sluice::http::detail {
namespace {

// A character named in an error message: printable ones as themselves, others in hex, so
// that a message never carries a CR or LF into a log line.
std::string describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u <= 0x7E) {
    return fmt::format("'{}'", c);
  }
  return fmt::format("0x{:02X}", static_cast<unsigned>(u));
}

[[noreturn]] void refuse(std::string_view what, char c) {
  throw std::invalid_argument(
      fmt::format("{} contains an invalid character: {}", what, describe(c)));
}

// RFC 9110 5.5: no CTL but HTAB in a field value, in either mode; anything else could end
// the Set-Cookie line and start another.
void checkFieldValue(std::string_view what, std::string_view s) {
  for (char c : s) {
    if (!hasClass(c, kFieldValueChar)) {
      refuse(what, c);
    }
  }
}

}  // namespace

void checkCookieName(std::string_view name, bool strict) {
  if (!strict) {
    checkFieldValue("cookie name", name);
    return;
  }
  // RFC 6265 4.1.1: cookie-name = token.
  if (name.empty()) {
    throw std::invalid_argument("cookie name is empty");
  }
  for (char c : name) {
    if (!hasClass(c, kTokenChar)) {
      refuse("cookie name", c);
    }
  }
}

void checkCookieValue(std::string_view value, bool wrap, bool strict) {
  // A value may carry its own quotes (as Netty allows) unless wrap() is to add them.
  const bool quoted = !wrap && value.size() >= 2 && value.front() == '"' && value.back() == '"';
  if (!strict) {
    checkFieldValue("cookie value", value);
    return;
  }
  // RFC 6265 4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ).
  const std::string_view inner = quoted ? value.substr(1, value.size() - 2) : value;
  const std::size_t bad = firstInvalidCookieOctet(inner);
  if (bad != std::string_view::npos) {
    refuse("cookie value", inner[bad]);
  }
}

void checkCookieAttribute(std::string_view attribute, std::string_view value, bool strict) {
  if (!strict) {
    checkFieldValue(attribute, value);
    return;
  }
  // RFC 6265 4.1.1: path-value = <any CHAR except CTLs or ";">. Domain is held to the same
  // rule, as in Netty: what matters here is that it cannot break the field's syntax.
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E || c == ';') {
      refuse(attribute, c);
    }
  }
}

void appendCookiePair(std::string& out, std::string_view name, std::string_view value, bool wrap,
                      bool strict) {
  checkCookieName(name, strict);
  checkCookieValue(value, wrap, strict);
  out.append(name);
  out.push_back('=');
  if (wrap) {
    out.push_back('"');
    out.append(value);
    out.push_back('"');
  } else {
    out.append(value);
  }
}

}  // namespace sluice::http::detail
