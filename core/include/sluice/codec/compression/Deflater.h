#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/codec/compression/ZlibWrapper.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sluice {

/// Settings of a Deflater. The defaults are zlib's and Netty's: level 6, a 32 KiB window,
/// memLevel 8, the zlib wrapper.
struct DeflaterConfig {
  /// Zlib, Gzip or None (raw deflate). ZlibOrNone is for inflating only.
  ZlibWrapper wrapper = ZlibWrapper::Zlib;
  /// 0 (stored, no compression) to 9 (best and slowest).
  int compressionLevel = 6;
  /// The base-two logarithm of the window, 9 to 15. zlib (since 1.2.9) cannot make a stream
  /// whose window is 256 bytes, so 8 is refused: a permessage-deflate peer that asks for
  /// max_window_bits=8 must be answered with 9 or more, or declined (RFC 7692 7.1.2).
  int windowBits = 15;
  /// How much memory zlib uses for its internal state, 1 to 9 (8 is zlib's default).
  int memLevel = 8;
};

/// How much of the input a Deflater::deflate call makes decodable at once.
enum class DeflateFlush : std::uint8_t {
  /// zlib decides (Z_NO_FLUSH): the best ratio; output may lag behind input until a later
  /// call flushes or finishes.
  None,
  /// Everything given so far is decodable from the output (Z_SYNC_FLUSH): the output ends
  /// with an empty stored block, 00 00 ff ff. The stream goes on; the window is kept.
  Sync,
  /// Ends the stream (Z_FINISH), with the wrapper's trailer. Only reset() allows more input.
  Finish,
};

/// Compresses a stream of bytes with zlib (RAII over a z_stream; Netty's JdkZlibEncoder
/// engine, without the pipeline). Used by HTTP content compression and WebSocket
/// permessage-deflate: context takeover keeps one Deflater across messages with
/// DeflateFlush::Sync at the end of each, no context takeover calls reset() between them.
///
/// No zlib header is needed to use it: the z_stream lives behind a pointer.
///
/// Errors: an invalid config throws std::invalid_argument from the constructor; deflate
/// after DeflateFlush::Finish without reset() throws std::logic_error (both are programming
/// errors). Growing `out` past its maxCapacity() throws std::out_of_range, as every ByteBuf
/// write does; std::bad_alloc when memory runs out. Compressing never fails otherwise.
///
/// Thread: one thread at a time. Movable, not copyable.
class Deflater {
 public:
  explicit Deflater(DeflaterConfig config = {});
  ~Deflater();
  Deflater(Deflater&& other) noexcept;
  Deflater& operator=(Deflater&& other) noexcept;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  /// Compresses `in` and appends the output to `out` (at its writerIndex, growing it with
  /// ensureWritable). `out` must be a real buffer (one from an allocator), not an empty
  /// ByteBuf().
  void deflate(std::span<const std::uint8_t> in, ByteBuf& out,
               DeflateFlush flush = DeflateFlush::None);
  void deflate(std::span<const std::byte> in, ByteBuf& out,
               DeflateFlush flush = DeflateFlush::None) {
    deflate(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(in.data()), in.size()),
        out, flush);
  }
  /// Compresses `in`'s readable bytes; `in`'s indices do not move.
  void deflate(const ByteBuf& in, ByteBuf& out, DeflateFlush flush = DeflateFlush::None) {
    deflate(in.readableSpan(), out, flush);
  }

  /// Starts a new stream with the same settings (and a fresh window: no context takeover,
  /// RFC 7692 7.1.1). Cheaper than a new Deflater: zlib keeps its memory.
  void reset();

  /// Whether DeflateFlush::Finish has ended the stream.
  bool finished() const noexcept;
  /// Bytes given and produced since the stream started (the last reset()).
  std::uint64_t totalIn() const noexcept;
  std::uint64_t totalOut() const noexcept;
  const DeflaterConfig& config() const noexcept { return config_; }

 private:
  struct State;

  DeflaterConfig config_;
  std::unique_ptr<State> state_;
};

}  // namespace sluice
