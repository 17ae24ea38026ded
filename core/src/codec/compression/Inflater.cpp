#include <fmt/format.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/compression/Inflater.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <new>
#include <stdexcept>
#include <string>

namespace sluice {

struct Inflater::State {
  z_stream stream{};
  bool initialized = false;  // inflateInit2 has run (the z_stream holds memory)
  bool started = false;      // the wrapper is known and the stream set up for it
  std::uint8_t header[2] = {};
  std::size_t headerBytes = 0;  // ZlibOrNone: first bytes held until the wrapper is known
};

namespace {

constexpr std::size_t kMaxPiece = std::size_t{1} << 30;
constexpr std::size_t kMinRoom = 256;
constexpr std::size_t kFirstGrowthMin = 1024;
constexpr std::size_t kFirstGrowthMax = std::size_t{64} << 10;

int zlibWindowBits(ZlibWrapper wrapper, int windowBits) {
  switch (wrapper) {
    case ZlibWrapper::Zlib:
      return windowBits;
    case ZlibWrapper::Gzip:
      return windowBits + 16;
    case ZlibWrapper::None:
      return -windowBits;
    case ZlibWrapper::ZlibOrNone:
      break;
  }
  return windowBits;
}

// RFC 1950 2.2: CM is 8 (deflate), CINFO at most 7 (a 32 KiB window), and CMF*256 + FLG a
// multiple of 31. Raw deflate seldom starts like this; browsers use the same test.
bool isZlibHeader(std::uint8_t cmf, std::uint8_t flg) {
  return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

}  // namespace

Inflater::Inflater(InflaterConfig config) : config_(config) {
  if (config.windowBits < 8 || config.windowBits > 15) {
    throw std::invalid_argument("Inflater: windowBits must be 8 to 15, not " +
                                std::to_string(config.windowBits));
  }
  if (config.maxOutputBytes == 0) {
    throw std::invalid_argument("Inflater: maxOutputBytes must be positive (it cannot be off)");
  }
  state_ = std::make_unique<State>();
  if (config.wrapper != ZlibWrapper::ZlibOrNone) {
    const int rc = inflateInit2(&state_->stream, zlibWindowBits(config.wrapper, config.windowBits));
    if (rc == Z_MEM_ERROR) {
      throw std::bad_alloc();
    }
    if (rc != Z_OK) {
      throw std::invalid_argument("Inflater: zlib refused the settings");
    }
    state_->initialized = true;
    state_->started = true;
  }
}

Inflater::~Inflater() {
  if (state_ && state_->initialized) {
    inflateEnd(&state_->stream);
  }
}

Inflater::Inflater(Inflater&& other) noexcept = default;

Inflater& Inflater::operator=(Inflater&& other) noexcept {
  if (this != &other) {
    if (state_ && state_->initialized) {
      inflateEnd(&state_->stream);
    }
    config_ = other.config_;
    state_ = std::move(other.state_);
    outputCount_ = other.outputCount_;
    error_ = std::move(other.error_);
    finished_ = other.finished_;
  }
  return *this;
}

Error Inflater::fail(Error error) {
  error_ = error;
  return error;
}

Error Inflater::inflate(ByteBuf& in, ByteBuf& out) {
  std::size_t used = 0;
  Error error = inflate(in.readableSpan(), out, &used);
  in.skipBytes(used);
  return error;
}

Error Inflater::inflate(std::span<const std::uint8_t> in, ByteBuf& out, std::size_t* consumed) {
  if (consumed != nullptr) {
    *consumed = 0;
  }
  if (!state_) {
    throw std::logic_error("Inflater: used after being moved from");
  }
  if (error_) {
    return error_;
  }
  if (finished_) {
    return {};
  }
  std::size_t used = 0;
  State& s = *state_;
  if (!s.started) {
    // ZlibOrNone: hold the first two bytes, which tell the wrappers apart, however the
    // input is split.
    while (s.headerBytes < 2 && used < in.size()) {
      s.header[s.headerBytes++] = in[used++];
    }
    if (consumed != nullptr) {
      *consumed = used;
    }
    if (s.headerBytes < 2) {
      return {};
    }
    const bool zlib = isZlibHeader(s.header[0], s.header[1]);
    const int windowBits =
        zlibWindowBits(zlib ? ZlibWrapper::Zlib : ZlibWrapper::None, config_.windowBits);
    const int rc =
        s.initialized ? inflateReset2(&s.stream, windowBits) : inflateInit2(&s.stream, windowBits);
    if (rc == Z_MEM_ERROR) {
      throw std::bad_alloc();
    }
    if (rc != Z_OK) {
      throw std::logic_error("Inflater: zlib refused the settings");
    }
    s.initialized = true;
    s.started = true;
    std::size_t headerUsed = 0;
    if (Error error = run({s.header, 2}, out, headerUsed)) {
      return error;
    }
    if (finished_) {
      return {};
    }
  }
  std::size_t rest = 0;
  Error error = run(in.subspan(used), out, rest);
  if (consumed != nullptr) {
    *consumed = used + rest;
  }
  return error;
}

Error Inflater::run(std::span<const std::uint8_t> in, ByteBuf& out, std::size_t& used) {
  z_stream& z = state_->stream;
  used = 0;
  bool stalled = false;
  // Also runs with no input: zlib may hold output it had no room for last time.
  do {
    const std::span<const std::uint8_t> piece =
        in.subspan(used, std::min(in.size() - used, kMaxPiece));
    z.next_in = const_cast<Bytef*>(piece.data());  // zlib never writes through next_in
    z.avail_in = static_cast<uInt>(piece.size());
    bool grown = false;
    for (;;) {
      const std::uint64_t allowed = config_.maxOutputBytes - outputCount_;
      int rc = Z_OK;
      std::size_t produced = 0;
      const uInt inBefore = z.avail_in;
      if (allowed == 0) {
        // At the limit: one more byte out of zlib, into a byte of our own and never into
        // `out`, tells whether the stream goes on past it.
        std::uint8_t probe = 0;
        z.next_out = &probe;
        z.avail_out = 1;
        rc = ::inflate(&z, Z_NO_FLUSH);
        if (z.avail_out == 0) {
          used += piece.size() - z.avail_in;
          z.next_in = nullptr;
          z.next_out = nullptr;
          return fail(Error(CodecErrc::DecompressionLimitExceeded,
                            fmt::format("decompressed data exceeds the limit of {} bytes",
                                        config_.maxOutputBytes)));
        }
      } else {
        const std::size_t cap =
            static_cast<std::size_t>(std::min<std::uint64_t>(allowed, UINT_MAX));
        if (out.writableBytes() < std::min(cap, kMinRoom)) {
          // Never more room than the limit still allows: a bomb cannot make us allocate.
          std::size_t want = grown ? std::max(out.capacity(), kFirstGrowthMax)
                                   : std::clamp(piece.size() * 4, kFirstGrowthMin, kFirstGrowthMax);
          want = std::min({want, cap, out.maxWritableBytes()});
          out.ensureWritable(std::max<std::size_t>(want, 1));
          grown = true;
        }
        const std::span<std::uint8_t> room = out.writableSpan();
        const std::size_t avail = std::min(room.size(), cap);
        z.next_out = room.data();
        z.avail_out = static_cast<uInt>(avail);
        rc = ::inflate(&z, Z_NO_FLUSH);
        produced = avail - z.avail_out;
        out.writerIndex(out.writerIndex() + produced);
        outputCount_ += produced;
      }
      switch (rc) {
        case Z_STREAM_END:
          finished_ = true;
          break;
        case Z_OK:
        case Z_BUF_ERROR:  // no progress possible: needs input or room
          break;
        case Z_NEED_DICT:
          used += piece.size() - z.avail_in;
          return fail(Error(CodecErrc::DecompressionFailed,
                            "corrupted compressed data (a preset dictionary is not supported)"));
        case Z_DATA_ERROR:
          used += piece.size() - z.avail_in;
          return fail(Error(CodecErrc::DecompressionFailed,
                            fmt::format("corrupted compressed data ({})",
                                        z.msg != nullptr ? z.msg : "invalid stream")));
        case Z_MEM_ERROR:
          throw std::bad_alloc();
        default:
          throw std::logic_error("Inflater: zlib stream state is inconsistent");
      }
      if (finished_) {
        break;
      }
      const bool progress = produced != 0 || z.avail_in != inBefore;
      // Done with this piece once zlib has all of it and had room to spare (so holds no
      // output), or can make no progress at all.
      if (!progress) {
        stalled = true;
        break;
      }
      if (z.avail_in == 0 && allowed != 0 && z.avail_out != 0) {
        break;
      }
    }
    used += piece.size() - z.avail_in;
  } while (!finished_ && !stalled && used < in.size());
  z.next_in = nullptr;
  z.next_out = nullptr;
  return {};
}

void Inflater::reset() {
  if (!state_) {
    throw std::logic_error("Inflater: used after being moved from");
  }
  State& s = *state_;
  if (config_.wrapper == ZlibWrapper::ZlibOrNone) {
    s.started = false;
    s.headerBytes = 0;
  } else {
    inflateReset(&s.stream);
  }
  outputCount_ = 0;
  error_ = Error();
  finished_ = false;
}

}  // namespace sluice
