#include "buffer/PoolCore.h"

#include "buffer/Poisoning.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <thread>

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

PoolThreadCache* PoolCore::currentCache() {
  if (tlsLast.core == this) [[likely]] {
    return tlsLast.cache;
  }
  return findOrCreateCache();
}

PoolThreadCache* PoolCore::findOrCreateCache() {
  if (tlsExiting || !cachesEnabled_) {
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
    PoolArena& arena = *arenas_[nextArena_.fetch_add(1, std::memory_order_relaxed) % arenas_.size()];
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

ByteBufStorage* PoolCore::allocate(std::size_t capacity) {
  const std::size_t blockBytes = sizeof(ByteBufStorage) + capacity;
  if (blockBytes > maxPooledBytes_) {
    return allocateHuge(capacity);
  }
  const std::size_t sizeClass = sizeClassOf(blockBytes);
  ByteBufStorage* storage;
  if (PoolThreadCache* cache = currentCache(); cache != nullptr) [[likely]] {
    storage = cache->allocate(sizeClass);
  } else {
    PoolArena& arena = *arenas_[nextArena_.fetch_add(1, std::memory_order_relaxed) % arenas_.size()];
    arena.allocateBatch(sizeClass, &storage, 1);
    otherAllocations_.fetch_add(1, std::memory_order_relaxed);
    otherAllocatedBytes_.fetch_add(sizeClassBytes(sizeClass), std::memory_order_relaxed);
  }
  unpoisonMemory(storage->data(), storage->capacity);
  storage->refCnt.store(1, std::memory_order_relaxed);
  storage->flags = 0;
  storage->state = ByteBufStorage::kAlive;
  return storage;
}

void PoolCore::release(ByteBufStorage* storage) noexcept {
  storage->state = ByteBufStorage::kFreed;
  if (storage->sizeClass == ByteBufStorage::kUnpooled) {
    releaseHuge(storage);
    return;
  }
  poisonMemory(storage->data(), storage->capacity);
  PoolThreadCache* cache = nullptr;
  try {
    cache = currentCache();
  } catch (...) {
    // No memory for a new cache: the block goes straight home instead.
  }
  if (cache != nullptr) [[likely]] {
    cache->free(storage);
    return;
  }
  otherFrees_.fetch_add(1, std::memory_order_relaxed);
  otherFreedBytes_.fetch_add(sizeClassBytes(storage->sizeClass), std::memory_order_relaxed);
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
  otherAllocations_.fetch_add(1, std::memory_order_relaxed);
  otherAllocatedBytes_.fetch_add(blockBytes, std::memory_order_relaxed);
  reservedBytes_.fetch_add(blockBytes, std::memory_order_relaxed);
  return storage;
}

void PoolCore::releaseHuge(ByteBufStorage* storage) noexcept {
  const std::size_t blockBytes = sizeof(ByteBufStorage) + storage->capacity;
  otherFrees_.fetch_add(1, std::memory_order_relaxed);
  otherFreedBytes_.fetch_add(blockBytes, std::memory_order_relaxed);
  reservedBytes_.fetch_sub(blockBytes, std::memory_order_relaxed);
  storage->~ByteBufStorage();
  std::free(storage);
}

void PoolCore::registerCache(PoolThreadCache* cache) {
  std::lock_guard lock(cachesMutex_);
  caches_.push_back(cache);
}

void PoolCore::retireCounters(const PoolCacheCounters& counters) noexcept {
  std::lock_guard lock(cachesMutex_);
  otherAllocations_.fetch_add(counters.allocations.load(), std::memory_order_relaxed);
  otherCacheHits_.fetch_add(counters.cacheHits.load(), std::memory_order_relaxed);
  otherAllocatedBytes_.fetch_add(counters.allocatedBytes.load(), std::memory_order_relaxed);
  otherFrees_.fetch_add(counters.frees.load(), std::memory_order_relaxed);
  otherFreedBytes_.fetch_add(counters.freedBytes.load(), std::memory_order_relaxed);
  std::erase_if(caches_, [&](PoolThreadCache* c) { return &c->counters() == &counters; });
}

ByteBufAllocatorMetrics PoolCore::metrics() const {
  // Sums wrap modulo 2^64: a cache that frees more than it allocates (cross-thread frees)
  // adds a "negative" amount, and the total comes out right.
  std::uint64_t allocations = 0;
  std::uint64_t hits = 0;
  std::uint64_t allocatedBytes = 0;
  std::uint64_t frees = 0;
  std::uint64_t freedBytes = 0;
  {
    std::lock_guard lock(cachesMutex_);
    for (const PoolThreadCache* cache : caches_) {
      const PoolCacheCounters& c = cache->counters();
      allocations += c.allocations.load(std::memory_order_relaxed);
      hits += c.cacheHits.load(std::memory_order_relaxed);
      allocatedBytes += c.allocatedBytes.load(std::memory_order_relaxed);
      frees += c.frees.load(std::memory_order_relaxed);
      freedBytes += c.freedBytes.load(std::memory_order_relaxed);
    }
    allocations += otherAllocations_.load(std::memory_order_relaxed);
    hits += otherCacheHits_.load(std::memory_order_relaxed);
    allocatedBytes += otherAllocatedBytes_.load(std::memory_order_relaxed);
    frees += otherFrees_.load(std::memory_order_relaxed);
    freedBytes += otherFreedBytes_.load(std::memory_order_relaxed);
  }
  ByteBufAllocatorMetrics m;
  m.allocations = allocations;
  m.cacheHits = hits;
  m.liveBuffers = allocations - frees;
  m.usedBytes = allocatedBytes - freedBytes;
  m.reservedBytes = reservedBytes_.load(std::memory_order_relaxed);
  return m;
}

}  // namespace sluice::detail
