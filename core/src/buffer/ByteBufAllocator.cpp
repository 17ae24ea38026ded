#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <fmt/format.h>

#include <stdexcept>

namespace sluice {

ByteBuf ByteBufAllocator::bufferWithHeadroom(std::size_t headroom, std::size_t initialCapacity,
                                             std::size_t maxCapacity) {
  const std::size_t capacity = headroom + initialCapacity;
  if (capacity > maxCapacity || maxCapacity > ByteBuf::kMaxCapacity ||
      initialCapacity > ByteBuf::kMaxCapacity) [[unlikely]] {
    throw std::out_of_range(fmt::format(
        "headroom({}) + initialCapacity({}) must not exceed maxCapacity({}), nor that {}",
        headroom, initialCapacity, maxCapacity, ByteBuf::kMaxCapacity));
  }
  detail::ByteBufStorage* storage = newStorage(capacity);
  ResourceLeakDetector::onAllocate(storage);
  return detail::ByteBufAccess::wrap(storage, static_cast<std::uint32_t>(headroom),
                                     static_cast<std::uint32_t>(capacity),
                                     static_cast<std::uint32_t>(maxCapacity));
}

ByteBuf ByteBufAllocator::copiedBuffer(std::string_view bytes) {
  ByteBuf buf = buffer(bytes.size());
  buf.writeBytes(bytes);
  return buf;
}

CompositeByteBuf ByteBufAllocator::compositeBuffer(std::size_t maxNumComponents) {
  return CompositeByteBuf(*this, maxNumComponents);
}

ByteBufAllocator& ByteBufAllocator::defaultAllocator() noexcept {
  return PooledByteBufAllocator::defaultAllocator();
}

}  // namespace sluice
