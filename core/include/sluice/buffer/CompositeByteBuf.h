#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

class ByteBufAllocator;

/// Several ByteBufs read as one, without copying them together (Netty's CompositeByteBuf).
///
/// Each added component contributes its readable bytes; the composite has one reader index
/// over all of them. Reads may cross component boundaries. readableIovecs() exposes the
/// readable bytes as an iovec array for one gathering write (writev).
///
/// Differences from Netty: addComponent() always advances the writer index (Netty's
/// addComponent(true, buf)), and a composite is written to only by adding components.
/// Move-only, like ByteBuf (a moved-from composite is empty); destroying it releases every
/// component. Thread: one at a time.
class CompositeByteBuf {
 public:
  /// Netty's default maximum number of components before consolidation.
  static constexpr std::size_t kDefaultMaxComponents = 16;

  /// `alloc` provides the memory for consolidation; it must outlive the composite.
  explicit CompositeByteBuf(ByteBufAllocator& alloc,
                            std::size_t maxNumComponents = kDefaultMaxComponents);
  /// Takes `other`'s components and indices; `other` is left empty, as a moved-from ByteBuf.
  CompositeByteBuf(CompositeByteBuf&& other) noexcept
      : alloc_(other.alloc_),
        maxNumComponents_(other.maxNumComponents_),
        components_(std::move(other.components_)),
        readerIndex_(std::exchange(other.readerIndex_, 0)),
        writerIndex_(std::exchange(other.writerIndex_, 0)),
        lastComponent_(std::exchange(other.lastComponent_, 0)) {
    other.components_.clear();
  }
  /// Releases this composite's components, then takes `other`'s, leaving it empty.
  CompositeByteBuf& operator=(CompositeByteBuf&& other) noexcept {
    if (this != &other) {
      alloc_ = other.alloc_;
      maxNumComponents_ = other.maxNumComponents_;
      components_ = std::move(other.components_);
      other.components_.clear();
      readerIndex_ = std::exchange(other.readerIndex_, 0);
      writerIndex_ = std::exchange(other.writerIndex_, 0);
      lastComponent_ = std::exchange(other.lastComponent_, 0);
    }
    return *this;
  }
  CompositeByteBuf(const CompositeByteBuf&) = delete;
  CompositeByteBuf& operator=(const CompositeByteBuf&) = delete;
  ~CompositeByteBuf() = default;

  /// Appends `buf`'s readable bytes as a new component (taking the handle). An empty buffer
  /// is dropped. Beyond maxNumComponents() the composite consolidates into one component.
  CompositeByteBuf& addComponent(ByteBuf buf);
  /// Appends each of `bufs` in order.
  CompositeByteBuf& addComponents(std::span<ByteBuf> bufs);

  std::size_t numComponents() const noexcept { return components_.size(); }
  std::size_t maxNumComponents() const noexcept { return maxNumComponents_; }
  /// Component `i`'s handle (its readable bytes are what the composite holds of it).
  const ByteBuf& component(std::size_t i) const { return components_.at(i).buf; }

  std::size_t readerIndex() const noexcept { return readerIndex_; }
  std::size_t writerIndex() const noexcept { return writerIndex_; }
  std::size_t capacity() const noexcept { return writerIndex_; }
  std::size_t readableBytes() const noexcept { return writerIndex_ - readerIndex_; }
  bool isReadable(std::size_t size = 1) const noexcept { return readableBytes() >= size; }
  /// Throws std::out_of_range unless index <= writerIndex().
  CompositeByteBuf& readerIndex(std::size_t index);
  CompositeByteBuf& skipBytes(std::size_t length);

  std::uint8_t getUnsignedByte(std::size_t index) const;
  std::uint16_t getUnsignedShort(std::size_t index) const { return getBE<std::uint16_t>(index); }
  std::uint32_t getUnsignedMedium(std::size_t index) const;
  std::uint32_t getUnsignedInt(std::size_t index) const { return getBE<std::uint32_t>(index); }
  std::int32_t getInt(std::size_t index) const {
    return static_cast<std::int32_t>(getBE<std::uint32_t>(index));
  }
  std::int64_t getLong(std::size_t index) const {
    return static_cast<std::int64_t>(getBE<std::uint64_t>(index));
  }
  std::uint16_t getUnsignedShortLE(std::size_t index) const { return getLE<std::uint16_t>(index); }
  std::uint32_t getUnsignedIntLE(std::size_t index) const { return getLE<std::uint32_t>(index); }
  std::int64_t getLongLE(std::size_t index) const {
    return static_cast<std::int64_t>(getLE<std::uint64_t>(index));
  }
  /// Copies dst.size() bytes starting at `index`, across components.
  void getBytes(std::size_t index, std::span<std::uint8_t> dst) const;

  std::uint8_t readUnsignedByte();
  std::uint16_t readUnsignedShort() { return readBE<std::uint16_t>(); }
  std::uint32_t readUnsignedMedium();
  std::uint32_t readUnsignedInt() { return readBE<std::uint32_t>(); }
  std::int32_t readInt() { return static_cast<std::int32_t>(readBE<std::uint32_t>()); }
  std::int64_t readLong() { return static_cast<std::int64_t>(readBE<std::uint64_t>()); }
  std::uint16_t readUnsignedShortLE() { return readLE<std::uint16_t>(); }
  std::uint32_t readUnsignedIntLE() { return readLE<std::uint32_t>(); }
  std::int64_t readLongLE() { return static_cast<std::int64_t>(readLE<std::uint64_t>()); }
  CompositeByteBuf& readBytes(std::span<std::uint8_t> dst);
  /// The next `length` readable bytes as one ByteBuf: a slice sharing memory when they lie
  /// in one component, otherwise a copy into a new buffer from the allocator.
  ByteBuf readSlice(std::size_t length);

  /// The first index in [fromIndex, toIndex) holding `value`, or -1.
  std::ptrdiff_t indexOf(std::size_t fromIndex, std::size_t toIndex, std::uint8_t value) const;

  /// Releases the components that have been read entirely, keeping the indices' meaning
  /// (both shift down by the bytes released).
  CompositeByteBuf& discardReadComponents();
  /// Copies the readable bytes into a single new component (dropping what was read).
  CompositeByteBuf& consolidate();
  /// Moves the readable bytes out as one ByteBuf (the only component itself when there is
  /// one, otherwise a consolidated copy) and leaves the composite empty.
  ByteBuf release();

  /// How many iovecs readableIovecs() needs.
  std::size_t nioBufferCount() const noexcept;
  /// Fills `out` with the readable bytes, one iovec a component (Netty's nioBuffers());
  /// returns how many were written, at most out.size(). The iovecs stay valid until the
  /// composite changes.
  std::size_t readableIovecs(std::span<iovec> out) const noexcept;

  /// The readable bytes copied into a string.
  std::string toString() const;

  friend bool operator==(const CompositeByteBuf& a, const CompositeByteBuf& b);

 private:
  struct Component {
    ByteBuf buf;
    std::size_t offset;  // composite index of buf's readerIndex
    std::size_t end() const noexcept { return offset + buf.readableBytes(); }
    const std::uint8_t* data() const noexcept { return buf.readableSpan().data(); }
  };

  // The component holding composite index `index` (index < writerIndex_).
  std::size_t componentIndex(std::size_t index) const noexcept;
  void checkIndex(std::size_t index, std::size_t length) const;
  void checkReadable(std::size_t length) const;
  ByteBuf copyReadable(std::size_t index, std::size_t length) const;

  template <typename T>
  T loadRaw(std::size_t index) const {
    T v;
    getBytes(index, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&v), sizeof(T)));
    return v;
  }
  template <typename T>
  T getBE(std::size_t index) const {
    T v = loadRaw<T>(index);
    if constexpr (sizeof(T) == 2) {
      return __builtin_bswap16(v);
    } else if constexpr (sizeof(T) == 4) {
      return __builtin_bswap32(v);
    } else {
      return __builtin_bswap64(v);
    }
  }
  template <typename T>
  T getLE(std::size_t index) const {
    return loadRaw<T>(index);
  }
  template <typename T>
  T readBE() {
    checkReadable(sizeof(T));
    T v = getBE<T>(readerIndex_);
    readerIndex_ += sizeof(T);
    return v;
  }
  template <typename T>
  T readLE() {
    checkReadable(sizeof(T));
    T v = getLE<T>(readerIndex_);
    readerIndex_ += sizeof(T);
    return v;
  }

  ByteBufAllocator* alloc_;
  std::size_t maxNumComponents_;
  std::vector<Component> components_;
  std::size_t readerIndex_ = 0;
  std::size_t writerIndex_ = 0;
  mutable std::size_t lastComponent_ = 0;  // lookup hint: reads are mostly sequential
};

}  // namespace sluice
