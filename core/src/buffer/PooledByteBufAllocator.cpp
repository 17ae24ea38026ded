#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/util/Log.h>

#include "buffer/PoolCore.h"

namespace sluice {

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
  static auto* instance = new PooledByteBufAllocator;
  return *instance;
}

}  // namespace sluice
