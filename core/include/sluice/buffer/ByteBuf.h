#pragma once

#include <sluice/buffer/detail/ByteBufStorage.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

namespace detail {
struct ByteBufAccess;
}  // namespace detail

/// A move-only handle to a run of pooled, reference-counted bytes, with its own reader and
/// writer indices (Netty's ByteBuf).
///
/// ```
///      +-------------------+------------------+------------------+
///      | discardable bytes |  readable bytes  |  writable bytes  |
///      |  (or headroom)    |     (CONTENT)    |                  |
///      +-------------------+------------------+------------------+
///      |                   |                  |                  |
///      0      <=      readerIndex   <=   writerIndex    <=    capacity   <=   maxCapacity
/// ```
///
/// Ownership. A handle holds one reference to its memory; destroying it releases that
/// reference, so a buffer cannot be leaked by a forgotten release. Copying is deleted:
/// sharing is always explicit. slice(), duplicate() and readSlice() return new handles over
/// the same memory, each holding its own reference and its own indices (in C++ there is no
/// safe non-retained view, so Netty's retained and non-retained variants are the same call
/// here; retainedSlice() and retainedDuplicate() are spelled out for Netty users). copy() is
/// deep. A moved-from handle is empty: capacity 0, refCnt() 0.
///
/// Growth. Writes grow the buffer up to maxCapacity(). A handle that is the only reference
/// to its memory grows in place while the block has room and otherwise moves to a larger
/// block; a shared handle (one with live slices or duplicates) moves its bytes to new
/// memory and so stops sharing. Slices never grow: their maximum capacity is their length.
///
/// Headroom. An allocator can reserve headroom (ByteBufAllocator::bufferWithHeadroom): the
/// buffer starts with readerIndex = writerIndex = headroom, and an encoder prepends a header
/// into it with prepend(), without copying the payload.
///
/// Errors. An index outside the buffer is a programming error, as in Netty: it throws
/// std::out_of_range (and the pipeline turns a throw from a handler into exceptionCaught).
/// A write past maxCapacity() throws std::out_of_range too; check maxWritableBytes() first
/// where input decides the size. Decoders never rely on the throw: they check
/// readableBytes() before they read.
///
/// Thread: a handle is used by one thread at a time; different handles to the same memory
/// may live on different threads (the reference count is atomic), but concurrent writes to
/// shared bytes are the caller's race, as in Netty.
class ByteBuf {
 public:
  /// The default and largest maxCapacity: 2 GiB - 1, as Netty's Integer.MAX_VALUE.
  static constexpr std::size_t kMaxCapacity = 0x7FFFFFFF;

  /// An empty buffer with no memory (Netty's Unpooled.EMPTY_BUFFER); writing to it throws.
  ByteBuf() noexcept = default;
  ByteBuf(const ByteBuf&) = delete;
  ByteBuf& operator=(const ByteBuf&) = delete;
  ByteBuf(ByteBuf&& other) noexcept { moveFrom(other); }
  ByteBuf& operator=(ByteBuf&& other) noexcept {
    if (this != &other) {
      releaseMemory();
      moveFrom(other);
    }
    return *this;
  }
  ~ByteBuf() { releaseMemory(); }

  // ---- Indices and sizes -------------------------------------------------------------

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t maxCapacity() const noexcept { return maxCapacity_; }
  std::size_t readerIndex() const noexcept { return readerIndex_; }
  std::size_t writerIndex() const noexcept { return writerIndex_; }
  std::size_t readableBytes() const noexcept { return writerIndex_ - readerIndex_; }
  std::size_t writableBytes() const noexcept { return capacity_ - writerIndex_; }
  std::size_t maxWritableBytes() const noexcept { return maxCapacity_ - writerIndex_; }
  bool isReadable(std::size_t size = 1) const noexcept { return readableBytes() >= size; }
  bool isWritable(std::size_t size = 1) const noexcept { return writableBytes() >= size; }

  /// Throws std::out_of_range unless readerIndex() <= index <= writerIndex().
  ByteBuf& readerIndex(std::size_t index) {
    if (index > writerIndex_) [[unlikely]] {
      throwBadReaderIndex(index, writerIndex_);
    }
    readerIndex_ = static_cast<std::uint32_t>(index);
    return *this;
  }
  /// Throws std::out_of_range unless readerIndex() <= index <= capacity().
  ByteBuf& writerIndex(std::size_t index);
  /// Sets both at once; throws unless readerIndex <= writerIndex <= capacity().
  ByteBuf& setIndex(std::size_t readerIndex, std::size_t writerIndex);
  /// Sets both indices to 0. The bytes stay; capacity stays.
  ByteBuf& clear() noexcept {
    readerIndex_ = writerIndex_ = 0;
    return *this;
  }
  /// Advances readerIndex by `length`; throws if fewer bytes are readable.
  ByteBuf& skipBytes(std::size_t length) {
    checkReadable(length);
    readerIndex_ += static_cast<std::uint32_t>(length);
    return *this;
  }
  /// Makes sure `minWritableBytes` can be written, growing as described above. Throws
  /// std::out_of_range if that would pass maxCapacity().
  ByteBuf& ensureWritable(std::size_t minWritableBytes) {
    if (minWritableBytes > writableBytes()) [[unlikely]] {
      growForWrite(minWritableBytes);
    }
    return *this;
  }
  /// Sets the capacity: shrinking clamps the indices, growing behaves as ensureWritable.
  ByteBuf& capacity(std::size_t newCapacity);
  /// Moves the readable bytes to index 0 (discarding what was read, and any headroom).
  ByteBuf& discardReadBytes() noexcept;

  // ---- Reference count ---------------------------------------------------------------

  /// How many handles share this memory (0 for an empty handle).
  std::uint32_t refCnt() const noexcept {
    return storage_ ? storage_->refCnt.load(std::memory_order_acquire) : 0;
  }
  /// True when this handle is the only reference to its memory, so writing anywhere in it,
  /// the headroom included, cannot be seen through another handle.
  bool isUnique() const noexcept { return refCnt() == 1; }

  // ---- Absolute get/set (indices do not move) ----------------------------------------

  std::int8_t getByte(std::size_t index) const { return static_cast<std::int8_t>(getU8(index)); }
  std::uint8_t getUnsignedByte(std::size_t index) const { return getU8(index); }
  bool getBoolean(std::size_t index) const { return getU8(index) != 0; }
  std::int16_t getShort(std::size_t i) const {
    return static_cast<std::int16_t>(getBE<std::uint16_t>(i));
  }
  std::uint16_t getUnsignedShort(std::size_t i) const { return getBE<std::uint16_t>(i); }
  std::int16_t getShortLE(std::size_t i) const {
    return static_cast<std::int16_t>(getLE<std::uint16_t>(i));
  }
  std::uint16_t getUnsignedShortLE(std::size_t i) const { return getLE<std::uint16_t>(i); }
  std::int32_t getMedium(std::size_t i) const { return signExtend24(getUnsignedMedium(i)); }
  std::uint32_t getUnsignedMedium(std::size_t i) const;
  std::int32_t getMediumLE(std::size_t i) const { return signExtend24(getUnsignedMediumLE(i)); }
  std::uint32_t getUnsignedMediumLE(std::size_t i) const;
  std::int32_t getInt(std::size_t i) const {
    return static_cast<std::int32_t>(getBE<std::uint32_t>(i));
  }
  std::uint32_t getUnsignedInt(std::size_t i) const { return getBE<std::uint32_t>(i); }
  std::int32_t getIntLE(std::size_t i) const {
    return static_cast<std::int32_t>(getLE<std::uint32_t>(i));
  }
  std::uint32_t getUnsignedIntLE(std::size_t i) const { return getLE<std::uint32_t>(i); }
  std::int64_t getLong(std::size_t i) const {
    return static_cast<std::int64_t>(getBE<std::uint64_t>(i));
  }
  std::int64_t getLongLE(std::size_t i) const {
    return static_cast<std::int64_t>(getLE<std::uint64_t>(i));
  }
  /// Copies dst.size() bytes starting at `index` into dst.
  void getBytes(std::size_t index, std::span<std::uint8_t> dst) const {
    checkIndex(index, dst.size());
    copyBytes(dst.data(), memory_ + index, dst.size());
  }

  ByteBuf& setByte(std::size_t index, std::uint8_t value) { return setU8(index, value); }
  ByteBuf& setBoolean(std::size_t index, bool value) { return setU8(index, value ? 1 : 0); }
  ByteBuf& setShort(std::size_t i, std::uint16_t v) { return setBE(i, v); }
  ByteBuf& setShortLE(std::size_t i, std::uint16_t v) { return setLE(i, v); }
  ByteBuf& setMedium(std::size_t i, std::uint32_t v);
  ByteBuf& setMediumLE(std::size_t i, std::uint32_t v);
  ByteBuf& setInt(std::size_t i, std::uint32_t v) { return setBE(i, v); }
  ByteBuf& setIntLE(std::size_t i, std::uint32_t v) { return setLE(i, v); }
  ByteBuf& setLong(std::size_t i, std::uint64_t v) { return setBE(i, v); }
  ByteBuf& setLongLE(std::size_t i, std::uint64_t v) { return setLE(i, v); }
  ByteBuf& setBytes(std::size_t index, std::span<const std::uint8_t> src) {
    checkIndex(index, src.size());
    copyBytes(memory_ + index, src.data(), src.size());
    return *this;
  }
  ByteBuf& setBytes(std::size_t index, std::string_view src) {
    return setBytes(index, asBytes(src));
  }
  ByteBuf& setZero(std::size_t index, std::size_t length) {
    checkIndex(index, length);
    if (length != 0) {
      std::memset(memory_ + index, 0, length);
    }
    return *this;
  }

  // ---- Relative read/write (readerIndex / writerIndex advance) -----------------------

  std::int8_t readByte() { return static_cast<std::int8_t>(readU8()); }
  std::uint8_t readUnsignedByte() { return readU8(); }
  bool readBoolean() { return readU8() != 0; }
  std::int16_t readShort() { return static_cast<std::int16_t>(readBE<std::uint16_t>()); }
  std::uint16_t readUnsignedShort() { return readBE<std::uint16_t>(); }
  std::int16_t readShortLE() { return static_cast<std::int16_t>(readLE<std::uint16_t>()); }
  std::uint16_t readUnsignedShortLE() { return readLE<std::uint16_t>(); }
  std::int32_t readMedium() { return signExtend24(readUnsignedMedium()); }
  std::uint32_t readUnsignedMedium() {
    checkReadable(3);
    std::uint32_t v = getUnsignedMedium(readerIndex_);
    readerIndex_ += 3;
    return v;
  }
  std::int32_t readMediumLE() { return signExtend24(readUnsignedMediumLE()); }
  std::uint32_t readUnsignedMediumLE() {
    checkReadable(3);
    std::uint32_t v = getUnsignedMediumLE(readerIndex_);
    readerIndex_ += 3;
    return v;
  }
  std::int32_t readInt() { return static_cast<std::int32_t>(readBE<std::uint32_t>()); }
  std::uint32_t readUnsignedInt() { return readBE<std::uint32_t>(); }
  std::int32_t readIntLE() { return static_cast<std::int32_t>(readLE<std::uint32_t>()); }
  std::uint32_t readUnsignedIntLE() { return readLE<std::uint32_t>(); }
  std::int64_t readLong() { return static_cast<std::int64_t>(readBE<std::uint64_t>()); }
  std::int64_t readLongLE() { return static_cast<std::int64_t>(readLE<std::uint64_t>()); }
  /// Copies dst.size() readable bytes into dst and advances readerIndex.
  ByteBuf& readBytes(std::span<std::uint8_t> dst) {
    checkReadable(dst.size());
    copyBytes(dst.data(), memory_ + readerIndex_, dst.size());
    readerIndex_ += static_cast<std::uint32_t>(dst.size());
    return *this;
  }

  ByteBuf& writeByte(std::uint8_t value) {
    // Indices are read into locals before the store and written once after it: a byte
    // store may alias this object, and would otherwise force every field to be reloaded.
    const std::uint32_t w = writerIndex_;
    if (w == capacity_) [[unlikely]] {
      growForWrite(1);
    }
    memory_[w] = value;
    writerIndex_ = w + 1;
    return *this;
  }
  ByteBuf& writeBoolean(bool value) { return writeByte(value ? 1 : 0); }
  ByteBuf& writeShort(std::uint16_t v) { return writeBE(v); }
  ByteBuf& writeShortLE(std::uint16_t v) { return writeLE(v); }
  ByteBuf& writeMedium(std::uint32_t v) {
    ensureWritable(3);
    setMedium(writerIndex_, v);
    writerIndex_ += 3;
    return *this;
  }
  ByteBuf& writeMediumLE(std::uint32_t v) {
    ensureWritable(3);
    setMediumLE(writerIndex_, v);
    writerIndex_ += 3;
    return *this;
  }
  ByteBuf& writeInt(std::uint32_t v) { return writeBE(v); }
  ByteBuf& writeIntLE(std::uint32_t v) { return writeLE(v); }
  ByteBuf& writeLong(std::uint64_t v) { return writeBE(v); }
  ByteBuf& writeLongLE(std::uint64_t v) { return writeLE(v); }
  ByteBuf& writeBytes(std::span<const std::uint8_t> src) {
    ensureWritable(src.size());
    copyBytes(memory_ + writerIndex_, src.data(), src.size());
    writerIndex_ += static_cast<std::uint32_t>(src.size());
    return *this;
  }
  ByteBuf& writeBytes(std::string_view src) { return writeBytes(asBytes(src)); }
  /// Transfers all of src's readable bytes (src's readerIndex advances, as in Netty).
  ByteBuf& writeBytes(ByteBuf& src) {
    writeBytes(src.readableSpan());
    src.readerIndex_ = src.writerIndex_;
    return *this;
  }
  /// Transfers `length` of src's readable bytes (src's readerIndex advances).
  ByteBuf& writeBytes(ByteBuf& src, std::size_t length) {
    src.checkReadable(length);
    writeBytes(std::span<const std::uint8_t>(src.memory_ + src.readerIndex_, length));
    src.readerIndex_ += static_cast<std::uint32_t>(length);
    return *this;
  }
  ByteBuf& writeZero(std::size_t length) {
    ensureWritable(length);
    setZero(writerIndex_, length);
    writerIndex_ += static_cast<std::uint32_t>(length);
    return *this;
  }

  // ---- Headroom ------------------------------------------------------------------------

  /// True when `length` bytes can be prepended: that many lie before readerIndex and no
  /// other handle can see them.
  bool canPrepend(std::size_t length) const noexcept {
    return length <= readerIndex_ && isUnique();
  }
  /// Moves readerIndex back by `length` and returns those bytes for the caller to fill (an
  /// encoder writing a header in front of its payload). Throws std::out_of_range unless
  /// canPrepend(length).
  std::span<std::uint8_t> prepend(std::size_t length);

  // ---- Derived buffers (each holds its own reference) ---------------------------------

  /// The readable bytes as a new handle (readerIndex 0, capacity = readableBytes()).
  ByteBuf slice() const { return slice(readerIndex_, readableBytes()); }
  /// Bytes [index, index + length) as a new handle of fixed capacity `length`.
  ByteBuf slice(std::size_t index, std::size_t length) const;
  /// The same memory and indices as a new handle whose indices move independently.
  ByteBuf duplicate() const;
  /// slice(readerIndex, length), then advances readerIndex by length.
  ByteBuf readSlice(std::size_t length) {
    checkReadable(length);
    ByteBuf s = slice(readerIndex_, length);
    readerIndex_ += static_cast<std::uint32_t>(length);
    return s;
  }
  ByteBuf retainedSlice() const { return slice(); }
  ByteBuf retainedSlice(std::size_t index, std::size_t length) const {
    return slice(index, length);
  }
  ByteBuf retainedDuplicate() const { return duplicate(); }
  ByteBuf readRetainedSlice(std::size_t length) { return readSlice(length); }
  /// A deep copy of the readable bytes, from the same allocator.
  ByteBuf copy() const { return copy(readerIndex_, readableBytes()); }
  /// A deep copy of bytes [index, index + length), from the same allocator.
  ByteBuf copy(std::size_t index, std::size_t length) const;

  // ---- Raw access ----------------------------------------------------------------------

  /// The readable bytes. Valid until the next call that may grow or discard.
  std::span<const std::uint8_t> readableSpan() const noexcept {
    return {memory_ + readerIndex_, readableBytes()};
  }
  std::span<std::uint8_t> readableSpan() noexcept {
    return {memory_ + readerIndex_, readableBytes()};
  }
  /// The writable bytes (after writerIndex, up to capacity); fill them, then writerIndex(...).
  std::span<std::uint8_t> writableSpan() noexcept {
    return {memory_ + writerIndex_, writableBytes()};
  }
  /// The readable bytes as characters (no copy).
  std::string_view toStringView() const noexcept {
    return {reinterpret_cast<const char*>(memory_) + readerIndex_, readableBytes()};
  }
  /// The readable bytes copied into a string.
  std::string toString() const { return std::string(toStringView()); }
  /// Bytes [index, index + length) copied into a string.
  std::string toString(std::size_t index, std::size_t length) const {
    checkIndex(index, length);
    return {reinterpret_cast<const char*>(memory_) + index, length};
  }
  /// Index 0 of this buffer's memory (Netty's memoryAddress()); null for an empty handle.
  std::uint8_t* memoryAddress() noexcept { return memory_; }
  const std::uint8_t* memoryAddress() const noexcept { return memory_; }

  // ---- Search --------------------------------------------------------------------------

  /// The first index in [fromIndex, toIndex) holding `value`, searching backwards when
  /// fromIndex > toIndex (from fromIndex - 1 down to toIndex); -1 when absent. Indices are
  /// clamped to the capacity.
  std::ptrdiff_t indexOf(std::size_t fromIndex, std::size_t toIndex, std::uint8_t value) const;
  /// How many readable bytes come before the first `value`; -1 when absent.
  std::ptrdiff_t bytesBefore(std::uint8_t value) const {
    std::ptrdiff_t i = indexOf(readerIndex_, writerIndex_, value);
    return i < 0 ? -1 : i - static_cast<std::ptrdiff_t>(readerIndex_);
  }
  /// Calls `processor(byte)` for each readable byte until it returns false; returns the index
  /// of that byte, or -1 when every byte was processed.
  template <typename Processor>
  std::ptrdiff_t forEachByte(Processor&& processor) const {
    return forEachByte(readerIndex_, readableBytes(), std::forward<Processor>(processor));
  }
  /// As above, over bytes [index, index + length).
  template <typename Processor>
  std::ptrdiff_t forEachByte(std::size_t index, std::size_t length, Processor&& processor) const {
    checkIndex(index, length);
    for (std::size_t i = index; i < index + length; ++i) {
      if (!processor(memory_[i])) {
        return static_cast<std::ptrdiff_t>(i);
      }
    }
    return -1;
  }

  /// Equal when the readable bytes are equal (indices and capacities may differ), as Netty's
  /// ByteBuf.equals.
  friend bool operator==(const ByteBuf& a, const ByteBuf& b) noexcept {
    return a.readableBytes() == b.readableBytes() &&
           (a.readableBytes() == 0 ||
            std::memcmp(a.memory_ + a.readerIndex_, b.memory_ + b.readerIndex_,
                        a.readableBytes()) == 0);
  }

  void swap(ByteBuf& other) noexcept {
    std::swap(storage_, other.storage_);
    std::swap(memory_, other.memory_);
    std::swap(readerIndex_, other.readerIndex_);
    std::swap(writerIndex_, other.writerIndex_);
    std::swap(capacity_, other.capacity_);
    std::swap(maxCapacity_, other.maxCapacity_);
  }
  friend void swap(ByteBuf& a, ByteBuf& b) noexcept { a.swap(b); }

 private:
  friend struct detail::ByteBufAccess;

  ByteBuf(detail::ByteBufStorage* storage, std::uint8_t* memory, std::uint32_t readerIndex,
          std::uint32_t writerIndex, std::uint32_t capacity, std::uint32_t maxCapacity) noexcept
      : storage_(storage),
        memory_(memory),
        readerIndex_(readerIndex),
        writerIndex_(writerIndex),
        capacity_(capacity),
        maxCapacity_(maxCapacity) {}

  static std::span<const std::uint8_t> asBytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }
  // memcpy with a null pointer is undefined even for zero bytes; empty handles have one.
  static void copyBytes(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) noexcept {
    if (n != 0) {
      std::memcpy(dst, src, n);
    }
  }
  static std::int32_t signExtend24(std::uint32_t v) noexcept {
    return static_cast<std::int32_t>(v << 8) >> 8;
  }

  template <typename T>
  static T byteSwap(T v) noexcept {
    if constexpr (sizeof(T) == 2) {
      return __builtin_bswap16(v);
    } else if constexpr (sizeof(T) == 4) {
      return __builtin_bswap32(v);
    } else {
      return __builtin_bswap64(v);
    }
  }
  template <typename T>
  static T load(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
  // Network order is big-endian; every platform sluice targets is little-endian.
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "sluice assumes little-endian");

  void checkIndex(std::size_t index, std::size_t length) const {
    if (index > capacity_ || length > capacity_ - index) [[unlikely]] {
      throwIndexOutOfBounds(index, length, capacity_);
    }
  }
  void checkReadable(std::size_t length) const {
    if (length > readableBytes()) [[unlikely]] {
      throwNotReadable(readerIndex_, length, writerIndex_);
    }
  }
  // Static, taking the values they report: a member call would let `this` escape and keep
  // the indices of a local buffer in memory instead of registers on every access.
  [[noreturn]] static void throwIndexOutOfBounds(std::size_t index, std::size_t length,
                                                 std::size_t capacity);
  [[noreturn]] static void throwNotReadable(std::size_t readerIndex, std::size_t length,
                                            std::size_t writerIndex);
  [[noreturn]] static void throwBadReaderIndex(std::size_t index, std::size_t writerIndex);
  // Growth is a static function of the handle's values, and this inline wrapper stores what
  // it returns: no call takes `this`, so a local buffer's fields can stay in registers
  // through a loop of writes (a byte store could otherwise alias them).
  struct Grown {
    detail::ByteBufStorage* storage;
    std::uint8_t* memory;
    std::uint32_t capacity;
  };
  static Grown grow(detail::ByteBufStorage* storage, std::uint8_t* memory,
                    std::uint32_t writerIndex, std::uint32_t maxCapacity,
                    std::size_t minWritableBytes);
  void growForWrite(std::size_t minWritableBytes) {
    const Grown g = grow(storage_, memory_, writerIndex_, maxCapacity_, minWritableBytes);
    storage_ = g.storage;
    memory_ = g.memory;
    capacity_ = g.capacity;
  }

  std::uint8_t getU8(std::size_t index) const {
    checkIndex(index, 1);
    return memory_[index];
  }
  ByteBuf& setU8(std::size_t index, std::uint8_t value) {
    checkIndex(index, 1);
    memory_[index] = value;
    return *this;
  }
  std::uint8_t readU8() {
    const std::uint32_t r = readerIndex_;
    if (r == writerIndex_) [[unlikely]] {
      throwNotReadable(r, 1, writerIndex_);
    }
    readerIndex_ = r + 1;
    return memory_[r];
  }
  template <typename T>
  T getBE(std::size_t index) const {
    checkIndex(index, sizeof(T));
    return byteSwap(load<T>(memory_ + index));
  }
  template <typename T>
  T getLE(std::size_t index) const {
    checkIndex(index, sizeof(T));
    return load<T>(memory_ + index);
  }
  template <typename T>
  ByteBuf& setBE(std::size_t index, T value) {
    checkIndex(index, sizeof(T));
    value = byteSwap(value);
    std::memcpy(memory_ + index, &value, sizeof(T));
    return *this;
  }
  template <typename T>
  ByteBuf& setLE(std::size_t index, T value) {
    checkIndex(index, sizeof(T));
    std::memcpy(memory_ + index, &value, sizeof(T));
    return *this;
  }
  template <typename T>
  T readBE() {
    return byteSwap(readLE<T>());
  }
  template <typename T>
  T readLE() {
    const std::uint32_t r = readerIndex_;
    if (writerIndex_ - r < sizeof(T)) [[unlikely]] {
      throwNotReadable(r, sizeof(T), writerIndex_);
    }
    readerIndex_ = r + static_cast<std::uint32_t>(sizeof(T));
    return load<T>(memory_ + r);
  }
  template <typename T>
  ByteBuf& writeBE(T value) {
    return writeLE(byteSwap(value));
  }
  template <typename T>
  ByteBuf& writeLE(T value) {
    // See writeByte: locals first, one store of the index after the bytes.
    const std::uint32_t w = writerIndex_;
    if (capacity_ - w < sizeof(T)) [[unlikely]] {
      growForWrite(sizeof(T));
    }
    std::uint8_t* p = memory_ + w;
    writerIndex_ = w + static_cast<std::uint32_t>(sizeof(T));
    std::memcpy(p, &value, sizeof(T));
    return *this;
  }

  void moveFrom(ByteBuf& other) noexcept {
    storage_ = std::exchange(other.storage_, nullptr);
    memory_ = std::exchange(other.memory_, nullptr);
    readerIndex_ = std::exchange(other.readerIndex_, 0);
    writerIndex_ = std::exchange(other.writerIndex_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    maxCapacity_ = std::exchange(other.maxCapacity_, 0);
  }
  void releaseMemory() noexcept {
    if (storage_ != nullptr) {
      detail::releaseStorage(storage_);
      storage_ = nullptr;
    }
  }

  detail::ByteBufStorage* storage_ = nullptr;
  std::uint8_t* memory_ = nullptr;  // index 0 of this view
  std::uint32_t readerIndex_ = 0;
  std::uint32_t writerIndex_ = 0;
  std::uint32_t capacity_ = 0;
  std::uint32_t maxCapacity_ = 0;
};

namespace detail {

/// How allocators make handles over fresh storage; not for users.
struct ByteBufAccess {
  static ByteBuf wrap(ByteBufStorage* storage, std::uint32_t headroom, std::uint32_t capacity,
                      std::uint32_t maxCapacity) noexcept {
    return ByteBuf(storage, storage->data(), headroom, headroom, capacity, maxCapacity);
  }
  static ByteBufStorage* storage(const ByteBuf& buf) noexcept { return buf.storage_; }
  /// For ByteBufWriter, which has already checked `index` against the capacity.
  static void setWriterIndex(ByteBuf& buf, std::uint32_t index) noexcept {
    buf.writerIndex_ = index;
  }
};

}  // namespace detail
}  // namespace sluice
