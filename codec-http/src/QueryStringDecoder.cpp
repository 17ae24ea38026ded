#include <sluice/http/QueryStringDecoder.h>

#include <functional>
#include <utility>

#include "HttpChars.h"

namespace sluice::http {
namespace {

using detail::hexValue;

// Appends the percent-decoded `s` to `out`; returns whether every escape was well formed.
// A malformed one is kept as it is (WHATWG URL standard, "percent-decode": a '%' not
// followed by two hex digits is an ordinary byte).
bool decodeInto(std::string& out, std::string_view s, bool plusIsSpace) {
  bool valid = true;
  out.reserve(out.size() + s.size());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[i];
    if (c == '%') {
      // RFC 3986 2.1: pct-encoded = "%" HEXDIG HEXDIG.
      const int hi = i + 2 < n ? hexValue(s[i + 1]) : -1;
      const int lo = hi >= 0 ? hexValue(s[i + 2]) : -1;
      if (lo >= 0) {
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
      } else {
        valid = false;
        out.push_back('%');
      }
    } else {
      out.push_back(c == '+' && plusIsSpace ? ' ' : c);
    }
  }
  return valid;
}

bool isAlpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Where the path of an absolute-form target ("http://host:80/p?q", RFC 9112 3.2.2) starts:
// after scheme "://" authority (RFC 3986 3). 0 for any other target.
std::size_t absoluteFormPathBegin(std::string_view uri) noexcept {
  // RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
  if (uri.empty() || !isAlpha(uri[0])) {
    return 0;
  }
  std::size_t i = 1;
  while (i < uri.size() && (isAlpha(uri[i]) || (uri[i] >= '0' && uri[i] <= '9') || uri[i] == '+' ||
                            uri[i] == '-' || uri[i] == '.')) {
    ++i;
  }
  if (uri.substr(i, 3) != "://") {
    return 0;
  }
  // RFC 3986 3.2: the authority ends at the next '/', '?' or '#', or at the end.
  const std::size_t end = uri.find_first_of("/?#", i + 3);
  return end == std::string_view::npos ? uri.size() : end;
}

}  // namespace

std::span<const std::string> QueryParameters::get(std::string_view name) const noexcept {
  const std::size_t i = find(name);
  if (i == kNotFound) {
    return {};
  }
  return entries_[i].values;
}

std::optional<std::string_view> QueryParameters::getFirst(std::string_view name) const noexcept {
  const std::size_t i = find(name);
  if (i == kNotFound) {
    return std::nullopt;
  }
  return std::string_view(entries_[i].values.front());
}

std::size_t QueryParameters::find(std::string_view name) const noexcept {
  if (index_.empty()) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].name == name) {
        return i;
      }
    }
    return kNotFound;
  }
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = std::hash<std::string_view>{}(name)&mask;; slot = (slot + 1) & mask) {
    const std::uint32_t e = index_[slot];
    if (e == 0) {
      return kNotFound;
    }
    if (entries_[e - 1].name == name) {
      return e - 1;
    }
  }
}

void QueryParameters::insertIntoIndex(std::size_t entry) noexcept {
  const std::size_t mask = index_.size() - 1;
  std::size_t slot = std::hash<std::string_view>{}(entries_[entry].name) & mask;
  while (index_[slot] != 0) {
    slot = (slot + 1) & mask;
  }
  index_[slot] = static_cast<std::uint32_t>(entry + 1);
}

void QueryParameters::rebuildIndex() {
  std::size_t slots = 16;
  while (slots < 2 * entries_.size()) {
    slots *= 2;
  }
  index_.assign(slots, 0);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    insertIntoIndex(i);
  }
}

void QueryParameters::add(std::string name, std::string value) {
  ++valueCount_;
  const std::size_t i = find(name);
  if (i != kNotFound) {
    entries_[i].values.push_back(std::move(value));
    return;
  }
  entries_.push_back(Entry{std::move(name), {}});
  entries_.back().values.push_back(std::move(value));
  const std::size_t n = entries_.size();
  if (n < kIndexThreshold) {
    return;  // found by a linear scan
  }
  if (index_.empty() || 2 * n > index_.size()) {
    rebuildIndex();  // build it, or grow it to stay at most half full
  } else {
    insertIntoIndex(n - 1);
  }
}

QueryStringDecoder::QueryStringDecoder(std::string_view uri, QueryStringDecoderConfig config)
    : uri_(uri) {
  const std::string_view s(uri_);
  if (config.hasPath) {
    pathBegin_ = absoluteFormPathBegin(s);
    pathEnd_ = s.find_first_of("?#", pathBegin_);
    if (pathEnd_ == std::string_view::npos) {
      pathEnd_ = s.size();
    }
    valid_ = decodeInto(path_, rawPath(), /*plusIsSpace=*/false);
    queryBegin_ = pathEnd_ < s.size() && s[pathEnd_] == '?' ? pathEnd_ + 1 : pathEnd_;
    queryEnd_ = queryBegin_ == pathEnd_ ? pathEnd_ : s.find('#', queryBegin_);
  } else {
    // A query string alone; a leading '?' is tolerated, as Netty does.
    queryBegin_ = !s.empty() && s[0] == '?' ? 1 : 0;
    queryEnd_ = s.find('#', queryBegin_);
  }
  if (queryEnd_ == std::string_view::npos) {
    queryEnd_ = s.size();
  }
  decodeParams(config);
}

void QueryStringDecoder::decodeParams(const QueryStringDecoderConfig& config) {
  const std::string_view q = rawQuery();
  std::size_t count = 0;
  if (config.maxParams == 0) {
    return;
  }
  // Adds the parameter in q[nameStart, end), whose value starts at valueStart when
  // hasValue; returns whether there was one (an empty name is none).
  auto addParam = [&](std::size_t nameStart, bool hasValue, std::size_t valueStart,
                      std::size_t end) {
    if (nameStart >= end) {
      return false;
    }
    std::string name;
    std::string value;
    const std::size_t nameEnd = hasValue ? valueStart - 1 : end;
    valid_ &= decodeInto(name, q.substr(nameStart, nameEnd - nameStart), true);
    if (hasValue) {
      valid_ &= decodeInto(value, q.substr(valueStart, end - valueStart), true);
    }
    parameters_.add(std::move(name), std::move(value));
    return true;
  };
  std::size_t nameStart = 0;
  std::size_t valueStart = 0;
  bool hasValue = false;
  for (std::size_t i = 0; i < q.size(); ++i) {
    const char c = q[i];
    if (c == '=') {
      if (nameStart == i) {
        nameStart = i + 1;  // "=v" and "==": no name, so no parameter
      } else if (!hasValue) {
        hasValue = true;  // the first '=' ends the name; later ones belong to the value
        valueStart = i + 1;
      }
    } else if (c == '&' || (c == ';' && !config.semicolonIsNormalChar)) {
      if (addParam(nameStart, hasValue, valueStart, i) && ++count == config.maxParams) {
        return;  // the limit: the rest is ignored, as in Netty
      }
      nameStart = i + 1;
      hasValue = false;
    }
  }
  addParam(nameStart, hasValue, valueStart, q.size());
}

std::string QueryStringDecoder::decodeComponent(std::string_view s, bool plusIsSpace) {
  std::string out;
  decodeInto(out, s, plusIsSpace);
  return out;
}

std::optional<std::string> QueryStringDecoder::tryDecodeComponent(std::string_view s,
                                                                  bool plusIsSpace) {
  std::string out;
  if (!decodeInto(out, s, plusIsSpace)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace sluice::http
