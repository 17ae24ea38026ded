#include <fmt/format.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/compression/DeflaterPool.h>
#include <sluice/websocket/ZlibDeflateEngine.h>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sluice::websocket {
namespace {

// RFC 7692 7.2.1: the empty stored block a sync flush ends with, removed from each message.
constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xff, 0xff};

// zlib's deflate state besides the window and hash tables (deflate_state, its pending
// buffer is part of the 2^(memLevel+9) figure), and its inflate state (inflate_state).
constexpr std::size_t kDeflateStateBytes = 5952;
constexpr std::size_t kInflateStateBytes = 7160;

// Idle Inflaters per thread for messages without context takeover: the Inflater twin of
// DeflaterPool (the thread-local caches of docs/core.md, "Process-wide state").
constexpr std::size_t kMaxIdleInflaters = 4;

std::vector<Inflater>& idleInflaters() {
  thread_local std::vector<Inflater> idle;
  return idle;
}

Inflater acquireInflater(const InflaterConfig& config) {
  std::vector<Inflater>& idle = idleInflaters();
  for (auto it = idle.begin(); it != idle.end(); ++it) {
    const InflaterConfig& c = it->config();
    if (c.windowBits == config.windowBits && c.maxOutputBytes == config.maxOutputBytes) {
      Inflater inflater = std::move(*it);
      idle.erase(it);
      return inflater;
    }
  }
  return Inflater(config);
}

void releaseInflater(Inflater&& inflater) noexcept {
  std::vector<Inflater>& idle = idleInflaters();
  if (idle.size() >= kMaxIdleInflaters) {
    return;  // dropped: its destructor frees the zlib state
  }
  inflater.reset();
  try {
    idle.push_back(std::move(inflater));
  } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory, the Inflater is freed
  }
}

DeflaterConfig toZlib(const MessageDeflaterConfig& c) {
  if (c.windowBits < 9 || c.windowBits > 15) {
    throw std::invalid_argument("permessage-deflate: windowBits must be 9 to 15 to compress");
  }
  return DeflaterConfig{.wrapper = ZlibWrapper::None,
                        .compressionLevel = c.compressionLevel,
                        .windowBits = c.windowBits,
                        .memLevel = c.memLevel};
}

}  // namespace

ZlibMessageDeflater::ZlibMessageDeflater(const MessageDeflaterConfig& config)
    : MessageDeflater(config), zlibConfig_(toZlib(config)) {
  if (!config.noContextTakeover) {
    deflater_.emplace(zlibConfig_);
  } else {
    // The settings are checked now, not at the first message (and the pool keeps the state).
    DeflaterPool::release(DeflaterPool::acquire(zlibConfig_));
  }
}

ZlibMessageDeflater::~ZlibMessageDeflater() {
  if (deflater_ && config().noContextTakeover) {
    DeflaterPool::release(std::move(*deflater_));
  }
}

void ZlibMessageDeflater::deflate(std::span<const std::uint8_t> in, ByteBuf& out,
                                  bool endOfMessage) {
  if (!deflater_) {
    deflater_.emplace(DeflaterPool::acquire(zlibConfig_));
  }
  if (in.empty()) {
    // zlib writes nothing for a second flush in a row; every part ends byte-aligned after
    // a flush, so an empty stored block's header ends the message (RFC 7692 7.2.3.6).
    if (endOfMessage) {
      out.writeByte(0x00);
    }
  } else {
    deflater_->deflate(in, out, DeflateFlush::Sync);
    if (endOfMessage) {
      // RFC 7692 7.2.1: remove the 00 00 ff ff that the sync flush ended with.
      const std::size_t end = out.writerIndex();
      if (end >= 4 &&
          std::equal(std::begin(kTail), std::end(kTail), out.memoryAddress() + end - 4)) {
        out.writerIndex(end - 4);
      }
    }
  }
  if (endOfMessage && config().noContextTakeover) {
    // RFC 7692 7.1.1: the next message starts with an empty window, so nothing is kept.
    DeflaterPool::release(std::move(*deflater_));
    deflater_.reset();
  }
}

std::size_t ZlibMessageDeflater::retainedBytes() const noexcept {
  if (config().noContextTakeover) {
    return 0;
  }
  return (std::size_t{1} << (config().windowBits + 2)) +
         (std::size_t{1} << (config().memLevel + 9)) + kDeflateStateBytes;
}

ZlibMessageInflater::ZlibMessageInflater(const MessageInflaterConfig& config)
    : MessageInflater(config),
      zlibConfig_{.wrapper = ZlibWrapper::None,
                  .windowBits = config.windowBits,
                  .maxOutputBytes = config.maxMessageLength} {
  if (!config.noContextTakeover) {
    inflater_.emplace(zlibConfig_);
  } else {
    releaseInflater(acquireInflater(zlibConfig_));  // checks the settings now
  }
}

ZlibMessageInflater::~ZlibMessageInflater() {
  if (inflater_ && config().noContextTakeover &&
      inflater_->config().maxOutputBytes == zlibConfig_.maxOutputBytes) {
    releaseInflater(std::move(*inflater_));
  }
}

Error ZlibMessageInflater::inflate(std::span<const std::uint8_t> in, ByteBuf& out,
                                   bool endOfMessage) {
  if (error_) {
    return error_;
  }
  if (!inMessage_) {
    inMessage_ = true;
    messageOutput_ = 0;
    exhausted_ = false;
    if (!inflater_) {
      inflater_.emplace(acquireInflater(zlibConfig_));
    }
  }
  Error error = feed(in, out);
  if (!error && endOfMessage) {
    // RFC 7692 7.2.2: the sender removed the empty stored block's 00 00 ff ff; put it back.
    error = feed(kTail, out);
  }
  if (error) {
    error_ = error;
    return error;
  }
  if (endOfMessage) {
    endMessage();
  }
  return {};
}

Error ZlibMessageInflater::feed(std::span<const std::uint8_t> in, ByteBuf& out) {
  for (;;) {
    const std::size_t before = out.writerIndex();
    std::size_t used = 0;
    if (Error error = inflater_->inflate(in, out, &used)) {
      return error;
    }
    if (exhausted_ && out.writerIndex() != before) {
      // The message had reached its limit before this stream: any byte is one too many.
      out.writerIndex(before);
      return Error(CodecErrc::DecompressionLimitExceeded,
                   fmt::format("decompressed data exceeds the limit of {} bytes",
                               zlibConfig_.maxOutputBytes));
    }
    in = in.subspan(used);
    if (in.empty() || !inflater_->finished()) {
      return {};
    }
    // A final block (BFINAL) ended zlib's stream before the message's end; what follows is
    // a new stream (RFC 7692 7.2.1: "the next DEFLATE block follows"), inflated by a new
    // Inflater allowed only what is left of the message limit (an Inflater's limit cannot
    // be 0: with nothing left, it may produce one byte, which is taken back above).
    messageOutput_ += inflater_->outputCount();
    const std::uint64_t left = zlibConfig_.maxOutputBytes - messageOutput_;
    exhausted_ = left == 0;
    InflaterConfig rest = zlibConfig_;
    rest.maxOutputBytes = static_cast<std::size_t>(std::max<std::uint64_t>(left, 1));
    if (config().noContextTakeover &&
        inflater_->config().maxOutputBytes == zlibConfig_.maxOutputBytes) {
      releaseInflater(std::move(*inflater_));
    }
    inflater_.emplace(rest);
  }
}

void ZlibMessageInflater::endMessage() {
  inMessage_ = false;
  const bool replaced = inflater_->config().maxOutputBytes != zlibConfig_.maxOutputBytes;
  if (config().noContextTakeover) {
    if (!replaced) {
      releaseInflater(std::move(*inflater_));
    }
    inflater_.reset();
  } else if (replaced) {
    inflater_.emplace(zlibConfig_);
  } else if (inflater_->finished()) {
    inflater_->reset();  // a finished stream takes no more input: start a new one
  } else {
    inflater_->resetOutputCount();  // RFC 7692 7.2.2: the window carries over
  }
}

std::size_t ZlibMessageInflater::retainedBytes() const noexcept {
  if (config().noContextTakeover) {
    return 0;
  }
  return (std::size_t{1} << config().windowBits) + kInflateStateBytes;
}

}  // namespace sluice::websocket
