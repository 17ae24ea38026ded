#include "buffer/PoolThreadCache.h"

#include <algorithm>
#include <utility>

#include "buffer/PoolArena.h"
#include "buffer/PoolCore.h"

namespace sluice::detail {

PoolThreadCache::PoolThreadCache(std::shared_ptr<PoolCore> core, PoolArena& arena)
    : core_(std::move(core)), arena_(arena) {
  std::size_t total = 0;
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    bins_[c].limit = static_cast<std::uint32_t>(core_->cacheCapacity(c));
    total += bins_[c].stackCapacity();
  }
  slotMemory_ = std::make_unique<ByteBufStorage*[]>(total);
  ByteBufStorage** next = slotMemory_.get();
  for (Bin& bin : bins_) {
    bin.slots = next;
    next += bin.stackCapacity();
  }
}

PoolThreadCache::~PoolThreadCache() {
  trim();
  core_->retireCache(*this);
}

ByteBufStorage* PoolThreadCache::refill(std::size_t sizeClass) {
  Bin& bin = bins_[sizeClass];
  ByteBufStorage* storage = nullptr;
  if (bin.stackCapacity() == 0) {
    // A class too large to cache, or one cached in the hot slot alone: one block at a time.
    arena_.allocateBatch(sizeClass, &storage, 1);
  } else {
    // Half of what the class may hold: enough to make the lock rare, not so much that a
    // thread hoards.
    const std::size_t want = std::max<std::size_t>(1, bin.limit / 2);
    bin.count = static_cast<std::uint32_t>(arena_.allocateBatch(sizeClass, bin.slots, want));
    storage = bin.slots[--bin.count];
  }
  addToSingleWriterCounter(bin.allocations, 1);
  addToSingleWriterCounter(misses_, 1);
  return storage;
}

void PoolThreadCache::freeSlow(Bin& bin, ByteBufStorage* storage) noexcept {
  if (bin.limit == 0) {
    static_cast<PoolArena*>(storage->owner)->freeBatch(&storage, 1);
    return;
  }
  // The newest block takes the hot slot; the one it displaces goes on the stack.
  ByteBufStorage* older = std::exchange(bin.hot, storage);
  const std::uint32_t capacity = bin.stackCapacity();
  if (capacity == 0) {
    static_cast<PoolArena*>(older->owner)->freeBatch(&older, 1);
    return;
  }
  if (bin.count == capacity) {
    // The oldest half goes back; the newest blocks, likeliest still in the CPU cache, stay.
    giveBack(bin, std::max<std::uint32_t>(1, capacity / 2));
  }
  bin.slots[bin.count++] = older;
}

void PoolThreadCache::giveBack(Bin& bin, std::uint32_t n) noexcept {
  // Each block goes home to its own arena, so memory freed far from where it was allocated
  // still returns to the arena that allocates it. Runs of one arena take one lock.
  std::uint32_t start = 0;
  while (start < n) {
    auto* arena = static_cast<PoolArena*>(bin.slots[start]->owner);
    std::uint32_t end = start + 1;
    while (end < n && bin.slots[end]->owner == arena) {
      ++end;
    }
    arena->freeBatch(bin.slots + start, end - start);
    start = end;
  }
  std::copy(bin.slots + n, bin.slots + bin.count, bin.slots);
  bin.count -= n;
}

void PoolThreadCache::trim() noexcept {
  for (Bin& bin : bins_) {
    if (ByteBufStorage* hot = std::exchange(bin.hot, nullptr); hot != nullptr) {
      static_cast<PoolArena*>(hot->owner)->freeBatch(&hot, 1);
    }
    giveBack(bin, bin.count);
  }
}

void PoolThreadCache::addCountersTo(PoolCounterTotals& totals) const noexcept {
  std::uint64_t allocations = 0;
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    const std::uint64_t n = bins_[c].allocations.load(std::memory_order_relaxed);
    totals.allocations[c] += n;
    totals.frees[c] += bins_[c].frees.load(std::memory_order_relaxed);
    allocations += n;
  }
  totals.cacheHits += allocations - misses_.load(std::memory_order_relaxed);
}

}  // namespace sluice::detail
