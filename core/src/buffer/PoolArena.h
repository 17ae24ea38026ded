#pragma once

#include <sluice/buffer/detail/ByteBufStorage.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "buffer/SizeClasses.h"

namespace sluice::detail {

class PoolCore;

/// One arena of the pooled allocator (Netty's PoolArena): chunks carved into blocks, a free
/// list per size class, and one lock. Threads reach it in batches through their caches, so
/// the lock is taken once per refill or overflow, not per buffer. Blocks given out carry this
/// arena as their owner, which is how they find their way back.
class PoolArena final : public StorageOwner {
 public:
  explicit PoolArena(PoolCore& core) noexcept : core_(core) {}
  ~PoolArena();
  PoolArena(const PoolArena&) = delete;
  PoolArena& operator=(const PoolArena&) = delete;

  /// Fills `out` with up to `n` free blocks of `sizeClass`, headers set up, state kFreed, and
  /// returns how many (fewer only when memory runs out). Throws std::bad_alloc instead of
  /// returning 0.
  std::size_t allocateBatch(std::size_t sizeClass, ByteBufStorage** out, std::size_t n);
  /// Takes back `n` free blocks of this arena's, of any classes.
  void freeBatch(ByteBufStorage* const* blocks, std::size_t n) noexcept;

  PoolCore& core() const noexcept { return core_; }

  // Growth and release of a buffer whose block came from here go through the core, which
  // picks the calling thread's cache (defined in PoolCore.cpp).
  ByteBufStorage* allocateStorage(std::size_t capacity) override;
  void releaseStorage(ByteBufStorage* storage) noexcept override;

 private:
  struct FreeBlock {
    FreeBlock* next;  // overlays the header of a free block
  };
  struct Bin {
    FreeBlock* freeList = nullptr;
    std::uint8_t* bumpNext = nullptr;  // the part of the newest chunk not yet carved
    std::uint8_t* bumpEnd = nullptr;
  };

  PoolCore& core_;
  std::mutex mutex_;
  std::array<Bin, kNumSizeClasses> bins_{};
  std::vector<void*> chunks_;
};

}  // namespace sluice::detail
