#pragma once

#include <string_view>

namespace sluice {

/// The key of a typed attribute on a channel (Netty's AttributeKey). A key's identity is the
/// key object itself, so declare each one once, typically as a static constant:
///
/// ```cpp
/// static const sluice::AttributeKey<std::string> kUserName{"userName"};
/// channel.attr(kUserName).set("ada");
/// ```
///
/// The key must outlive every map it was used with.
template <typename T>
class AttributeKey {
 public:
  using ValueType = T;

  explicit constexpr AttributeKey(std::string_view name) noexcept : name_(name) {}
  AttributeKey(const AttributeKey&) = delete;
  AttributeKey& operator=(const AttributeKey&) = delete;

  constexpr std::string_view name() const noexcept { return name_; }

 private:
  std::string_view name_;
};

}  // namespace sluice
