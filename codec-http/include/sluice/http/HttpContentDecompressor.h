#pragma once

#include <sluice/http/HttpContentDecoder.h>

#include <cstddef>

namespace sluice::http {

/// Settings of an HttpContentDecompressor.
struct HttpContentDecompressorConfig {
  /// The most bytes one message body may inflate to. Always enforced, never unlimited (0 is
  /// refused): a few kilobytes of gzip can inflate to gigabytes. A body that would pass it
  /// fails with CodecErrc::DecompressionLimitExceeded, and no more than this is allocated
  /// for it. 64 MiB by default.
  std::size_t maxInflatedBytes = std::size_t{64} << 20;
};

/// Inflates message bodies sent with Content-Encoding gzip, x-gzip, deflate or x-deflate
/// (Netty's HttpContentDecompressor); see HttpContentDecoder for the headers and errors.
/// Put it after the HttpClientCodec (or an HttpServerCodec, for compressed requests), before
/// an HttpObjectAggregator:
///
/// ```cpp
/// p.addLast<sluice::http::HttpClientCodec>();
/// p.addLast<sluice::http::HttpContentDecompressor>();
/// p.addLast<sluice::http::HttpObjectAggregator>(1 << 20);
/// ```
///
/// "deflate" is the zlib format (RFC 9110 8.4.1.2), but some servers send raw deflate;
/// both are accepted, told apart by the first two bytes. Corrupt input, a checksum that does
/// not match, and a body that ends before its stream fail with
/// CodecErrc::DecompressionFailed. Bytes after the end of the stream (a second gzip member,
/// or padding) are ignored, as Netty and browsers do. Thread: the loop. Not sharable.
class HttpContentDecompressor : public HttpContentDecoder {
 public:
  /// Throws std::invalid_argument when maxInflatedBytes is 0.
  explicit HttpContentDecompressor(HttpContentDecompressorConfig config = {});

  const HttpContentDecompressorConfig& config() const noexcept { return config_; }

 protected:
  std::unique_ptr<Decoder> newContentDecoder(std::string_view contentEncoding) override;

 private:
  HttpContentDecompressorConfig config_;
};

}  // namespace sluice::http
