#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/websocket/DeflateEngine.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::websocket {

/// The libdeflate compressor of permessage-deflate: whole messages, no context takeover,
/// a 32 KiB window (libdeflate's only one, so only for windowBits 15). No state is kept per
/// connection: the compressor (one per thread and level, freed when the thread ends) is
/// shared by every connection of the thread.
///
/// libdeflate ends a message with a final block (BFINAL), so one byte 00 follows it: the
/// header of an empty stored block, which the receiver completes with its 00 00 ff ff
/// (RFC 7692 7.2.3.4). Each call compresses one whole message: `endOfMessage` must be true.
///
/// Thread: one thread at a time. Throws std::invalid_argument when constructed with context
/// takeover, a window other than 15 or a level outside 0 to 9, and std::logic_error for a
/// call without endOfMessage.
class LibdeflateMessageDeflater final : public MessageDeflater {
 public:
  explicit LibdeflateMessageDeflater(const MessageDeflaterConfig& config);

  void deflate(std::span<const std::uint8_t> in, ByteBuf& out, bool endOfMessage) override;
  bool streaming() const noexcept override { return false; }
  std::size_t retainedBytes() const noexcept override { return 0; }
};

/// The libdeflate decompressor of permessage-deflate, for peers without context takeover:
/// the fragments of a compressed message are gathered (up to maxMessageLength bytes) and the
/// message inflated in one call when its last fragment arrives. The output buffer starts at
/// four times the input and doubles, never past maxMessageLength, so an inflate bomb fails
/// with CodecErrc::DecompressionLimitExceeded without taking more memory than the limit.
/// The decompressor is shared per thread; a connection keeps only a message still arriving.
///
/// Thread: one thread at a time. Throws std::invalid_argument when constructed with context
/// takeover.
class LibdeflateMessageInflater final : public MessageInflater {
 public:
  explicit LibdeflateMessageInflater(const MessageInflaterConfig& config);

  Error inflate(std::span<const std::uint8_t> in, ByteBuf& out, bool endOfMessage) override;
  std::size_t retainedBytes() const noexcept override { return pending_.capacity(); }

 private:
  ByteBuf pending_;  // the compressed fragments of the current message
  Error error_;
};

}  // namespace sluice::websocket
