#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <cstddef>
#include <cstdint>

namespace sluice {

class CompositeByteBuf;

/// Counters an allocator keeps, read with ByteBufAllocator::metrics(). Each is a snapshot;
/// counters kept per thread are summed when read.
struct ByteBufAllocatorMetrics {
  /// Memory the allocator holds from the system: pooled chunks and unpooled blocks.
  std::uint64_t reservedBytes = 0;
  /// Memory in live buffers, counted in whole blocks (header and rounding included).
  std::uint64_t usedBytes = 0;
  /// Buffers allocated and not yet released (slices and duplicates share one).
  std::uint64_t liveBuffers = 0;
  /// Buffers allocated since the allocator was made.
  std::uint64_t allocations = 0;
  /// Allocations served from a thread-local cache without taking a lock.
  std::uint64_t cacheHits = 0;

  /// cacheHits / allocations, or 0 before the first allocation.
  double cacheHitRate() const noexcept {
    return allocations == 0 ? 0.0
                            : static_cast<double>(cacheHits) / static_cast<double>(allocations);
  }
};

/// Hands out ByteBufs (Netty's ByteBufAllocator). Thread: any.
///
/// Lifetime: an allocator must outlive every buffer it allocated. The default allocators
/// live for the whole process, so only allocators a program makes itself need care.
class ByteBufAllocator {
 public:
  /// Netty's default initial capacity for buffer() with no argument.
  static constexpr std::size_t kDefaultInitialCapacity = 256;

  virtual ~ByteBufAllocator() = default;

  /// A buffer of `initialCapacity` bytes that can grow to `maxCapacity`. Throws
  /// std::out_of_range if initialCapacity > maxCapacity or maxCapacity > ByteBuf::kMaxCapacity,
  /// and std::bad_alloc when memory runs out.
  ByteBuf buffer(std::size_t initialCapacity = kDefaultInitialCapacity,
                 std::size_t maxCapacity = ByteBuf::kMaxCapacity) {
    return bufferWithHeadroom(0, initialCapacity, maxCapacity);
  }
  /// A buffer that starts with `headroom` bytes before readerIndex for an encoder to
  /// prepend into (ByteBuf::prepend). capacity() counts the headroom; so does maxCapacity.
  ByteBuf bufferWithHeadroom(std::size_t headroom, std::size_t initialCapacity,
                             std::size_t maxCapacity = ByteBuf::kMaxCapacity) {
    // Inline: with the checks and the handle made in place, allocation costs one virtual
    // call into the allocator. Each operand is at most 2^31 - 1, so the sum cannot wrap.
    const std::size_t capacity = headroom + initialCapacity;
    if (headroom > ByteBuf::kMaxCapacity || initialCapacity > ByteBuf::kMaxCapacity ||
        maxCapacity > ByteBuf::kMaxCapacity || capacity > maxCapacity) [[unlikely]] {
      throwBadCapacity(headroom, initialCapacity, maxCapacity);
    }
    detail::ByteBufStorage* storage = newStorage(capacity);
    ResourceLeakDetector::onAllocate(storage);
    return detail::ByteBufAccess::wrap(storage, static_cast<std::uint32_t>(headroom),
                                       static_cast<std::uint32_t>(capacity),
                                       static_cast<std::uint32_t>(maxCapacity));
  }
  /// Netty's ioBuffer: a buffer meant for socket I/O. The same as buffer() here, since all
  /// of sluice's memory is native.
  ByteBuf ioBuffer(std::size_t initialCapacity = kDefaultInitialCapacity) {
    return buffer(initialCapacity);
  }
  /// A buffer holding a copy of `bytes`.
  ByteBuf copiedBuffer(std::string_view bytes);
  /// An empty CompositeByteBuf that consolidates itself beyond `maxNumComponents`.
  CompositeByteBuf compositeBuffer(std::size_t maxNumComponents = 16);

  virtual ByteBufAllocatorMetrics metrics() const = 0;
  /// True for allocators that pool memory.
  virtual bool isPooled() const noexcept = 0;

  /// The process's default allocator, the pooled one (Netty's ByteBufAllocator.DEFAULT).
  static ByteBufAllocator& defaultAllocator() noexcept;

 protected:
  ByteBufAllocator() = default;
  ByteBufAllocator(const ByteBufAllocator&) = delete;
  ByteBufAllocator& operator=(const ByteBufAllocator&) = delete;

  /// Storage with at least `capacity` usable bytes and a reference count of one.
  virtual detail::ByteBufStorage* newStorage(std::size_t capacity) = 0;

 private:
  [[noreturn]] static void throwBadCapacity(std::size_t headroom, std::size_t initialCapacity,
                                            std::size_t maxCapacity);
};

}  // namespace sluice
