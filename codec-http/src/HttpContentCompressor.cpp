#include <sluice/codec/compression/Deflater.h>
#include <sluice/codec/compression/DeflaterPool.h>
#include <sluice/http/HttpContentCompressor.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "HttpChars.h"

namespace sluice::http {
namespace {

constexpr int kNotListed = -1;
constexpr int kQMax = 1000;  // weights are kept in thousandths

// RFC 9110 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
std::optional<int> parseQValue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) {
    return std::nullopt;
  }
  int value = (s[0] - '0') * kQMax;
  if (s.size() == 1) {
    return value;
  }
  if (s[1] != '.' || s.size() > 5) {
    return std::nullopt;
  }
  int scale = 100;
  for (std::size_t i = 2; i < s.size(); ++i, scale /= 10) {
    if (s[i] < '0' || s[i] > '9') {
      return std::nullopt;
    }
    value += (s[i] - '0') * scale;
  }
  return value <= kQMax ? std::optional<int>(value) : std::nullopt;
}

class ZlibContentEncoder final : public HttpContentEncoder::Encoder {
 public:
  // A stream per response, reset from this thread's pool rather than built afresh.
  explicit ZlibContentEncoder(const DeflaterConfig& config)
      : deflater_(DeflaterPool::acquire(config)) {}
  ~ZlibContentEncoder() override { DeflaterPool::release(std::move(deflater_)); }
  ZlibContentEncoder(const ZlibContentEncoder&) = delete;
  ZlibContentEncoder& operator=(const ZlibContentEncoder&) = delete;

  ByteBuf encode(ByteBufAllocator& alloc, const ByteBuf& in,
                 HttpContentEncoder::Flush flush) override {
    if (!in.isReadable() && flush == HttpContentEncoder::Flush::None) {
      return {};
    }
    DeflateFlush mode = DeflateFlush::None;
    if (flush == HttpContentEncoder::Flush::Sync) {
      mode = DeflateFlush::Sync;
    } else if (flush == HttpContentEncoder::Flush::Finish) {
      mode = DeflateFlush::Finish;
    }
    // Sized as the Deflater's own first guess, so it seldom grows: half the input when
    // flushing (text shrinks more than that), an eighth when zlib may buffer.
    const std::size_t n = in.readableBytes();
    ByteBuf out = alloc.buffer(mode == DeflateFlush::None ? n / 8 + 64 : n / 2 + 64);
    deflater_.deflate(in, out, mode);
    if (!out.isReadable()) {
      return {};
    }
    return out;
  }

 private:
  Deflater deflater_;
};

}  // namespace

HttpContentCompressor::HttpContentCompressor(HttpContentCompressorConfig config) : config_(config) {
  // Checked here, not at the first response: a bad setting is a programming error. The
  // ranges are the Deflater's (a throwaway Deflater would cost zlib's 256 KiB of state).
  if (config.compressionLevel < 0 || config.compressionLevel > 9 || config.windowBits < 9 ||
      config.windowBits > 15 || config.memLevel < 1 || config.memLevel > 9) {
    throw std::invalid_argument(
        "HttpContentCompressor: compressionLevel must be 0 to 9, windowBits 9 to 15, memLevel "
        "1 to 9");
  }
}

HttpContentCompressor::Choice HttpContentCompressor::determineEncoding(
    std::string_view acceptEncoding) {
  int gzip = kNotListed;
  int deflate = kNotListed;
  int identity = kNotListed;
  int star = kNotListed;
  detail::forEachListElement(acceptEncoding, [&](std::string_view element) {
    const std::size_t semicolon = element.find(';');
    const std::string_view coding = detail::trimOws(element.substr(0, semicolon));
    int q = kQMax;
    if (semicolon != std::string_view::npos) {
      // RFC 9110 12.5.3: a coding's only parameter is its weight; others are ignored.
      std::string_view params = element.substr(semicolon + 1);
      while (!params.empty()) {
        const std::size_t next = params.find(';');
        const std::string_view param = detail::trimOws(params.substr(0, next));
        if (param.size() >= 2 && detail::toLowerAscii(param[0]) == 'q' &&
            detail::trimOws(param.substr(1)).starts_with('=')) {
          const std::string_view raw = detail::trimOws(param.substr(param.find('=') + 1));
          const std::optional<int> parsed = parseQValue(raw);
          if (!parsed) {
            return false;  // a malformed weight: the element is ignored
          }
          q = *parsed;
        }
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      }
    }
    int* slot = nullptr;
    if (detail::equalsIgnoreCase(coding, "gzip") || detail::equalsIgnoreCase(coding, "x-gzip")) {
      slot = &gzip;
    } else if (detail::equalsIgnoreCase(coding, "deflate")) {
      slot = &deflate;
    } else if (detail::equalsIgnoreCase(coding, "identity")) {
      slot = &identity;
    } else if (coding == "*") {
      slot = &star;
    }
    if (slot != nullptr) {
      *slot = std::max(*slot, q);
    }
    return false;
  });
  const int gzipQ = gzip != kNotListed ? gzip : std::max(star, 0);
  const int deflateQ = deflate != kNotListed ? deflate : std::max(star, 0);
  Choice choice;
  // RFC 9110 12.5.3: identity is acceptable unless "identity;q=0", or "*;q=0" with no entry
  // for identity.
  choice.identityAcceptable = identity != kNotListed ? identity > 0 : star != 0;
  const int best = std::max(gzipQ, deflateQ);
  if (best == 0 || (identity != kNotListed && identity > best)) {
    return choice;
  }
  choice.coding = gzipQ >= deflateQ ? std::string_view("gzip") : std::string_view("deflate");
  return choice;
}

std::optional<HttpContentEncoder::Result> HttpContentCompressor::beginEncode(
    const HttpResponse& response, std::string_view acceptEncoding,
    std::optional<std::uint64_t> contentLength) {
  (void)response;
  const Choice choice = determineEncoding(acceptEncoding);
  if (choice.coding.empty()) {
    return std::nullopt;
  }
  if (contentLength && *contentLength < config_.contentSizeThreshold && choice.identityAcceptable) {
    return std::nullopt;
  }
  const bool gzip = choice.coding == "gzip";
  return Result{.targetContentEncoding = std::string(choice.coding),
                .encoder = std::make_unique<ZlibContentEncoder>(
                    DeflaterConfig{.wrapper = gzip ? ZlibWrapper::Gzip : ZlibWrapper::Zlib,
                                   .compressionLevel = config_.compressionLevel,
                                   .windowBits = config_.windowBits,
                                   .memLevel = config_.memLevel})};
}

}  // namespace sluice::http
