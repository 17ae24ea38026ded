#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace sluice::http {

/// An HTTP protocol version: HTTP/1.0 or HTTP/1.1 (RFC 9112 2.3). A small value type.
///
/// The decoders accept exactly "HTTP/1.0" and "HTTP/1.1"; any other version is a failed
/// message (Netty also accepts other "HTTP/x.y" spellings; sluice speaks only these two).
class HttpVersion {
 public:
  static const HttpVersion kHttp10;
  static const HttpVersion kHttp11;

  /// Parses "HTTP/1.0" or "HTTP/1.1" (case-sensitive, RFC 9112 2.3); nullopt otherwise.
  static std::optional<HttpVersion> parse(std::string_view text) noexcept;

  int majorVersion() const noexcept { return 1; }
  int minorVersion() const noexcept { return minor_; }
  /// Whether connections stay open by default (true for HTTP/1.1, RFC 9112 9.3).
  bool isKeepAliveDefault() const noexcept { return minor_ == 1; }
  /// "HTTP/1.0" or "HTTP/1.1".
  std::string_view text() const noexcept { return minor_ == 1 ? "HTTP/1.1" : "HTTP/1.0"; }

  friend bool operator==(HttpVersion a, HttpVersion b) noexcept = default;

 private:
  constexpr explicit HttpVersion(int minor) noexcept : minor_(minor) {}
  int minor_;
};

inline constexpr HttpVersion HttpVersion::kHttp10{0};
inline constexpr HttpVersion HttpVersion::kHttp11{1};

}  // namespace sluice::http

template <>
struct fmt::formatter<sluice::http::HttpVersion> : fmt::formatter<std::string_view> {
  auto format(sluice::http::HttpVersion v, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(v.text(), ctx);
  }
};
