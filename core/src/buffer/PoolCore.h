#pragma once

#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/PooledByteBufAllocator.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "buffer/PoolArena.h"
#include "buffer/PoolThreadCache.h"
#include "buffer/SizeClasses.h"

namespace sluice::detail {

/// The state of one PooledByteBufAllocator, shared with the thread caches that hold its
/// blocks, so that it lives until the last of them is gone even if the allocator goes first.
/// It is also the owner of the unpooled blocks the allocator hands out for huge sizes.
class PoolCore final : public StorageOwner, public std::enable_shared_from_this<PoolCore> {
 public:
  explicit PoolCore(const PooledByteBufAllocatorConfig& config);
  ~PoolCore();
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  /// Storage with at least `capacity` usable bytes, refCnt 1, state kAlive.
  ByteBufStorage* allocate(std::size_t capacity);
  /// Takes back storage whose last reference went, on any thread.
  void release(ByteBufStorage* storage) noexcept;

  ByteBufAllocatorMetrics metrics() const;

  /// The allocator is gone: thread caches of this core are dropped when next noticed.
  void close() noexcept { closed_.store(true, std::memory_order_release); }
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  /// Drops (or trims) the calling thread's cache of this core, if it has one.
  void dropCurrentThreadCache() noexcept;
  void trimCurrentThreadCache() noexcept;

  /// How many free blocks of `sizeClass` a thread cache keeps.
  std::size_t cacheCapacity(std::size_t sizeClass) const noexcept {
    return cacheCapacity_[sizeClass];
  }
  void addReservedBytes(std::size_t n) noexcept {
    reservedBytes_.fetch_add(n, std::memory_order_relaxed);
  }
  void registerCache(PoolThreadCache* cache);
  /// Folds a dying cache's counters into the core's and forgets the cache.
  void retireCache(const PoolThreadCache& cache) noexcept;

  ByteBufStorage* allocateStorage(std::size_t capacity) override { return allocate(capacity); }
  void releaseStorage(ByteBufStorage* storage) noexcept override { release(storage); }

 private:
  // The calling thread's cache of this core, made on first use; null while the thread is
  // exiting, when caches are off, or once the allocator is gone.
  PoolThreadCache* findOrCreateCache();
  // The slow paths stay out of line, so that the fast paths need no stack frame.
  [[gnu::noinline]] ByteBufStorage* allocateSlow(std::size_t sizeClass);
  [[gnu::noinline]] void releaseSlow(ByteBufStorage* storage) noexcept;
  [[gnu::noinline]] ByteBufStorage* allocateHuge(std::size_t capacity);
  [[gnu::noinline]] void releaseHuge(ByteBufStorage* storage) noexcept;

  const std::size_t maxPooledBytes_;
  const bool cachesEnabled_;
  std::array<std::size_t, kNumSizeClasses> cacheCapacity_{};
  std::vector<std::unique_ptr<PoolArena>> arenas_;
  std::atomic<std::size_t> nextArena_{0};
  std::atomic<bool> closed_{false};

  std::atomic<std::uint64_t> reservedBytes_{0};
  // Counters of dead caches and of blocks allocated or freed with no cache, per size class.
  std::array<std::atomic<std::uint64_t>, kNumSizeClasses> otherAllocations_{};
  std::array<std::atomic<std::uint64_t>, kNumSizeClasses> otherFrees_{};
  std::atomic<std::uint64_t> otherCacheHits_{0};
  // Huge (unpooled) blocks: how many were made and freed, and the bytes of the live ones.
  std::atomic<std::uint64_t> hugeAllocations_{0};
  std::atomic<std::uint64_t> hugeFrees_{0};
  std::atomic<std::uint64_t> hugeBytes_{0};

  mutable std::mutex cachesMutex_;
  std::vector<PoolThreadCache*> caches_;
};

}  // namespace sluice::detail
