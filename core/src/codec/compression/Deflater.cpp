#include <sluice/codec/compression/Deflater.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <new>
#include <stdexcept>
#include <string>

namespace sluice {

struct Deflater::State {
  z_stream stream{};
  bool finished = false;
};

namespace {

// zlib takes at most UINT_MAX bytes per call; larger spans go in pieces.
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;
// Growth once the first guess is full: at least this much, or the capacity again.
constexpr std::size_t kMinGrowth = 4096;

int zlibWindowBits(ZlibWrapper wrapper, int windowBits) {
  switch (wrapper) {
    case ZlibWrapper::Zlib:
      return windowBits;
    case ZlibWrapper::Gzip:
      return windowBits + 16;  // zlib's convention for the gzip wrapper
    case ZlibWrapper::None:
      return -windowBits;  // and for raw deflate
    case ZlibWrapper::ZlibOrNone:
      break;
  }
  throw std::invalid_argument("Deflater: ZlibWrapper::ZlibOrNone is for inflating only");
}

int zlibFlush(DeflateFlush flush) {
  switch (flush) {
    case DeflateFlush::Sync:
      return Z_SYNC_FLUSH;
    case DeflateFlush::Finish:
      return Z_FINISH;
    case DeflateFlush::None:
      break;
  }
  return Z_NO_FLUSH;
}

// The room to reserve before the first call. Text (what HTTP compresses) shrinks at least
// by half at level 1, so half the input is usually enough; a byte stream that does not
// shrink costs one regrowth, which is cheap next to compressing it. Without a flush zlib
// mostly buffers, so less is reserved.
std::size_t firstGuess(std::size_t inputBytes, DeflateFlush flush) {
  const std::size_t guess = flush == DeflateFlush::None ? inputBytes / 8 + 64 : inputBytes / 2 + 64;
  return std::min<std::size_t>(guess, std::size_t{256} << 10);
}

}  // namespace

Deflater::Deflater(DeflaterConfig config) : config_(config) {
  if (config.compressionLevel < 0 || config.compressionLevel > 9) {
    throw std::invalid_argument("Deflater: compressionLevel must be 0 to 9, not " +
                                std::to_string(config.compressionLevel));
  }
  if (config.windowBits < 9 || config.windowBits > 15) {
    throw std::invalid_argument("Deflater: windowBits must be 9 to 15, not " +
                                std::to_string(config.windowBits));
  }
  if (config.memLevel < 1 || config.memLevel > 9) {
    throw std::invalid_argument("Deflater: memLevel must be 1 to 9, not " +
                                std::to_string(config.memLevel));
  }
  const int windowBits = zlibWindowBits(config.wrapper, config.windowBits);
  auto state = std::make_unique<State>();
  const int rc = deflateInit2(&state->stream, config.compressionLevel, Z_DEFLATED, windowBits,
                              config.memLevel, Z_DEFAULT_STRATEGY);
  if (rc == Z_MEM_ERROR) {
    throw std::bad_alloc();
  }
  if (rc != Z_OK) {
    throw std::invalid_argument("Deflater: zlib refused the settings");
  }
  state_ = std::move(state);
}

Deflater::~Deflater() {
  if (state_) {
    deflateEnd(&state_->stream);
  }
}

Deflater::Deflater(Deflater&& other) noexcept = default;

Deflater& Deflater::operator=(Deflater&& other) noexcept {
  if (this != &other) {
    if (state_) {
      deflateEnd(&state_->stream);
    }
    config_ = other.config_;
    state_ = std::move(other.state_);
  }
  return *this;
}

void Deflater::deflate(std::span<const std::uint8_t> in, ByteBuf& out, DeflateFlush flush) {
  if (!state_) {
    throw std::logic_error("Deflater: used after being moved from");
  }
  if (state_->finished) {
    throw std::logic_error("Deflater: deflate after the stream finished; call reset() first");
  }
  if (in.empty() && flush == DeflateFlush::None) {
    return;
  }
  z_stream& z = state_->stream;
  bool first = true;
  do {
    const std::span<const std::uint8_t> piece = in.first(std::min(in.size(), kMaxPiece));
    in = in.subspan(piece.size());
    // Only the last piece carries the flush.
    const DeflateFlush pieceFlush = in.empty() ? flush : DeflateFlush::None;
    const int zflush = zlibFlush(pieceFlush);
    // zlib's interface is not const-correct; it never writes through next_in.
    z.next_in = const_cast<Bytef*>(piece.data());
    z.avail_in = static_cast<uInt>(piece.size());
    for (;;) {
      std::size_t want = 0;
      if (first) {
        want = firstGuess(piece.size(), pieceFlush);
        first = false;
      } else if (out.writableBytes() == 0) {
        want = std::max(kMinGrowth, out.capacity());
      }
      if (want > out.writableBytes()) {
        // Past maxCapacity ensureWritable throws; ask for no more than fits, so the throw
        // comes only when nothing fits.
        out.ensureWritable(std::max<std::size_t>(1, std::min(want, out.maxWritableBytes())));
      }
      const std::span<std::uint8_t> room = out.writableSpan();
      const std::size_t avail = std::min<std::size_t>(room.size(), UINT_MAX);
      z.next_out = room.data();
      z.avail_out = static_cast<uInt>(avail);
      const int rc = ::deflate(&z, zflush);
      const std::size_t produced = avail - z.avail_out;
      out.writerIndex(out.writerIndex() + produced);
      if (rc == Z_STREAM_END) {
        state_->finished = true;
        break;
      }
      if (rc == Z_STREAM_ERROR) {
        throw std::logic_error("Deflater: zlib stream state is inconsistent");
      }
      // Z_OK or Z_BUF_ERROR (no progress possible). With room left over, zlib has taken all
      // the input and, for a sync flush, written everything (zlib.h, deflate()); a finish
      // goes on until Z_STREAM_END.
      if (z.avail_out != 0 && z.avail_in == 0 && zflush != Z_FINISH) {
        break;
      }
      if (rc == Z_BUF_ERROR && z.avail_out != 0) {
        throw std::logic_error("Deflater: zlib made no progress");
      }
    }
  } while (!in.empty());
  z.next_in = nullptr;
  z.next_out = nullptr;
}

void Deflater::reset() {
  if (!state_) {
    throw std::logic_error("Deflater: used after being moved from");
  }
  deflateReset(&state_->stream);
  state_->finished = false;
}

bool Deflater::finished() const noexcept { return state_ && state_->finished; }

std::uint64_t Deflater::totalIn() const noexcept { return state_ ? state_->stream.total_in : 0; }

std::uint64_t Deflater::totalOut() const noexcept { return state_ ? state_->stream.total_out : 0; }

}  // namespace sluice
