#include <sluice/buffer/Unpooled.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>

namespace sluice {

ByteBuf Unpooled::buffer(std::size_t initialCapacity, std::size_t maxCapacity) {
  return UnpooledByteBufAllocator::defaultAllocator().buffer(initialCapacity, maxCapacity);
}

ByteBuf Unpooled::copiedBuffer(std::string_view bytes) {
  return UnpooledByteBufAllocator::defaultAllocator().copiedBuffer(bytes);
}

ByteBuf Unpooled::copiedBuffer(std::span<const std::uint8_t> bytes) {
  ByteBuf buf = buffer(bytes.size());
  buf.writeBytes(bytes);
  return buf;
}

}  // namespace sluice
