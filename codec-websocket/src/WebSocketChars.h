#pragma once

// Small ASCII helpers for the handshake's header fields. Private to sluice::websocket.

#include <cstddef>
#include <string_view>

namespace sluice::websocket::detail {

/// Strips optional whitespace (SP and HTAB, RFC 9110 5.6.3) from both ends.
inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

/// ASCII case-insensitive equality (tokens, header values, origins).
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    x = (x >= 'A' && x <= 'Z') ? static_cast<char>(x + ('a' - 'A')) : x;
    y = (y >= 'A' && y <= 'Z') ? static_cast<char>(y + ('a' - 'A')) : y;
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace sluice::websocket::detail
