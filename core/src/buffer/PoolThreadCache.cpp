#include "buffer/PoolThreadCache.h"

#include "buffer/PoolArena.h"
#include "buffer/PoolCore.h"

namespace sluice::detail {

PoolThreadCache::PoolThreadCache(std::shared_ptr<PoolCore> core, PoolArena& arena)
    : core_(std::move(core)), arena_(arena) {
  std::size_t total = 0;
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    total += core_->cacheCapacity(c);
  }
  slotMemory_ = std::make_unique<ByteBufStorage*[]>(total);
  ByteBufStorage** next = slotMemory_.get();
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    bins_[c].slots = next;
    bins_[c].capacity = static_cast<std::uint32_t>(core_->cacheCapacity(c));
    next += bins_[c].capacity;
  }
}

PoolThreadCache::~PoolThreadCache() {
  trim();
  core_->retireCounters(counters_);
}

ByteBufStorage* PoolThreadCache::refill(std::size_t sizeClass) {
  Bin& bin = bins_[sizeClass];
  if (bin.capacity == 0) {
    // Classes too large to cache go to the arena one block at a time.
    ByteBufStorage* storage = nullptr;
    arena_.allocateBatch(sizeClass, &storage, 1);
    return storage;
  }
  // Half the stack: enough to make the lock rare, not so much that a thread hoards.
  const std::size_t want = std::max<std::size_t>(1, bin.capacity / 2);
  bin.count = static_cast<std::uint32_t>(arena_.allocateBatch(sizeClass, bin.slots, want));
  return bin.slots[--bin.count];
}

void PoolThreadCache::overflow(ByteBufStorage* storage) noexcept {
  Bin& bin = bins_[storage->sizeClass];
  if (bin.capacity == 0) {
    static_cast<PoolArena*>(storage->owner)->freeBatch(&storage, 1);
    return;
  }
  // The oldest half goes back; the newest blocks, likeliest still in the CPU cache, stay.
  giveBack(bin, std::max<std::uint32_t>(1, bin.capacity / 2));
  bin.slots[bin.count++] = storage;
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
    giveBack(bin, bin.count);
  }
}

}  // namespace sluice::detail
