#include <fmt/format.h>
#include <sluice/buffer/ByteBuf.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <algorithm>
#include <stdexcept>

namespace sluice {
namespace {

// Growth doubles up to 4 MiB, then steps by 4 MiB, as Netty's calculateNewCapacity.
constexpr std::size_t kGrowthThreshold = std::size_t{4} << 20;

std::size_t calculateNewCapacity(std::size_t minNewCapacity, std::size_t maxCapacity) {
  if (minNewCapacity == kGrowthThreshold) {
    return kGrowthThreshold;
  }
  if (minNewCapacity > kGrowthThreshold) {
    std::size_t newCapacity = minNewCapacity / kGrowthThreshold * kGrowthThreshold;
    return newCapacity > maxCapacity - kGrowthThreshold ? maxCapacity
                                                        : newCapacity + kGrowthThreshold;
  }
  std::size_t newCapacity = 64;
  while (newCapacity < minNewCapacity) {
    newCapacity <<= 1;
  }
  return std::min(newCapacity, maxCapacity);
}

detail::ByteBufStorage* newTrackedStorage(detail::StorageOwner* owner, std::size_t capacity) {
  detail::ByteBufStorage* storage = owner->allocateStorage(capacity);
  ResourceLeakDetector::onAllocate(storage);
  return storage;
}

}  // namespace

namespace detail {

void deallocateStorage(ByteBufStorage* storage) noexcept {
  if ((storage->flags & ByteBufStorage::kTracked) != 0) [[unlikely]] {
    ResourceLeakDetector::onRelease(storage);
  }
  storage->owner->releaseStorage(storage);
}

}  // namespace detail

void ByteBuf::throwIndexOutOfBounds(std::size_t index, std::size_t length, std::size_t capacity) {
  throw std::out_of_range(
      fmt::format("index: {}, length: {} (expected: range(0, {}))", index, length, capacity));
}

void ByteBuf::throwNotReadable(std::size_t readerIndex, std::size_t length,
                               std::size_t writerIndex) {
  throw std::out_of_range(fmt::format("readerIndex({}) + length({}) exceeds writerIndex({})",
                                      readerIndex, length, writerIndex));
}

void ByteBuf::throwBadReaderIndex(std::size_t index, std::size_t writerIndex) {
  throw std::out_of_range(fmt::format(
      "readerIndex: {} (expected: 0 <= readerIndex <= writerIndex({}))", index, writerIndex));
}

ByteBuf& ByteBuf::writerIndex(std::size_t index) {
  if (index < readerIndex_ || index > capacity_) {
    throw std::out_of_range(
        fmt::format("writerIndex: {} (expected: readerIndex({}) <= "
                    "writerIndex <= capacity({}))",
                    index, readerIndex_, capacity_));
  }
  writerIndex_ = static_cast<std::uint32_t>(index);
  return *this;
}

ByteBuf& ByteBuf::setIndex(std::size_t readerIndex, std::size_t writerIndex) {
  if (readerIndex > writerIndex || writerIndex > capacity_) {
    throw std::out_of_range(
        fmt::format("readerIndex: {}, writerIndex: {} (expected: 0 <= "
                    "readerIndex <= writerIndex <= capacity({}))",
                    readerIndex, writerIndex, capacity_));
  }
  readerIndex_ = static_cast<std::uint32_t>(readerIndex);
  writerIndex_ = static_cast<std::uint32_t>(writerIndex);
  return *this;
}

ByteBuf::Grown ByteBuf::grow(detail::ByteBufStorage* storage, std::uint8_t* memory,
                             std::uint32_t writerIndex, std::uint32_t maxCapacity,
                             std::size_t minWritableBytes) {
  if (minWritableBytes > maxCapacity - writerIndex) {
    throw std::out_of_range(
        fmt::format("writerIndex({}) + minWritableBytes({}) exceeds "
                    "maxCapacity({})",
                    writerIndex, minWritableBytes, maxCapacity));
  }
  const std::size_t minNewCapacity = writerIndex + minWritableBytes;
  // The block often has more room than was asked for (size classes round up); a sole
  // owner takes it for free.
  const std::size_t room = storage->capacity - static_cast<std::size_t>(memory - storage->data());
  if (minNewCapacity <= room && storage->refCnt.load(std::memory_order_acquire) == 1) {
    return {storage, memory, static_cast<std::uint32_t>(std::min(room, std::size_t{maxCapacity}))};
  }
  const std::size_t newCapacity = calculateNewCapacity(minNewCapacity, maxCapacity);
  detail::ByteBufStorage* fresh = newTrackedStorage(storage->owner, newCapacity);
  // Bytes before readerIndex are kept too, so every index keeps its meaning.
  copyBytes(fresh->data(), memory, writerIndex);
  detail::releaseStorage(storage);
  return {fresh, fresh->data(), static_cast<std::uint32_t>(newCapacity)};
}

ByteBuf& ByteBuf::capacity(std::size_t newCapacity) {
  if (newCapacity > maxCapacity_) {
    throw std::out_of_range(
        fmt::format("newCapacity: {} (expected: 0-{})", newCapacity, maxCapacity_));
  }
  if (newCapacity > capacity_) {
    ensureWritable(newCapacity - writerIndex_);
    if (capacity_ > newCapacity) {
      capacity_ = static_cast<std::uint32_t>(newCapacity);
    }
    return *this;
  }
  capacity_ = static_cast<std::uint32_t>(newCapacity);
  writerIndex_ = std::min(writerIndex_, capacity_);
  readerIndex_ = std::min(readerIndex_, writerIndex_);
  return *this;
}

ByteBuf& ByteBuf::discardReadBytes() noexcept {
  if (readerIndex_ == 0) {
    return *this;
  }
  const std::size_t readable = readableBytes();
  if (readable != 0) {
    std::memmove(memory_, memory_ + readerIndex_, readable);
  }
  writerIndex_ = static_cast<std::uint32_t>(readable);
  readerIndex_ = 0;
  return *this;
}

std::uint32_t ByteBuf::getUnsignedMedium(std::size_t i) const {
  checkIndex(i, 3);
  return std::uint32_t{memory_[i]} << 16 | std::uint32_t{memory_[i + 1]} << 8 | memory_[i + 2];
}

std::uint32_t ByteBuf::getUnsignedMediumLE(std::size_t i) const {
  checkIndex(i, 3);
  return std::uint32_t{memory_[i + 2]} << 16 | std::uint32_t{memory_[i + 1]} << 8 | memory_[i];
}

ByteBuf& ByteBuf::setMedium(std::size_t i, std::uint32_t v) {
  checkIndex(i, 3);
  memory_[i] = static_cast<std::uint8_t>(v >> 16);
  memory_[i + 1] = static_cast<std::uint8_t>(v >> 8);
  memory_[i + 2] = static_cast<std::uint8_t>(v);
  return *this;
}

ByteBuf& ByteBuf::setMediumLE(std::size_t i, std::uint32_t v) {
  checkIndex(i, 3);
  memory_[i] = static_cast<std::uint8_t>(v);
  memory_[i + 1] = static_cast<std::uint8_t>(v >> 8);
  memory_[i + 2] = static_cast<std::uint8_t>(v >> 16);
  return *this;
}

std::span<std::uint8_t> ByteBuf::prepend(std::size_t length) {
  if (!canPrepend(length)) {
    throw std::out_of_range(fmt::format("cannot prepend {} bytes: readerIndex {}, refCnt {}",
                                        length, readerIndex_, refCnt()));
  }
  readerIndex_ -= static_cast<std::uint32_t>(length);
  return {memory_ + readerIndex_, length};
}

ByteBuf ByteBuf::slice(std::size_t index, std::size_t length) const {
  checkIndex(index, length);
  if (storage_ == nullptr) {
    return {};
  }
  detail::retainStorage(storage_);
  const auto len = static_cast<std::uint32_t>(length);
  return {storage_, memory_ + index, 0, len, len, len};
}

ByteBuf ByteBuf::duplicate() const {
  if (storage_ == nullptr) {
    return {};
  }
  detail::retainStorage(storage_);
  return {storage_, memory_, readerIndex_, writerIndex_, capacity_, maxCapacity_};
}

ByteBuf ByteBuf::copy(std::size_t index, std::size_t length) const {
  checkIndex(index, length);
  if (storage_ == nullptr) {
    return {};
  }
  detail::ByteBufStorage* fresh = newTrackedStorage(storage_->owner, length);
  copyBytes(fresh->data(), memory_ + index, length);
  const auto len = static_cast<std::uint32_t>(length);
  return {fresh, fresh->data(), 0, len, len, std::max(len, maxCapacity_)};
}

std::ptrdiff_t ByteBuf::indexOf(std::size_t fromIndex, std::size_t toIndex,
                                std::uint8_t value) const {
  fromIndex = std::min(fromIndex, std::size_t{capacity_});
  toIndex = std::min(toIndex, std::size_t{capacity_});
  if (fromIndex <= toIndex) {
    if (fromIndex == toIndex) {
      return -1;
    }
    const void* hit = std::memchr(memory_ + fromIndex, value, toIndex - fromIndex);
    return hit == nullptr ? -1 : static_cast<const std::uint8_t*>(hit) - memory_;
  }
  for (std::size_t i = fromIndex; i > toIndex; --i) {
    if (memory_[i - 1] == value) {
      return static_cast<std::ptrdiff_t>(i - 1);
    }
  }
  return -1;
}

}  // namespace sluice
