#include <sluice/websocket/WebSocketExtensionData.h>

#include <cctype>

#include "WebSocketChars.h"

namespace sluice::websocket {
namespace {

using detail::trim;

using detail::equalsIgnoreCase;

// Splits `s` at each `sep` outside a quoted string (RFC 9110 5.6.4).
std::vector<std::string_view> splitOutsideQuotes(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == sep && !quoted) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(std::min(start, s.size())));
  return parts;
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') {
    return std::string(v);
  }
  std::string out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) {
      ++i;
    }
    out.push_back(v[i]);
  }
  return out;
}

}  // namespace

bool WebSocketExtensionData::hasParameter(std::string_view parameter) const noexcept {
  for (const auto& p : parameters) {
    if (equalsIgnoreCase(p.first, parameter)) {
      return true;
    }
  }
  return false;
}

std::vector<WebSocketExtensionData> WebSocketExtensionData::parse(std::string_view header) {
  std::vector<WebSocketExtensionData> out;
  for (std::string_view element : splitOutsideQuotes(header, ',')) {
    std::vector<std::string_view> parts = splitOutsideQuotes(element, ';');
    const std::string_view name = trim(parts.front());
    if (name.empty()) {
      continue;
    }
    WebSocketExtensionData data{std::string(name), {}};
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const std::string_view param = trim(parts[i]);
      if (param.empty()) {
        continue;
      }
      const std::size_t eq = param.find('=');
      if (eq == std::string_view::npos) {
        data.parameters.emplace_back(std::string(param), std::string());
      } else {
        data.parameters.emplace_back(std::string(trim(param.substr(0, eq))),
                                     unquote(param.substr(eq + 1)));
      }
    }
    out.push_back(std::move(data));
  }
  return out;
}

std::string WebSocketExtensionData::toString() const {
  std::string s = name;
  for (const auto& [param, value] : parameters) {
    s += "; ";
    s += param;
    if (!value.empty()) {
      s += '=';
      s += value;
    }
  }
  return s;
}

}  // namespace sluice::websocket
