#include <sluice/codec/CodecError.h>
#include <sluice/codec/compression/Inflater.h>
#include <sluice/http/HttpContentDecompressor.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "HttpChars.h"

namespace sluice::http {
namespace {

class ZlibContentDecoder final : public HttpContentDecoder::Decoder {
 public:
  explicit ZlibContentDecoder(InflaterConfig config) : inflater_(config) {}

  Error decode(ByteBufAllocator& alloc, const ByteBuf& in, bool last, ByteBuf& out) override {
    if (in.isReadable()) {
      seenInput_ = true;
      if (!inflater_.finished()) {
        // A first guess of four times the input, within what the limit still allows; the
        // Inflater grows it as needed, never past the limit.
        const std::uint64_t allowed = inflater_.config().maxOutputBytes - inflater_.outputCount();
        const std::size_t guess = std::clamp<std::size_t>(in.readableBytes() * 4, 256, 64 << 10);
        out = alloc.buffer(static_cast<std::size_t>(std::min<std::uint64_t>(guess, allowed)));
        if (Error error = inflater_.inflate(in.readableSpan(), out)) {
          return error;
        }
      }
    }
    if (last && seenInput_ && !inflater_.finished()) {
      return Error(CodecErrc::DecompressionFailed,
                   "corrupted compressed data (the body ended before the stream)");
    }
    if (out.capacity() != 0 && !out.isReadable()) {
      out = ByteBuf();
    }
    return {};
  }

 private:
  Inflater inflater_;
  bool seenInput_ = false;
};

}  // namespace

HttpContentDecompressor::HttpContentDecompressor(HttpContentDecompressorConfig config)
    : config_(config) {
  if (config.maxInflatedBytes == 0) {
    throw std::invalid_argument(
        "HttpContentDecompressor: maxInflatedBytes must be positive (it cannot be off)");
  }
}

std::unique_ptr<HttpContentDecoder::Decoder> HttpContentDecompressor::newContentDecoder(
    std::string_view contentEncoding) {
  ZlibWrapper wrapper;
  if (detail::equalsIgnoreCase(contentEncoding, "gzip") ||
      detail::equalsIgnoreCase(contentEncoding, "x-gzip")) {
    wrapper = ZlibWrapper::Gzip;
  } else if (detail::equalsIgnoreCase(contentEncoding, "deflate") ||
             detail::equalsIgnoreCase(contentEncoding, "x-deflate")) {
    wrapper = ZlibWrapper::ZlibOrNone;
  } else {
    return nullptr;
  }
  return std::make_unique<ZlibContentDecoder>(
      InflaterConfig{.wrapper = wrapper, .maxOutputBytes = config_.maxInflatedBytes});
}

}  // namespace sluice::http
