#pragma once

#include <sluice/codec/compression/Deflater.h>
#include <sluice/codec/compression/Inflater.h>
#include <sluice/websocket/DeflateEngine.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sluice::websocket {

/// The zlib compressor of permessage-deflate: streaming (a message may come in fragments),
/// every window size from 9 to 15, with or without context takeover.
///
/// With context takeover it owns a Deflater for the life of the connection (about
/// 2^(windowBits+2) + 2^(memLevel+9) bytes of zlib state, 256 KiB at the defaults). Without
/// it, a Deflater is taken from the thread's DeflaterPool when a message starts and given
/// back when it ends, so an idle connection keeps nothing.
///
/// Each part ends with a sync flush (zlib's empty stored block, 00 00 ff ff); the last part
/// of a message loses those four bytes (RFC 7692 7.2.1). An empty last part after a flush is
/// the single byte 00, an empty stored block's header (RFC 7692 7.2.3.6).
///
/// Thread: one thread at a time.
class ZlibMessageDeflater final : public MessageDeflater {
 public:
  /// Throws std::invalid_argument for an invalid config.
  explicit ZlibMessageDeflater(const MessageDeflaterConfig& config);
  ~ZlibMessageDeflater() override;

  void deflate(std::span<const std::uint8_t> in, ByteBuf& out, bool endOfMessage) override;
  bool streaming() const noexcept override { return true; }
  std::size_t retainedBytes() const noexcept override;

 private:
  DeflaterConfig zlibConfig_;
  std::optional<Deflater> deflater_;  // with context takeover always; else during a message
};

/// The zlib decompressor of permessage-deflate: inflates each fragment as it arrives, with
/// the window kept between messages or not (RFC 7692 7.2.2), through an Inflater whose output
/// limit is the message limit: an inflate bomb fails with
/// CodecErrc::DecompressionLimitExceeded before any memory past the limit is taken.
///
/// With context takeover the Inflater lives as long as the connection (about 7 KiB of zlib
/// state and a 2^windowBits window once a message has arrived). Without it, an Inflater is
/// taken from a per-thread pool (at most four idle per thread) for each message and given
/// back after it.
///
/// A message that uses a final block (BFINAL, RFC 7692 7.2.3.4) ends zlib's stream; data
/// after it in the same message is inflated as a new stream, and the next message starts a
/// new stream too (the window of a finished stream cannot be taken over).
///
/// Thread: one thread at a time.
class ZlibMessageInflater final : public MessageInflater {
 public:
  /// Throws std::invalid_argument for an invalid config.
  explicit ZlibMessageInflater(const MessageInflaterConfig& config);
  ~ZlibMessageInflater() override;

  Error inflate(std::span<const std::uint8_t> in, ByteBuf& out, bool endOfMessage) override;
  std::size_t retainedBytes() const noexcept override;

 private:
  Error feed(std::span<const std::uint8_t> in, ByteBuf& out);
  void endMessage();

  InflaterConfig zlibConfig_;
  std::optional<Inflater> inflater_;
  std::uint64_t messageOutput_ = 0;  // bytes of the current message from finished streams
  Error error_;
  bool inMessage_ = false;
  bool exhausted_ = false;  // finished streams used the whole message limit
};

}  // namespace sluice::websocket
