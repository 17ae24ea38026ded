// libFuzzer target: inflating untrusted bytes. The first input byte picks the mode, the
// limit and a split position; the rest is the input.
//
// - Mode HTTP (control & 3 == 0 or 1): a response stream through HttpResponseDecoder and an
//   HttpContentDecompressor whose maxInflatedBytes is 1 MiB (or 4 KiB), fed whole and split
//   in two. No message may carry more decoded bytes than the limit, the only errors are
//   DecompressionFailed and DecompressionLimitExceeded, and the decoded messages (and which
//   bodies failed, with what) are the same however the input is split.
// - Mode raw (control & 3 == 2 or 3): the input through an Inflater with one of the four
//   wrappers, whole and split, checked against zlib's own inflate: when zlib inflates the
//   input within the limit the Inflater returns the same bytes, when zlib's output passes
//   the limit the Inflater fails with DecompressionLimitExceeded having produced no more
//   than the limit, and corrupt input fails with DecompressionFailed.
//
// Every run must end with as many live buffers in the default allocators as it started
// with.

#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/compression/Inflater.h>
#include <sluice/http/HttpContentDecompressor.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpResponseDecoder.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http::fuzzing {
namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

bool isDecompressionError(const Error& e) {
  return e.code() == make_error_code(CodecErrc::DecompressionFailed) ||
         e.code() == make_error_code(CodecErrc::DecompressionLimitExceeded);
}

/// Renders the decoded messages. A body's bytes are joined (a split cuts them differently);
/// a failed body renders as its error only, since how much came out before the failure
/// depends on where the input was cut.
class Recorder : public ChannelInboundHandler {
 public:
  Recorder(std::string* out, std::size_t limit) : out_(out), limit_(limit) {}

  void channelRead(ChannelHandlerContext&, Message msg) override {
    if (const auto* m = msg.getIf<HttpMessage>()) {
      body_.clear();
      bodyBytes_ = 0;
      *out_ += "\n<msg";
      if (const auto* response = msg.getIf<HttpResponse>()) {
        *out_ += std::to_string(response->status().code());
      }
      for (const HttpHeaders::Entry& e : m->headers()) {
        *out_ += '|';
        *out_ += e.name;
        *out_ += ':';
        *out_ += e.value;
      }
      *out_ += m->decoderResult().isSuccess() ? ">" : " failed>";
    }
    if (const auto* content = msg.getIf<HttpContent>()) {
      bodyBytes_ += content->content().readableBytes();
      check(bodyBytes_ <= limit_);  // never more than the limit per message
      body_ += content->content().toStringView();
      if (const auto* last = msg.getIf<LastHttpContent>()) {
        if (last->decoderResult().isSuccess()) {
          *out_ += body_;
          *out_ += "<last>";
        } else {
          *out_ += "<last failed " + last->decoderResult().cause().code().message() + ">";
        }
        body_.clear();
      }
    }
  }

  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    // The decompressor reports a failed body here too; nothing else may arrive.
    check(isDecompressionError(error));
    *out_ += "<exception " + error.message() + ">";
  }

 private:
  std::string* out_;
  std::size_t limit_;
  std::string body_;
  std::size_t bodyBytes_ = 0;
};

std::string decodeHttp(std::string_view stream, std::size_t split, std::size_t limit) {
  std::string rendered;
  EmbeddedChannel ch(std::make_unique<HttpResponseDecoder>(),
                     std::make_unique<HttpContentDecompressor>(
                         HttpContentDecompressorConfig{.maxInflatedBytes = limit}),
                     std::make_unique<Recorder>(&rendered, limit));
  if (split == 0 || split >= stream.size()) {
    ch.writeInbound(Unpooled::copiedBuffer(stream));
  } else {
    ch.writeInbound(Unpooled::copiedBuffer(stream.substr(0, split)));
    ch.writeInbound(Unpooled::copiedBuffer(stream.substr(split)));
  }
  ch.finishAndReleaseAll();
  return rendered;
}

struct RawResult {
  std::string out;
  Error error;
  bool finished = false;
  std::size_t consumed = 0;
};

// The input given to an Inflater in pieces of `step` bytes (all at once when 0).
RawResult inflateRaw(std::span<const std::uint8_t> in, const InflaterConfig& config,
                     std::size_t step) {
  Inflater inflater(config);
  ByteBuf out = UnpooledByteBufAllocator::defaultAllocator().buffer(0);
  RawResult r;
  std::size_t pos = 0;
  do {
    const std::size_t n = step == 0 ? in.size() - pos : std::min(step, in.size() - pos);
    std::size_t used = 0;
    const std::size_t before = out.readableBytes();
    r.error = inflater.inflate(in.subspan(pos, n), out, &used);
    check(used <= n);
    check(out.readableBytes() - before <= config.maxOutputBytes);
    r.consumed += used;
    pos += n;
    if (r.error || inflater.finished()) {
      break;
    }
  } while (pos < in.size());
  check(out.readableBytes() <= config.maxOutputBytes);
  check(inflater.outputCount() == out.readableBytes());
  check(static_cast<bool>(r.error) == inflater.failed());
  r.out = std::string(out.toStringView());
  r.finished = inflater.finished();
  return r;
}

// zlib's own verdict with room for one byte past the limit: 1 when the stream ends within
// the limit (into `out`), 2 when it passes the limit, 3 when it is corrupt, 0 when the
// input ends first. A ZlibOrNone input is judged as the wrapper its first two bytes pick.
int reference(std::span<const std::uint8_t> in, ZlibWrapper wrapper, int windowBits,
              std::size_t limit, std::string& out) {
  if (wrapper == ZlibWrapper::ZlibOrNone) {
    if (in.size() < 2) {
      return 0;
    }
    const bool zlib = (in[0] & 0x0F) == 8 && (in[0] >> 4) <= 7 && ((in[0] << 8) | in[1]) % 31 == 0;
    wrapper = zlib ? ZlibWrapper::Zlib : ZlibWrapper::None;
  }
  const int bits = wrapper == ZlibWrapper::Gzip   ? windowBits + 16
                   : wrapper == ZlibWrapper::None ? -windowBits
                                                  : windowBits;
  z_stream z{};
  check(inflateInit2(&z, bits) == Z_OK);
  std::vector<std::uint8_t> buf(limit + 1);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = buf.data();
  z.avail_out = static_cast<uInt>(buf.size());
  const int rc = ::inflate(&z, Z_FINISH);
  const std::size_t produced = buf.size() - z.avail_out;
  inflateEnd(&z);
  if (produced > limit) {
    return 2;
  }
  if (rc == Z_STREAM_END) {
    out.assign(reinterpret_cast<const char*>(buf.data()), produced);
    return 1;
  }
  if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
    return 3;
  }
  return 0;
}

void fuzzRaw(std::uint8_t control, std::span<const std::uint8_t> in) {
  static constexpr ZlibWrapper kWrappers[] = {ZlibWrapper::Zlib, ZlibWrapper::Gzip,
                                              ZlibWrapper::None, ZlibWrapper::ZlibOrNone};
  const InflaterConfig config{
      .wrapper = kWrappers[(control >> 2) & 3],
      .windowBits = (control & 0x10) != 0 ? 15 : 9 + (control >> 5) % 7,  // 9 to 15
      .maxOutputBytes = (control & 0x80) != 0 ? std::size_t{4096} : std::size_t{1} << 20};
  const RawResult whole = inflateRaw(in, config, 0);
  const std::size_t step = 1 + (control >> 5) * 7;
  const RawResult split = inflateRaw(in, config, step);
  check(split.out == whole.out);
  check(split.error.code() == whole.error.code());
  check(split.finished == whole.finished);
  if (!whole.error) {
    check(split.consumed == whole.consumed);
  }
  if (whole.error) {
    check(isDecompressionError(whole.error));
  }
  std::string expected;
  switch (reference(in, config.wrapper, config.windowBits, config.maxOutputBytes, expected)) {
    case 1:
      check(!whole.error && whole.finished && whole.out == expected);
      break;
    case 2:
      check(whole.error.code() == make_error_code(CodecErrc::DecompressionLimitExceeded));
      break;
    case 3:
      check(whole.error.code() == make_error_code(CodecErrc::DecompressionFailed));
      break;
    default:
      check(!whole.error && !whole.finished);
      break;
  }
}

}  // namespace
}  // namespace sluice::http::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  using namespace sluice::http::fuzzing;
  if (size < 1) {
    return 0;
  }
  const std::uint64_t pooledAtStart =
      PooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  const std::uint64_t unpooledAtStart =
      UnpooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  const std::uint8_t control = data[0];
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  if ((control & 2) == 0) {
    const std::string_view stream(reinterpret_cast<const char*>(in.data()), in.size());
    const std::size_t limit = (control & 1) != 0 ? std::size_t{4096} : std::size_t{1} << 20;
    const std::size_t split = (control >> 2) * stream.size() / 0x3F;
    const std::string whole = decodeHttp(stream, 0, limit);
    check(decodeHttp(stream, split, limit) == whole);
  } else {
    fuzzRaw(control, in);
  }
  // No buffer outlives the run.
  check(PooledByteBufAllocator::defaultAllocator().metrics().liveBuffers == pooledAtStart);
  check(UnpooledByteBufAllocator::defaultAllocator().metrics().liveBuffers == unpooledAtStart);
  return 0;
}
