#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace sluice {

/// A channel's identity, unique within the process (Netty's ChannelId). Ids come from one
/// process-wide counter (see docs/core.md, "Process-wide state").
class ChannelId {
 public:
  /// The next id.
  static ChannelId next() noexcept;

  std::uint64_t value() const noexcept { return value_; }
  /// Eight hex digits, for logs ("[id: 1f3a9c02]").
  std::string asShortText() const;
  /// Sixteen hex digits.
  std::string asLongText() const;

  friend bool operator==(ChannelId a, ChannelId b) noexcept { return a.value_ == b.value_; }
  friend auto operator<=>(ChannelId a, ChannelId b) noexcept { return a.value_ <=> b.value_; }

 private:
  explicit ChannelId(std::uint64_t value) noexcept : value_(value) {}
  std::uint64_t value_;
};

}  // namespace sluice

template <>
struct std::hash<sluice::ChannelId> {
  std::size_t operator()(sluice::ChannelId id) const noexcept {
    return std::hash<std::uint64_t>()(id.value());
  }
};
