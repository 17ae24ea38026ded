#pragma once

#include <sluice/buffer/ByteBufAllocator.h>

#include <atomic>
#include <cstdint>

namespace sluice {

/// An allocator that takes every buffer from malloc and gives it back to free when its last
/// handle goes (Netty's UnpooledByteBufAllocator). Useful as a baseline and where memory
/// must return to the system at once. Thread: any.
class UnpooledByteBufAllocator final : public ByteBufAllocator, private detail::StorageOwner {
 public:
  UnpooledByteBufAllocator() = default;
  /// Logs an error if buffers are still alive: they must not outlive their allocator.
  ~UnpooledByteBufAllocator() override;

  ByteBufAllocatorMetrics metrics() const override;
  bool isPooled() const noexcept override { return false; }

  /// The process's unpooled allocator; it is never destroyed.
  static UnpooledByteBufAllocator& defaultAllocator() noexcept;

 protected:
  detail::ByteBufStorage* newStorage(std::size_t capacity) override;

 private:
  detail::ByteBufStorage* allocateStorage(std::size_t capacity) override;
  void releaseStorage(detail::ByteBufStorage* storage) noexcept override;

  std::atomic<std::uint64_t> allocations_{0};
  std::atomic<std::uint64_t> releases_{0};
  std::atomic<std::uint64_t> usedBytes_{0};
};

}  // namespace sluice
