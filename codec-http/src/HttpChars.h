#pragma once

// Character classes of RFC 9110 5.6 and 5.5 and small ASCII helpers shared by the headers,
// the decoders and the encoders. Private to sluice::http.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::http::detail {

enum CharClass : std::uint8_t {
  kTokenChar = 1,       // tchar (RFC 9110 5.6.2)
  kFieldValueChar = 2,  // field-vchar, SP or HTAB (RFC 9110 5.5): VCHAR / obs-text / SP / HTAB
  kUriChar = 4,         // anything but CTLs, SP and DEL in a request target (RFC 9112 3.2)
};

constexpr std::array<std::uint8_t, 256> makeCharClasses() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t bits = 0;
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      bits |= kTokenChar;
    }
    if ((c >= 0x21 && c <= 0x7E) || c >= 0x80 || c == ' ' || c == '\t') {
      bits |= kFieldValueChar;
    }
    if ((c >= 0x21 && c <= 0x7E) || c >= 0x80) {
      bits |= kUriChar;
    }
    t[static_cast<std::size_t>(c)] = bits;
  }
  return t;
}

inline constexpr std::array<std::uint8_t, 256> kCharClasses = makeCharClasses();

inline bool hasClass(char c, CharClass cls) noexcept {
  return (kCharClasses[static_cast<std::uint8_t>(c)] & cls) != 0;
}

inline bool isToken(std::string_view s) noexcept {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!hasClass(c, kTokenChar)) {
      return false;
    }
  }
  return true;
}

/// A field value as RFC 9110 5.5 allows it once trimmed: no CR, LF, NUL or other CTL but HTAB.
inline bool isFieldValue(std::string_view s) noexcept {
  for (char c : s) {
    if (!hasClass(c, kFieldValueChar)) {
      return false;
    }
  }
  return true;
}

/// The value of a hexadecimal digit, or -1 for any other character.
inline int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

inline char toLowerAscii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (toLowerAscii(a[i]) != toLowerAscii(b[i])) {
      return false;
    }
  }
  return true;
}

/// Strips optional whitespace (SP and HTAB, RFC 9110 5.6.3) from both ends.
inline std::string_view trimOws(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

/// Calls f(element) for each non-empty element of a comma-separated list (RFC 9110 5.6.1),
/// trimmed; stops early when f returns true, and returns whether it did.
template <typename F>
bool forEachListElement(std::string_view list, F&& f) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view element =
        trimOws(comma == std::string_view::npos ? list : list.substr(0, comma));
    if (!element.empty() && f(element)) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace sluice::http::detail
