#pragma once

#include "buffer/SizeClasses.h"

#include <sluice/buffer/detail/ByteBufStorage.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

namespace sluice::detail {

class PoolArena;
class PoolCore;

/// Counters with a single writer (the cache's thread) and any number of readers: a relaxed
/// load and store, never a locked read-modify-write, on the hot path.
struct PoolCacheCounters {
  std::atomic<std::uint64_t> allocations{0};
  std::atomic<std::uint64_t> cacheHits{0};
  std::atomic<std::uint64_t> allocatedBytes{0};
  std::atomic<std::uint64_t> frees{0};
  std::atomic<std::uint64_t> freedBytes{0};

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

/// One thread's free blocks of one pooled allocator (Netty's PoolThreadCache): a bounded
/// stack per size class. Only its own thread touches the stacks.
class PoolThreadCache {
 public:
  PoolThreadCache(std::shared_ptr<PoolCore> core, PoolArena& arena);
  /// Gives every cached block back to its arena and folds the counters into the core.
  ~PoolThreadCache();
  PoolThreadCache(const PoolThreadCache&) = delete;
  PoolThreadCache& operator=(const PoolThreadCache&) = delete;

  /// A block of `sizeClass` (state kFreed, data possibly poisoned): from the stack, or a
  /// refilled batch from this cache's arena. Throws std::bad_alloc.
  ByteBufStorage* allocate(std::size_t sizeClass) {
    Bin& bin = bins_[sizeClass];
    PoolCacheCounters::add(counters_.allocations, 1);
    PoolCacheCounters::add(counters_.allocatedBytes, sizeClassBytes(sizeClass));
    if (bin.count != 0) [[likely]] {
      PoolCacheCounters::add(counters_.cacheHits, 1);
      return bin.slots[--bin.count];
    }
    return refill(sizeClass);
  }

  /// Takes a released block of this cache's allocator (from any arena of it).
  void free(ByteBufStorage* storage) noexcept {
    const std::size_t sizeClass = storage->sizeClass;
    Bin& bin = bins_[sizeClass];
    PoolCacheCounters::add(counters_.frees, 1);
    PoolCacheCounters::add(counters_.freedBytes, sizeClassBytes(sizeClass));
    if (bin.count == bin.capacity) [[unlikely]] {
      overflow(storage);
      return;
    }
    bin.slots[bin.count++] = storage;
  }

  /// Gives every cached block back to its arena.
  void trim() noexcept;

  PoolCore& core() const noexcept { return *core_; }
  PoolArena& arena() const noexcept { return arena_; }
  const PoolCacheCounters& counters() const noexcept { return counters_; }

 private:
  struct Bin {
    ByteBufStorage** slots = nullptr;
    std::uint32_t count = 0;
    std::uint32_t capacity = 0;
  };

  ByteBufStorage* refill(std::size_t sizeClass);
  void overflow(ByteBufStorage* storage) noexcept;
  // Returns blocks [0, n) of `bin` to their arenas and shifts the rest down.
  void giveBack(Bin& bin, std::uint32_t n) noexcept;

  std::shared_ptr<PoolCore> core_;
  PoolArena& arena_;
  std::array<Bin, kNumSizeClasses> bins_{};
  std::unique_ptr<ByteBufStorage*[]> slotMemory_;
  PoolCacheCounters counters_;
};

}  // namespace sluice::detail
