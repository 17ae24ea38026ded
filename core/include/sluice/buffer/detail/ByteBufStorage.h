#pragma once

#include <sluice/util/Assert.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sluice {
class ByteBufAllocator;
}

namespace sluice::detail {

struct ByteBufStorage;

/// What gives a ByteBufStorage its memory and takes it back: an allocator, or one arena of
/// the pooled allocator. Growth of a buffer asks the owner of its current memory for more.
class StorageOwner {
 public:
  /// Returns storage with at least `capacity` usable bytes and a reference count of one.
  /// Throws std::bad_alloc when no memory can be had.
  virtual ByteBufStorage* allocateStorage(std::size_t capacity) = 0;
  /// Takes back storage whose reference count reached zero. Thread: any.
  virtual void releaseStorage(ByteBufStorage* storage) noexcept = 0;

 protected:
  StorageOwner() = default;
  ~StorageOwner() = default;
  StorageOwner(const StorageOwner&) = default;
  StorageOwner& operator=(const StorageOwner&) = default;
};

/// The header in front of every buffer's bytes: one allocation holds both, so a buffer costs
/// one block from its allocator. The reference count is intrusive and never visible through
/// ByteBuf's API; handles retain on copy-like calls (slice, duplicate) and release when
/// destroyed.
struct alignas(16) ByteBufStorage {
  static constexpr std::uint8_t kAlive = 0xA1;
  static constexpr std::uint8_t kFreed = 0xDE;
  static constexpr std::uint8_t kTracked = 1;  // flags: registered with the leak detector

  std::atomic<std::uint32_t> refCnt{1};
  /// Usable bytes after the header (at least what was asked for; the rest is free growth).
  std::uint32_t capacity = 0;
  StorageOwner* owner = nullptr;
  /// The pooled allocator's size class, or kUnpooled.
  std::uint16_t sizeClass = 0;
  std::uint8_t flags = 0;
  /// kAlive while a handle refers to it; kFreed once released (checked in debug builds).
  std::uint8_t state = kAlive;
  std::uint32_t reserved = 0;

  static constexpr std::uint16_t kUnpooled = 0xFFFF;

  std::uint8_t* data() noexcept { return reinterpret_cast<std::uint8_t*>(this + 1); }
};
static_assert(sizeof(ByteBufStorage) == 32, "the header is part of every size class");

/// Out of line: leak-detector bookkeeping, then hands the storage back to its owner.
void deallocateStorage(ByteBufStorage* storage) noexcept;

inline void retainStorage(ByteBufStorage* storage) noexcept {
  SLUICE_DCHECK(storage->state == ByteBufStorage::kAlive, "retain after the last release");
  storage->refCnt.fetch_add(1, std::memory_order_relaxed);
}

inline void releaseStorage(ByteBufStorage* storage) noexcept {
  SLUICE_DCHECK(storage->state == ByteBufStorage::kAlive, "release after the last release");
  // A count of one means the caller holds the only reference: no other thread can hold a
  // handle to race with, so the last release skips the atomic read-modify-write.
  if (storage->refCnt.load(std::memory_order_acquire) == 1 ||
      storage->refCnt.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    deallocateStorage(storage);
  }
}

}  // namespace sluice::detail
