#include <fmt/format.h>
#include <libdeflate.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/codec/CodecError.h>
#include <sluice/websocket/LibdeflateEngine.h>

#include <algorithm>
#include <array>
#include <memory>
#include <new>
#include <stdexcept>

namespace sluice::websocket {
namespace {

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};
struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const noexcept { libdeflate_free_decompressor(d); }
};

// One compressor per level and one decompressor per thread, made on first use and freed
// when the thread ends (the thread-local caches of docs/core.md, "Process-wide state").
libdeflate_compressor& compressor(int level) {
  thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorDeleter>, 10> cache;
  auto& c = cache[static_cast<std::size_t>(level)];
  if (!c) {
    c.reset(libdeflate_alloc_compressor(level));
    if (!c) {
      throw std::bad_alloc();
    }
  }
  return *c;
}

libdeflate_decompressor& decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d;
  if (!d) {
    d.reset(libdeflate_alloc_decompressor());
    if (!d) {
      throw std::bad_alloc();
    }
  }
  return *d;
}

// Appended to a message before inflating it: the receiver's 00 00 ff ff (RFC 7692 7.2.2),
// then an empty final block (BFINAL 1, fixed codes, end-of-block: 03 00), because libdeflate
// inflates whole streams and a permessage-deflate message need not end one.
constexpr std::uint8_t kTrailer[6] = {0x00, 0x00, 0xff, 0xff, 0x03, 0x00};

constexpr std::size_t kFirstOutputMin = 1024;

}  // namespace

LibdeflateMessageDeflater::LibdeflateMessageDeflater(const MessageDeflaterConfig& config)
    : MessageDeflater(config) {
  if (!config.noContextTakeover) {
    throw std::invalid_argument("libdeflate compresses whole messages: no context takeover only");
  }
  if (config.windowBits != 15) {
    throw std::invalid_argument("libdeflate always uses a 32 KiB window: windowBits 15 only");
  }
  if (config.compressionLevel < 0 || config.compressionLevel > 9) {
    throw std::invalid_argument("permessage-deflate: compressionLevel must be 0 to 9");
  }
}

void LibdeflateMessageDeflater::deflate(std::span<const std::uint8_t> in, ByteBuf& out,
                                        bool endOfMessage) {
  if (!endOfMessage) {
    throw std::logic_error("LibdeflateMessageDeflater compresses whole messages only");
  }
  if (in.empty()) {
    out.writeByte(0x00);  // an empty stored block's header (RFC 7692 7.2.3.6)
    return;
  }
  libdeflate_compressor& c = compressor(config().compressionLevel);
  const std::size_t bound = libdeflate_deflate_compress_bound(&c, in.size()) + 1;
  out.ensureWritable(bound);
  std::uint8_t* dst = out.writableSpan().data();
  const std::size_t n = libdeflate_deflate_compress(&c, in.data(), in.size(), dst, bound - 1);
  if (n == 0) {
    throw std::logic_error("libdeflate: output larger than its own bound");
  }
  // RFC 7692 7.2.3.4: after a final block, the header bits of an empty stored block.
  dst[n] = 0x00;
  out.writerIndex(out.writerIndex() + n + 1);
}

LibdeflateMessageInflater::LibdeflateMessageInflater(const MessageInflaterConfig& config)
    : MessageInflater(config) {
  if (!config.noContextTakeover) {
    throw std::invalid_argument("libdeflate inflates whole messages: no context takeover only");
  }
  if (config.windowBits < 8 || config.windowBits > 15 || config.maxMessageLength == 0) {
    throw std::invalid_argument("permessage-deflate: windowBits 8 to 15, a positive limit");
  }
}

Error LibdeflateMessageInflater::inflate(std::span<const std::uint8_t> in, ByteBuf& out,
                                         bool endOfMessage) {
  if (error_) {
    return error_;
  }
  const std::size_t limit = config().maxMessageLength;
  auto tooLarge = [&] {
    pending_ = ByteBuf();
    error_ = Error(CodecErrc::DecompressionLimitExceeded,
                   fmt::format("decompressed data exceeds the limit of {} bytes", limit));
    return error_;
  };
  std::span<const std::uint8_t> message = in;
  if (!endOfMessage || pending_.capacity() != 0) {
    // Compressed data is never much longer than what it stands for (5 bytes per 64 KiB
    // stored block): a longer message cannot stay under the limit.
    const std::size_t inputLimit = limit + limit / 8 + 64;
    if (pending_.readableBytes() + in.size() + sizeof(kTrailer) > inputLimit) {
      return tooLarge();
    }
    if (pending_.capacity() == 0) {
      pending_ = ByteBufAllocator::defaultAllocator().buffer(in.size() + sizeof(kTrailer));
    }
    pending_.writeBytes(in);
    if (!endOfMessage) {
      return {};
    }
    pending_.writeBytes(std::span<const std::uint8_t>(kTrailer));
    message = pending_.readableSpan();
  }
  ByteBuf whole;
  if (pending_.capacity() == 0) {
    // One frame: the payload and the trailer in one buffer, for libdeflate.
    whole = ByteBufAllocator::defaultAllocator().buffer(in.size() + sizeof(kTrailer));
    whole.writeBytes(in).writeBytes(std::span<const std::uint8_t>(kTrailer));
    message = whole.readableSpan();
  }
  const std::size_t payloadEnd = message.size() - sizeof(kTrailer);
  libdeflate_decompressor& d = decompressor();
  const std::size_t start = out.writerIndex();
  std::size_t room = std::min(limit, std::max(kFirstOutputMin, message.size() * 4));
  std::size_t inPos = 0;
  std::size_t produced = 0;
  Error result;
  for (;;) {
    if (out.writableBytes() < room - produced) {
      out.ensureWritable(room - produced);
    }
    std::size_t inUsed = 0;
    std::size_t outUsed = 0;
    const libdeflate_result rc = libdeflate_deflate_decompress_ex(
        &d, message.data() + inPos, message.size() - inPos, out.writableSpan().data(),
        room - produced, &inUsed, &outUsed);
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
      if (room >= limit) {
        out.writerIndex(start);
        result = tooLarge();
        break;
      }
      room = std::min(limit, room * 2);  // again from this stream's start, with more room
      continue;
    }
    if (rc != LIBDEFLATE_SUCCESS) {
      out.writerIndex(start);
      pending_ = ByteBuf();
      error_ = Error(CodecErrc::DecompressionFailed, "corrupted compressed data (invalid stream)");
      result = error_;
      break;
    }
    out.writerIndex(out.writerIndex() + outUsed);
    produced += outUsed;
    inPos += inUsed;
    // The stream ended at a final block. If the payload goes on past its padding byte, a
    // new stream follows (RFC 7692 7.2.1); otherwise the rest is the trailer.
    if (inPos + 1 >= payloadEnd) {
      break;
    }
  }
  pending_ = ByteBuf();
  return result;
}

}  // namespace sluice::websocket
