#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/util/Log.h>

#include <functional>
#include <string_view>
#include <vector>

#include "buffer/PoolCore.h"

namespace sluice {

namespace {

// The default allocator's memory as callback gauges, sampled when the registry is collected.
// Registered once, when the default allocator is first used; like the allocator, the
// registrations are never destroyed.
void registerDefaultAllocatorMetrics(const PooledByteBufAllocator& alloc) noexcept {
  try {
    MetricsRegistry& registry = MetricsRegistry::global();
    const PooledByteBufAllocator* a = &alloc;
    // Reachable from a static for ever, like the allocator itself.
    static auto* kept = new std::vector<MetricsRegistry::Registration>;
    auto keep = [&registry](std::string_view name, std::string_view help,
                            std::function<double()> sample) {
      kept->push_back(registry.gaugeCallback(name, help, {}, std::move(sample)));
    };
    keep("sluice_allocator_reserved_bytes",
         "Memory the default pooled allocator holds from the system.",
         [a] { return static_cast<double>(a->metrics().reservedBytes); });
    keep("sluice_allocator_used_bytes",
         "Memory in live buffers of the default pooled allocator (whole blocks).",
         [a] { return static_cast<double>(a->metrics().usedBytes); });
    keep("sluice_allocator_live_buffers",
         "Buffers of the default pooled allocator allocated and not yet released.",
         [a] { return static_cast<double>(a->metrics().liveBuffers); });
    keep("sluice_allocator_cache_hit_ratio",
         "Share of the default pooled allocator's allocations served by a thread cache.",
         [a] { return a->metrics().cacheHitRate(); });
  } catch (...) {
    // Out of memory this early: the allocator works without its gauges.
  }
}

}  // namespace

PooledByteBufAllocator::PooledByteBufAllocator(PooledByteBufAllocatorConfig config)
    : core_(std::make_shared<detail::PoolCore>(config)) {}

PooledByteBufAllocator::~PooledByteBufAllocator() {
  core_->close();
  core_->dropCurrentThreadCache();
  const auto live = core_->metrics().liveBuffers;
  if (live != 0) {
    Log::log(LogLevel::Error, "buffer",
             "PooledByteBufAllocator destroyed with {} live buffers; they must not outlive it",
             live);
  }
}

detail::ByteBufStorage* PooledByteBufAllocator::newStorage(std::size_t capacity) {
  return core_->allocate(capacity);
}

ByteBufAllocatorMetrics PooledByteBufAllocator::metrics() const { return core_->metrics(); }

void PooledByteBufAllocator::trimCurrentThreadCache() noexcept { core_->trimCurrentThreadCache(); }

PooledByteBufAllocator& PooledByteBufAllocator::defaultAllocator() noexcept {
  // Never destroyed: buffers and thread caches may outlive static destruction.
  static auto* instance = [] {
    auto* alloc = new PooledByteBufAllocator;
    registerDefaultAllocatorMetrics(*alloc);
    return alloc;
  }();
  return *instance;
}

}  // namespace sluice
