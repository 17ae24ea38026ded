#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace sluice::detail {

/// A double-ended queue in one growable array whose slots are reused: once it has grown to
/// a channel's usual number of queued writes it allocates nothing more (std::deque allocates
/// a block every few entries). Slots are default-constructed and moved in and out.
template <typename T>
class RingBuffer {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  T& operator[](std::size_t i) noexcept { return slots_[(head_ + i) & (capacity_ - 1)]; }
  T& front() noexcept { return slots_[head_]; }

  /// Assigns the next free slot from `args` (field by field: no temporary element).
  template <typename... Args>
  void emplace_back(Args&&... args) {
    if (size_ == capacity_) {
      grow();
    }
    slots_[(head_ + size_) & (capacity_ - 1)].assign(std::forward<Args>(args)...);
    ++size_;
  }
  /// Moves the front element out.
  T pop_front() noexcept {
    T value = std::move(slots_[head_]);
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
    return value;
  }

 private:
  void grow() {
    const std::size_t capacity = capacity_ == 0 ? 16 : capacity_ * 2;
    auto slots = std::make_unique<T[]>(capacity);
    for (std::size_t i = 0; i < size_; ++i) {
      slots[i] = std::move((*this)[i]);
    }
    slots_ = std::move(slots);
    capacity_ = capacity;
    head_ = 0;
  }

  std::unique_ptr<T[]> slots_;
  std::size_t capacity_ = 0;  // a power of two
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sluice::detail
