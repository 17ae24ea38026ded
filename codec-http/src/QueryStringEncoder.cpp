#include <sluice/http/QueryStringEncoder.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace sluice::http {
namespace {

// RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
bool isUnreserved(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

QueryStringEncoder::QueryStringEncoder(std::string uri) : uri_(std::move(uri)) {
  const std::size_t question = uri_.find('?');
  hasQuery_ = question != std::string::npos;
  // "/p?" and "/p?a=1&" need no separator before the next parameter; "/p?a=1" does.
  needsSeparator_ = hasQuery_ && uri_.back() != '?' && uri_.back() != '&';
}

void QueryStringEncoder::startParam() {
  if (!hasQuery_) {
    uri_.push_back('?');
    hasQuery_ = true;
  } else if (needsSeparator_) {
    uri_.push_back('&');
  }
  needsSeparator_ = true;
}

void QueryStringEncoder::addParam(std::string_view name, std::string_view value) {
  startParam();
  encodeComponent(uri_, name);
  uri_.push_back('=');
  encodeComponent(uri_, value);
}

void QueryStringEncoder::addParam(std::string_view name) {
  startParam();
  encodeComponent(uri_, name);
}

std::string QueryStringEncoder::encodeComponent(std::string_view s) {
  std::string out;
  encodeComponent(out, s);
  return out;
}

void QueryStringEncoder::encodeComponent(std::string& out, std::string_view s) {
  // RFC 3986 2.1: for consistency, producers should use upper-case hex digits.
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::size_t escaped = 0;
  for (char c : s) {
    escaped += isUnreserved(c) ? 0U : 1U;
  }
  out.reserve(out.size() + s.size() + 2 * escaped);
  for (char c : s) {
    if (isUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<std::uint8_t>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4U]);
      out.push_back(kHex[b & 0xFU]);
    }
  }
}

}  // namespace sluice::http
