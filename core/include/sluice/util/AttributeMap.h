#pragma once

#include <sluice/util/AttributeKey.h>

#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace sluice {

namespace detail {
class AttributeBase {
 public:
  virtual ~AttributeBase() = default;
};
}  // namespace detail

/// One attribute's slot: empty or holding a T (Netty's Attribute).
///
/// Thread: the slot's address is stable and may be used from any thread, but its value is
/// not synchronised; per-connection state is normally touched on the channel's loop only.
template <typename T>
class Attribute final : public detail::AttributeBase {
 public:
  /// The value, or null when unset.
  T* get() noexcept { return value_ ? &*value_ : nullptr; }
  const T* get() const noexcept { return value_ ? &*value_ : nullptr; }
  bool isSet() const noexcept { return value_.has_value(); }
  void set(T value) { value_ = std::move(value); }
  /// The current value if set; otherwise sets `value` and returns it.
  T& setIfAbsent(T value) {
    if (!value_) {
      value_ = std::move(value);
    }
    return *value_;
  }
  /// Sets `value`, returning the previous one.
  std::optional<T> getAndSet(T value) { return std::exchange(value_, std::move(value)); }
  /// Clears the slot, returning what it held.
  std::optional<T> getAndRemove() { return std::exchange(value_, std::nullopt); }
  void remove() noexcept { value_.reset(); }

 private:
  std::optional<T> value_;
};

/// Typed attributes keyed by AttributeKey (Netty's AttributeMap). Thread: any.
class AttributeMap {
 public:
  AttributeMap() = default;
  AttributeMap(const AttributeMap&) = delete;
  AttributeMap& operator=(const AttributeMap&) = delete;

  /// The slot for `key`, made empty on first use.
  template <typename T>
  Attribute<T>& attr(const AttributeKey<T>& key) {
    std::lock_guard lock(mutex_);
    for (auto& [k, slot] : slots_) {
      if (k == &key) {
        return static_cast<Attribute<T>&>(*slot);
      }
    }
    slots_.emplace_back(&key, std::make_unique<Attribute<T>>());
    return static_cast<Attribute<T>&>(*slots_.back().second);
  }

  /// True when `key`'s slot exists and holds a value.
  template <typename T>
  bool hasAttr(const AttributeKey<T>& key) const {
    std::lock_guard lock(mutex_);
    for (const auto& [k, slot] : slots_) {
      if (k == &key) {
        return static_cast<const Attribute<T>&>(*slot).isSet();
      }
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<const void*, std::unique_ptr<detail::AttributeBase>>> slots_;
};

}  // namespace sluice
