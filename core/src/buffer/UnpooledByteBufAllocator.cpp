#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/util/Log.h>

#include <cstdlib>
#include <new>

namespace sluice {

UnpooledByteBufAllocator::~UnpooledByteBufAllocator() {
  const auto live = allocations_.load() - releases_.load();
  if (live != 0) {
    Log::log(LogLevel::Error, "buffer",
             "UnpooledByteBufAllocator destroyed with {} live buffers; they must not outlive it",
             live);
  }
}

detail::ByteBufStorage* UnpooledByteBufAllocator::newStorage(std::size_t capacity) {
  return allocateStorage(capacity);
}

detail::ByteBufStorage* UnpooledByteBufAllocator::allocateStorage(std::size_t capacity) {
  const std::size_t blockSize = sizeof(detail::ByteBufStorage) + capacity;
  // malloc's 16-byte alignment is the header's; the header keeps the data aligned too.
  void* block = std::malloc(blockSize);
  if (block == nullptr) {
    throw std::bad_alloc();
  }
  auto* storage = new (block) detail::ByteBufStorage;
  storage->capacity = static_cast<std::uint32_t>(capacity);
  storage->owner = this;
  storage->sizeClass = detail::ByteBufStorage::kUnpooled;
  allocations_.fetch_add(1, std::memory_order_relaxed);
  usedBytes_.fetch_add(blockSize, std::memory_order_relaxed);
  return storage;
}

void UnpooledByteBufAllocator::releaseStorage(detail::ByteBufStorage* storage) noexcept {
  usedBytes_.fetch_sub(sizeof(detail::ByteBufStorage) + storage->capacity,
                       std::memory_order_relaxed);
  releases_.fetch_add(1, std::memory_order_relaxed);
  storage->state = detail::ByteBufStorage::kFreed;
  storage->~ByteBufStorage();
  std::free(storage);
}

ByteBufAllocatorMetrics UnpooledByteBufAllocator::metrics() const {
  ByteBufAllocatorMetrics m;
  m.allocations = allocations_.load(std::memory_order_relaxed);
  m.liveBuffers = m.allocations - releases_.load(std::memory_order_relaxed);
  m.usedBytes = usedBytes_.load(std::memory_order_relaxed);
  m.reservedBytes = m.usedBytes;
  return m;
}

UnpooledByteBufAllocator& UnpooledByteBufAllocator::defaultAllocator() noexcept {
  // Never destroyed, so buffers from it may outlive static destruction.
  static auto* instance = new UnpooledByteBufAllocator;
  return *instance;
}

}  // namespace sluice
