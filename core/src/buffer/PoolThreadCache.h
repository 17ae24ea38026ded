#pragma once

#include <sluice/buffer/detail/ByteBufStorage.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "buffer/SizeClasses.h"

namespace sluice::detail {

class PoolArena;
class PoolCore;

/// Adds to a counter that has a single writer (a cache's thread) and any number of readers:
/// a relaxed load and store, never a locked read-modify-write, on the hot path.
inline void addToSingleWriterCounter(std::atomic<std::uint64_t>& counter,
                                     std::uint64_t n) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

/// Sums of counters, per size class where the block size matters. Differences are taken
/// modulo 2^64: a cache that frees more than it allocates (cross-thread frees) adds a
/// "negative" count, and the totals come out right.
struct PoolCounterTotals {
  std::array<std::uint64_t, kNumSizeClasses> allocations{};
  std::array<std::uint64_t, kNumSizeClasses> frees{};
  std::uint64_t cacheHits = 0;
};

/// One thread's free blocks of one pooled allocator (Netty's PoolThreadCache): per size
/// class, a "hot" slot holding the block released last, in front of a bounded stack. Only
/// its own thread touches them.
///
/// The hot slot is what makes the common pattern (allocate, use, release, allocate again)
/// cheap: the release parks the block in one pointer and the next allocation takes it back,
/// with no index to update in between.
class PoolThreadCache {
 public:
  PoolThreadCache(std::shared_ptr<PoolCore> core, PoolArena& arena);
  /// Gives every cached block back to its arena and folds the counters into the core.
  ~PoolThreadCache();
  PoolThreadCache(const PoolThreadCache&) = delete;
  PoolThreadCache& operator=(const PoolThreadCache&) = delete;

  /// A cached block of `sizeClass` (state kFreed, data possibly poisoned), or null when the
  /// class has none. Inline and call-free: the allocator's fast path.
  ByteBufStorage* tryAllocate(std::size_t sizeClass) noexcept {
    Bin& bin = bins_[sizeClass];
    ByteBufStorage* storage = bin.hot;
    if (storage != nullptr) [[likely]] {
      bin.hot = nullptr;
    } else if (bin.count != 0) {
      storage = bin.slots[--bin.count];
    } else {
      return nullptr;
    }
    addToSingleWriterCounter(bin.allocations, 1);
    return storage;
  }

  /// As tryAllocate(), refilling the class from this cache's arena when it has no block.
  /// Throws std::bad_alloc.
  ByteBufStorage* allocate(std::size_t sizeClass) {
    if (ByteBufStorage* storage = tryAllocate(sizeClass); storage != nullptr) {
      return storage;
    }
    return refill(sizeClass);  // counts the allocation, and the miss, once it succeeds
  }

  /// Takes a released block of this cache's allocator (from any arena of it).
  void free(ByteBufStorage* storage) noexcept {
    Bin& bin = bins_[storage->sizeClass];
    addToSingleWriterCounter(bin.frees, 1);
    if (bin.hot == nullptr && bin.limit != 0) [[likely]] {
      bin.hot = storage;
      return;
    }
    freeSlow(bin, storage);
  }

  /// Gives every cached block back to its arena.
  void trim() noexcept;

  PoolCore& core() const noexcept { return *core_; }
  PoolArena& arena() const noexcept { return arena_; }
  /// Adds this cache's counters to `totals`. Thread: any (the counters are atomic).
  void addCountersTo(PoolCounterTotals& totals) const noexcept;

 private:
  // One cache line a class. The counters live beside the blocks they count, in the line the
  // fast path touches anyway; only allocations that found the class empty are counted apart
  // (misses_), so a hit costs no counter of its own.
  struct alignas(64) Bin {
    ByteBufStorage* hot = nullptr;
    ByteBufStorage** slots = nullptr;  // the stack, below the hot slot: limit - 1 entries
    std::uint32_t count = 0;           // blocks on the stack
    std::uint32_t limit = 0;           // blocks the class may hold, hot slot included
    std::atomic<std::uint64_t> allocations{0};
    std::atomic<std::uint64_t> frees{0};

    std::uint32_t stackCapacity() const noexcept { return limit == 0 ? 0 : limit - 1; }
  };

  [[gnu::noinline]] ByteBufStorage* refill(std::size_t sizeClass);
  // free() when the hot slot is taken or the class is not cached.
  [[gnu::noinline]] void freeSlow(Bin& bin, ByteBufStorage* storage) noexcept;
  // Returns stack blocks [0, n) of `bin` to their arenas and shifts the rest down.
  void giveBack(Bin& bin, std::uint32_t n) noexcept;

  std::shared_ptr<PoolCore> core_;
  PoolArena& arena_;
  std::array<Bin, kNumSizeClasses> bins_{};
  std::unique_ptr<ByteBufStorage*[]> slotMemory_;
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace sluice::detail
