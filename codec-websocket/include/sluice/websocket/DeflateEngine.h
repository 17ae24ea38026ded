#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/util/Error.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sluice::websocket {

/// Which deflate implementation compresses or decompresses permessage-deflate messages.
enum class DeflateEngineKind : std::uint8_t {
  /// The fastest that supports the settings (see newMessageDeflater, newMessageInflater).
  Auto,
  /// zlib: streaming, with or without context takeover, every window size.
  Zlib,
  /// libdeflate: whole messages only, without context takeover (no window is kept, so
  /// nothing is kept per connection either).
  Libdeflate,
};

/// Settings of one direction's compressor: the sender's side of the agreed parameters
/// (RFC 7692 7.1) and the local compression settings.
struct MessageDeflaterConfig {
  /// 0 (stored blocks only) to 9; 6 is zlib's and Netty's default.
  int compressionLevel = 6;
  /// The LZ77 window as a base-two logarithm, 9 to 15. zlib cannot make raw deflate with a
  /// 256-byte window (8), so the negotiation never agrees on 8 for our sending side.
  int windowBits = 15;
  /// zlib's memLevel, 1 to 9: the size of its hash tables (2^(memLevel+9) bytes of them).
  /// libdeflate has no such setting.
  int memLevel = 8;
  /// Start every message with an empty window (RFC 7692 7.1.1): no window is kept between
  /// messages.
  bool noContextTakeover = false;
};

/// Settings of one direction's decompressor: the peer's side of the agreed parameters.
struct MessageInflaterConfig {
  /// The largest window the peer may use, 8 to 15.
  int windowBits = 15;
  /// The peer starts every message with an empty window, so none is kept between messages.
  bool noContextTakeover = false;
  /// The most bytes one message may inflate to; never unlimited. Output beyond it is never
  /// produced and no memory is taken for it (the defence against inflate bombs).
  std::size_t maxMessageLength = std::size_t{1} << 20;
};

/// Compresses message payloads for permessage-deflate (RFC 7692 7.2.1): the output is raw
/// deflate whose end is byte-aligned, with the final 00 00 ff ff removed.
///
/// A message is given in one or more parts (its frames); the call with `endOfMessage`
/// ends it. Non-final parts end with a sync flush (RFC 7692 7.2.1: their tail is kept), so
/// each fragment can be decoded as it arrives.
///
/// Errors: growing `out` past its maxCapacity() throws std::out_of_range; std::bad_alloc
/// when memory runs out. Compressing never fails otherwise.
///
/// Thread: one thread at a time; an engine belongs to one connection (its channel's loop).
class MessageDeflater {
 public:
  virtual ~MessageDeflater() = default;

  /// Compresses `in`, the next part of the current message, and appends the output to
  /// `out` (a real buffer, grown as needed). Whole-message engines (streaming() false)
  /// require `endOfMessage` on every call.
  virtual void deflate(std::span<const std::uint8_t> in, ByteBuf& out, bool endOfMessage) = 0;
  /// Whether a message may be given in several parts.
  virtual bool streaming() const noexcept = 0;
  /// Bytes of compressor state this engine keeps between messages (0 when nothing is kept;
  /// an estimate from the engine's settings, for metrics).
  virtual std::size_t retainedBytes() const noexcept = 0;
  const MessageDeflaterConfig& config() const noexcept { return config_; }

 protected:
  explicit MessageDeflater(const MessageDeflaterConfig& config) : config_(config) {}

 private:
  MessageDeflaterConfig config_;
};

/// Decompresses permessage-deflate message payloads (RFC 7692 7.2.2): appends 00 00 ff ff
/// to each message and inflates it, with the window kept or not between messages.
///
/// Errors from the input are returned, never thrown: CodecErrc::DecompressionFailed for data
/// that is not deflate, CodecErrc::DecompressionLimitExceeded once the message passes
/// maxMessageLength. After an error the engine refuses input (the connection fails).
///
/// Thread: one thread at a time; an engine belongs to one connection.
class MessageInflater {
 public:
  virtual ~MessageInflater() = default;

  /// Decompresses `in`, the next part of the current compressed message, appending to
  /// `out`. A whole-message engine may buffer the parts and produce everything on the call
  /// with `endOfMessage`. Returns a default Error (false) on success.
  virtual Error inflate(std::span<const std::uint8_t> in, ByteBuf& out, bool endOfMessage) = 0;
  /// Bytes of decompressor state this engine keeps between messages (an estimate).
  virtual std::size_t retainedBytes() const noexcept = 0;
  const MessageInflaterConfig& config() const noexcept { return config_; }

 protected:
  explicit MessageInflater(const MessageInflaterConfig& config) : config_(config) {}

 private:
  MessageInflaterConfig config_;
};

/// A compressor for `config`. Auto picks libdeflate for noContextTakeover (measured faster
/// per message, docs/performance.md) and zlib otherwise; asking for Libdeflate with context
/// takeover throws std::invalid_argument, as does an invalid config. Thread: any.
std::unique_ptr<MessageDeflater> newMessageDeflater(
    const MessageDeflaterConfig& config, DeflateEngineKind kind = DeflateEngineKind::Auto);

/// A decompressor for `config`. Auto picks zlib: it inflates fragments as they arrive and
/// never holds a compressed message whole (see newMessageDeflater for the errors).
/// Thread: any.
std::unique_ptr<MessageInflater> newMessageInflater(
    const MessageInflaterConfig& config, DeflateEngineKind kind = DeflateEngineKind::Auto);

}  // namespace sluice::websocket
