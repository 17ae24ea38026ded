#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::http {

/// A request method (RFC 9110 9). The nine standard methods are constants that compare by
/// one integer; any other token is an extension method that keeps its spelling. Methods are
/// case-sensitive: "get" is an extension method, not GET.
class HttpMethod {
 public:
  static const HttpMethod kGet;
  static const HttpMethod kHead;
  static const HttpMethod kPost;
  static const HttpMethod kPut;
  static const HttpMethod kDelete;
  static const HttpMethod kConnect;
  static const HttpMethod kOptions;
  static const HttpMethod kTrace;
  static const HttpMethod kPatch;

  /// The method named `name`: a standard one, or an extension method. `name` must be a
  /// token (RFC 9110 5.6.2); throws std::invalid_argument otherwise.
  static HttpMethod valueOf(std::string_view name);
  /// As valueOf, for names already checked to be tokens (the decoder's path).
  static HttpMethod fromValidatedToken(std::string_view name);

  std::string_view name() const noexcept {
    return id_ == kExtension ? std::string_view(*extension_) : kNames[id_];
  }

  friend bool operator==(const HttpMethod& a, const HttpMethod& b) noexcept {
    return a.id_ == b.id_ && (a.id_ != kExtension || *a.extension_ == *b.extension_);
  }

 private:
  static constexpr std::uint8_t kExtension = 9;
  static constexpr std::string_view kNames[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  constexpr explicit HttpMethod(std::uint8_t id) noexcept : id_(id) {}
  explicit HttpMethod(std::string name)
      : id_(kExtension), extension_(std::make_shared<const std::string>(std::move(name))) {}

  std::uint8_t id_;
  // The spelling of an extension method; null for the standard ones, so copying those
  // touches no reference count.
  std::shared_ptr<const std::string> extension_;
};

constinit inline const HttpMethod HttpMethod::kGet{0};
constinit inline const HttpMethod HttpMethod::kHead{1};
constinit inline const HttpMethod HttpMethod::kPost{2};
constinit inline const HttpMethod HttpMethod::kPut{3};
constinit inline const HttpMethod HttpMethod::kDelete{4};
constinit inline const HttpMethod HttpMethod::kConnect{5};
constinit inline const HttpMethod HttpMethod::kOptions{6};
constinit inline const HttpMethod HttpMethod::kTrace{7};
constinit inline const HttpMethod HttpMethod::kPatch{8};

}  // namespace sluice::http

template <>
struct fmt::formatter<sluice::http::HttpMethod> : fmt::formatter<std::string_view> {
  auto format(const sluice::http::HttpMethod& m, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(m.name(), ctx);
  }
};
