#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/buffer/PooledByteBufAllocator.h>

#include <stdexcept>

namespace sluice {

void ByteBufAllocator::throwBadCapacity(std::size_t headroom, std::size_t initialCapacity,
                                        std::size_t maxCapacity) {
  throw std::out_of_range(
      fmt::format("headroom({}) + initialCapacity({}) must not exceed maxCapacity({}), nor that {}",
                  headroom, initialCapacity, maxCapacity, ByteBuf::kMaxCapacity));
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
