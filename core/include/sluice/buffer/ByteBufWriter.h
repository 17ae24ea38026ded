#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/util/Assert.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace sluice {

/// Writes a run of values into a ByteBuf with one capacity check for the whole run, for
/// encoders that know an upper bound of what they will write (a frame header, an HTTP
/// status line, a batch of fixed-size records).
///
/// ByteBuf::writeInt checks the capacity and stores writerIndex on every call, and because a
/// byte store may alias the buffer's fields the compiler must reload them each time: about
/// twice the cost of a raw pointer loop. The writer reserves the room once, keeps its cursor
/// in a local the compiler can hold in a register, and moves writerIndex once, when it is
/// destroyed or commit() is called.
///
/// ```cpp
/// {
///   ByteBufWriter out(buf, 2 + 8 + 4);   // grows buf now if needed
///   out.writeByte(0x82);
///   out.writeByte(127);
///   out.writeLong(payloadLength);
///   out.writeInt(maskingKey);
/// }                                      // writerIndex has advanced by 14
/// ```
///
/// Writing more than was reserved is a programmer error, caught by SLUICE_DCHECK in debug
/// and sanitizer builds and not checked in release builds (as std::span::operator[]).
/// Until commit, other code must not write to or grow the buffer.
class ByteBufWriter {
 public:
  /// Makes room for `maxBytes` after writerIndex (as buf.ensureWritable, so it may grow the
  /// buffer or throw std::out_of_range past maxCapacity) and starts the run there.
  ByteBufWriter(ByteBuf& buf, std::size_t maxBytes) : buf_(buf) {
    buf.ensureWritable(maxBytes);
    base_ = buf.memoryAddress();
    cursor_ = base_ + buf.writerIndex();
    end_ = cursor_ + maxBytes;
  }
  ByteBufWriter(const ByteBufWriter&) = delete;
  ByteBufWriter& operator=(const ByteBufWriter&) = delete;
  ~ByteBufWriter() { commit(); }

  /// Bytes that may still be written in this run.
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - cursor_); }

  ByteBufWriter& writeByte(std::uint8_t value) noexcept {
    SLUICE_DCHECK(remaining() >= 1, "ByteBufWriter: write past the reserved bytes");
    *cursor_++ = value;
    return *this;
  }
  ByteBufWriter& writeShort(std::uint16_t v) noexcept { return store(__builtin_bswap16(v)); }
  ByteBufWriter& writeShortLE(std::uint16_t v) noexcept { return store(v); }
  ByteBufWriter& writeMedium(std::uint32_t v) noexcept {
    SLUICE_DCHECK(remaining() >= 3, "ByteBufWriter: write past the reserved bytes");
    cursor_[0] = static_cast<std::uint8_t>(v >> 16);
    cursor_[1] = static_cast<std::uint8_t>(v >> 8);
    cursor_[2] = static_cast<std::uint8_t>(v);
    cursor_ += 3;
    return *this;
  }
  ByteBufWriter& writeInt(std::uint32_t v) noexcept { return store(__builtin_bswap32(v)); }
  ByteBufWriter& writeIntLE(std::uint32_t v) noexcept { return store(v); }
  ByteBufWriter& writeLong(std::uint64_t v) noexcept { return store(__builtin_bswap64(v)); }
  ByteBufWriter& writeLongLE(std::uint64_t v) noexcept { return store(v); }
  ByteBufWriter& writeBytes(std::span<const std::uint8_t> src) noexcept {
    SLUICE_DCHECK(remaining() >= src.size(), "ByteBufWriter: write past the reserved bytes");
    if (!src.empty()) {
      std::memcpy(cursor_, src.data(), src.size());
      cursor_ += src.size();
    }
    return *this;
  }
  ByteBufWriter& writeBytes(std::string_view src) noexcept {
    return writeBytes(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(src.data()), src.size()));
  }
  ByteBufWriter& writeZero(std::size_t length) noexcept {
    SLUICE_DCHECK(remaining() >= length, "ByteBufWriter: write past the reserved bytes");
    std::memset(cursor_, 0, length);
    cursor_ += length;
    return *this;
  }

  /// Moves the buffer's writerIndex past what has been written so far. The run continues:
  /// later writes are committed by the next commit() or the destructor.
  void commit() noexcept {
    detail::ByteBufAccess::setWriterIndex(buf_, static_cast<std::uint32_t>(cursor_ - base_));
  }

 private:
  template <typename T>
  ByteBufWriter& store(T v) noexcept {
    SLUICE_DCHECK(remaining() >= sizeof(T), "ByteBufWriter: write past the reserved bytes");
    std::memcpy(cursor_, &v, sizeof(T));
    cursor_ += sizeof(T);
    return *this;
  }

  ByteBuf& buf_;
  std::uint8_t* base_;
  std::uint8_t* cursor_;
  std::uint8_t* end_;
};

}  // namespace sluice
