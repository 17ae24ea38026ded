#include "buffer/PoolCore.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <thread>

#include "buffer/Poisoning.h"

namespace sluice::detail {
namespace {

// The calling thread's caches, one per pooled allocator it has used. `tlsLast` is a
// trivially destructible one-entry memo in front of the list: the fast path is one TLS load
// and one compare.
struct LastCache {
  const PoolCore* core = nullptr;
  PoolThreadCache* cache = nullptr;
};
thread_local LastCache tlsLast;
thread_local bool tlsExiting = false;

struct ThreadCaches {
  std::vector<std::unique_ptr<PoolThreadCache>> caches;
  ~ThreadCaches() {
    // Buffers released later on this thread (by other thread_local destructors) go straight
    // to their arenas.
    tlsExiting = true;
    tlsLast = {};
    caches.clear();
  }
};
thread_local ThreadCaches tlsCaches;

}  // namespace

PoolCore::PoolCore(const PooledByteBufAllocatorConfig& config)
    : maxPooledBytes_(std::min(config.maxPooledSize, kMaxSizeClassBytes)),
      cachesEnabled_(config.threadCacheBytesPerClass != 0) {
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    cacheCapacity_[c] =
        std::min<std::size_t>(256, config.threadCacheBytesPerClass / sizeClassBytes(c));
  }
  std::size_t n = config.numArenas;
  if (n == 0) {
    n = 2 * std::max(1U, std::thread::hardware_concurrency());
  }
  arenas_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    arenas_.push_back(std::make_unique<PoolArena>(*this));
  }
}

PoolCore::~PoolCore() = default;

PoolThreadCache* PoolCore::findOrCreateCache() {
  if (tlsExiting || !cachesEnabled_ || closed()) {
    return nullptr;
  }
  auto& caches = tlsCaches.caches;
  // Caches of allocators that are gone hold memory nobody will allocate again: drop them.
  tlsLast = {};
  std::erase_if(caches, [](const auto& c) { return c->core().closed(); });
  PoolThreadCache* found = nullptr;
  for (auto& c : caches) {
    if (&c->core() == this) {
      found = c.get();
    }
  }
  if (found == nullptr) {
    PoolArena& arena =
        *arenas_[nextArena_.fetch_add(1, std::memory_order_relaxed) % arenas_.size()];
    caches.push_back(std::make_unique<PoolThreadCache>(shared_from_this(), arena));
    found = caches.back().get();
    registerCache(found);
  }
  tlsLast = {this, found};
  return found;
}

void PoolCore::dropCurrentThreadCache() noexcept {
  if (tlsExiting) {
    return;
  }
  tlsLast = {};
  std::erase_if(tlsCaches.caches, [this](const auto& c) { return &c->core() == this; });
}

void PoolCore::trimCurrentThreadCache() noexcept {
  if (tlsExiting) {
    return;
  }
  for (auto& c : tlsCaches.caches) {
    if (&c->core() == this) {
      c->trim();
    }
  }
}

// The fast paths of allocate() and release() are one thread-local compare away from the
// calling thread's cache; everything else is out of line.

namespace {

// Makes a free block a live buffer's storage.
ByteBufStorage* prepare(ByteBufStorage* storage) noexcept {
  unpoisonMemory(storage->data(), storage->capacity);
  storage->refCnt.store(1, std::memory_order_relaxed);
  storage->flags = 0;
  storage->state = ByteBufStorage::kAlive;
  return storage;
}

}  // namespace

ByteBufStorage* PoolCore::allocate(std::size_t capacity) {
  const std::size_t blockBytes = sizeof(ByteBufStorage) + capacity;
  if (blockBytes > maxPooledBytes_) [[unlikely]] {
    return allocateHuge(capacity);
  }
  const std::size_t sizeClass = sizeClassOfFast(blockBytes);
  if (tlsLast.core == this) [[likely]] {
    if (ByteBufStorage* storage = tlsLast.cache->tryAllocate(sizeClass); storage != nullptr)
        [[likely]] {
      return prepare(storage);
    }
  }
  return allocateSlow(sizeClass);
}

ByteBufStorage* PoolCore::allocateSlow(std::size_t sizeClass) {
  if (PoolThreadCache* cache = findOrCreateCache(); cache != nullptr) {
    return prepare(cache->allocate(sizeClass));
  }
  PoolArena& arena = *arenas_[nextArena_.fetch_add(1, std::memory_order_relaxed) % arenas_.size()];
  ByteBufStorage* storage = nullptr;
  arena.allocateBatch(sizeClass, &storage, 1);
  otherAllocations_[sizeClass].fetch_add(1, std::memory_order_relaxed);
  return prepare(storage);
}

void PoolCore::release(ByteBufStorage* storage) noexcept {
  storage->state = ByteBufStorage::kFreed;
  if (storage->sizeClass == ByteBufStorage::kUnpooled) [[unlikely]] {
    releaseHuge(storage);
    return;
  }
  poisonMemory(storage->data(), storage->capacity);
  if (tlsLast.core == this) [[likely]] {
    tlsLast.cache->free(storage);
    return;
  }
  releaseSlow(storage);
}

void PoolCore::releaseSlow(ByteBufStorage* storage) noexcept {
  PoolThreadCache* cache = nullptr;
  try {
    cache = findOrCreateCache();
  } catch (...) {
    // No memory for a new cache: the block goes straight home instead.
  }
  if (cache != nullptr) {
    cache->free(storage);
    return;
  }
  otherFrees_[storage->sizeClass].fetch_add(1, std::memory_order_relaxed);
  static_cast<PoolArena*>(storage->owner)->freeBatch(&storage, 1);
}

ByteBufStorage* PoolCore::allocateHuge(std::size_t capacity) {
  const std::size_t blockBytes = sizeof(ByteBufStorage) + capacity;
  void* block = std::malloc(blockBytes);
  if (block == nullptr) {
    throw std::bad_alloc();
  }
  auto* storage = new (block) ByteBufStorage;
  storage->capacity = static_cast<std::uint32_t>(capacity);
  storage->owner = this;
  storage->sizeClass = ByteBufStorage::kUnpooled;
  hugeAllocations_.fetch_add(1, std::memory_order_relaxed);
  hugeBytes_.fetch_add(blockBytes, std::memory_order_relaxed);
  reservedBytes_.fetch_add(blockBytes, std::memory_order_relaxed);
  return storage;
}

void PoolCore::releaseHuge(ByteBufStorage* storage) noexcept {
  const std::size_t blockBytes = sizeof(ByteBufStorage) + storage->capacity;
  hugeFrees_.fetch_add(1, std::memory_order_relaxed);
  hugeBytes_.fetch_sub(blockBytes, std::memory_order_relaxed);
  reservedBytes_.fetch_sub(blockBytes, std::memory_order_relaxed);
  storage->~ByteBufStorage();
  std::free(storage);
}

void PoolCore::registerCache(PoolThreadCache* cache) {
  std::lock_guard lock(cachesMutex_);
  caches_.push_back(cache);
}

void PoolCore::retireCache(const PoolThreadCache& cache) noexcept {
  PoolCounterTotals totals;
  std::lock_guard lock(cachesMutex_);
  cache.addCountersTo(totals);
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    otherAllocations_[c].fetch_add(totals.allocations[c], std::memory_order_relaxed);
    otherFrees_[c].fetch_add(totals.frees[c], std::memory_order_relaxed);
  }
  otherCacheHits_.fetch_add(totals.cacheHits, std::memory_order_relaxed);
  std::erase(caches_, &cache);
}

ByteBufAllocatorMetrics PoolCore::metrics() const {
  PoolCounterTotals totals;
  {
    std::lock_guard lock(cachesMutex_);
    for (const PoolThreadCache* cache : caches_) {
      cache->addCountersTo(totals);
    }
    for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
      totals.allocations[c] += otherAllocations_[c].load(std::memory_order_relaxed);
      totals.frees[c] += otherFrees_[c].load(std::memory_order_relaxed);
    }
    totals.cacheHits += otherCacheHits_.load(std::memory_order_relaxed);
  }
  ByteBufAllocatorMetrics m;
  // Sums and differences wrap modulo 2^64 (see PoolCounterTotals) and come out right.
  for (std::size_t c = 0; c < kNumSizeClasses; ++c) {
    const std::uint64_t live = totals.allocations[c] - totals.frees[c];
    m.allocations += totals.allocations[c];
    m.liveBuffers += live;
    m.usedBytes += live * sizeClassBytes(c);
  }
  const std::uint64_t hugeAllocations = hugeAllocations_.load(std::memory_order_relaxed);
  m.allocations += hugeAllocations;
  m.liveBuffers += hugeAllocations - hugeFrees_.load(std::memory_order_relaxed);
  m.usedBytes += hugeBytes_.load(std::memory_order_relaxed);
  m.cacheHits = totals.cacheHits;
  m.reservedBytes = reservedBytes_.load(std::memory_order_relaxed);
  return m;
}

// Growth and release of a buffer whose block came from an arena: defined here, beside the
// thread-local state, so that the fast paths inline into them.

ByteBufStorage* PoolArena::allocateStorage(std::size_t capacity) {
  return core_.allocate(capacity);
}

void PoolArena::releaseStorage(ByteBufStorage* storage) noexcept { core_.release(storage); }

}  // namespace sluice::detail
