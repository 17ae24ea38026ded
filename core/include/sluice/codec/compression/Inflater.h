#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/codec/compression/ZlibWrapper.h>
#include <sluice/util/Error.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sluice {

/// Settings of an Inflater.
struct InflaterConfig {
  /// How the input is framed; ZlibOrNone tells zlib from raw deflate by the first two bytes.
  ZlibWrapper wrapper = ZlibWrapper::Zlib;
  /// The largest window the input may use, as a base-two logarithm, 8 to 15. A zlib or gzip
  /// stream declaring a larger one is refused as corrupt.
  int windowBits = 15;
  /// The most bytes inflate() produces from one stream (until reset() or
  /// resetOutputCount()). Always enforced, never unlimited (0 is refused): the defence
  /// against decompression bombs, where a few kilobytes inflate to gigabytes. The default
  /// is 64 MiB.
  std::size_t maxOutputBytes = std::size_t{64} << 20;
};

/// Decompresses a stream of bytes with zlib (RAII over a z_stream; Netty's JdkZlibDecoder
/// engine, without the pipeline). Used by HTTP content decompression and WebSocket
/// permessage-deflate.
///
/// Input may arrive split anywhere, down to one byte per call. The output limit
/// (InflaterConfig::maxOutputBytes) is checked before memory is taken: `out` never grows by
/// more than the bytes the limit still allows, and the call that would pass the limit
/// fails with CodecErrc::DecompressionLimitExceeded. Input that is not a valid stream (a
/// bad header, a bad block, a checksum that does not match, a preset dictionary) fails with
/// CodecErrc::DecompressionFailed. After a failure the Inflater refuses input until reset().
///
/// The end of the stream is detected (finished()); the bytes after it are left unread (the
/// ByteBuf overload leaves them readable, the span overload reports how many it consumed).
///
/// Errors from the input are returned, never thrown. An invalid config throws
/// std::invalid_argument from the constructor; growing `out` past its maxCapacity() throws
/// std::out_of_range as every ByteBuf write does.
///
/// Thread: one thread at a time. Movable, not copyable.
class Inflater {
 public:
  explicit Inflater(InflaterConfig config = {});
  ~Inflater();
  Inflater(Inflater&& other) noexcept;
  Inflater& operator=(Inflater&& other) noexcept;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  /// Decompresses `in` and appends the output to `out` (at its writerIndex, growing it with
  /// ensureWritable; `out` must be a real buffer, not an empty ByteBuf()). Stops at the end
  /// of the stream. Sets `*consumed` (when given) to the input bytes used. Returns a
  /// default Error (false) on success.
  Error inflate(std::span<const std::uint8_t> in, ByteBuf& out, std::size_t* consumed = nullptr);
  /// As above with `in`'s readable bytes; advances `in`'s readerIndex past what was used.
  Error inflate(ByteBuf& in, ByteBuf& out);

  /// Starts a new stream with the same settings and a fresh window and output count.
  void reset();
  /// Starts counting output towards maxOutputBytes anew, keeping the stream and its window:
  /// a new message of a permessage-deflate stream with context takeover (RFC 7692 7.2.2).
  void resetOutputCount() noexcept { outputCount_ = 0; }

  /// Whether the end of the stream has been read (for raw deflate: the final block).
  bool finished() const noexcept { return finished_; }
  /// Whether inflate() has failed since the last reset().
  bool failed() const noexcept { return static_cast<bool>(error_); }
  /// Bytes produced towards the limit since reset() or resetOutputCount().
  std::uint64_t outputCount() const noexcept { return outputCount_; }
  const InflaterConfig& config() const noexcept { return config_; }

 private:
  struct State;

  Error fail(Error error);
  Error run(std::span<const std::uint8_t> in, ByteBuf& out, std::size_t& used);

  InflaterConfig config_;
  std::unique_ptr<State> state_;
  std::uint64_t outputCount_ = 0;
  Error error_;
  bool finished_ = false;
};

}  // namespace sluice
