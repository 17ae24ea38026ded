#pragma once

#include <sluice/http/HttpContentEncoder.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::http {

/// Settings of an HttpContentCompressor.
struct HttpContentCompressorConfig {
  /// zlib's level, 0 to 9: 6 is zlib's and Netty's default, a good ratio at moderate cost.
  int compressionLevel = 6;
  /// The window as a base-two logarithm, 9 to 15.
  int windowBits = 15;
  /// zlib's memory level, 1 to 9.
  int memLevel = 8;
  /// Bodies whose length is known (a FullHttpResponse, or Content-Length) and smaller than
  /// this are sent as they are, unless the client refuses identity ("identity;q=0").
  /// Netty's default is 0; sluice's is 1024 because below about 1 KiB the gzip framing
  /// (18 bytes), the Content-Encoding and Vary fields and the CPU cost outweigh what is
  /// saved (a body often fits one TCP segment either way). 0 compresses every body.
  std::size_t contentSizeThreshold = 1024;
};

/// Compresses responses with gzip or deflate, as the request's Accept-Encoding allows
/// (Netty's HttpContentCompressor). See HttpContentEncoder for which responses are left
/// alone and how bodies are framed and flushed; this class chooses the coding:
///
/// - RFC 9110 12.5.3: codings are compared case-insensitively, each with its weight
///   (q, default 1); q=0 means "not acceptable". "*" stands for every coding not listed.
///   "x-gzip" is gzip (RFC 9110 8.4.1.3).
/// - the coding with the highest weight among gzip and deflate wins, gzip at equal weights
///   (the more widely implemented; deflate is the zlib format, RFC 9110 8.4.1.2). An
///   "identity" listed with a higher weight than both wins, and nothing is compressed.
/// - when neither is acceptable the body goes unencoded, even with "identity;q=0" (RFC 9110
///   12.5.3: the server SHOULD send the response without a coding rather than fail).
/// - a request without Accept-Encoding, or with an empty one, gets no coding.
///
/// A subclass may override beginEncode to leave more responses alone (by Content-Type, say)
/// and call this class's for the others. Thread: the loop. Not sharable.
class HttpContentCompressor : public HttpContentEncoder {
 public:
  /// Throws std::invalid_argument for settings out of range.
  explicit HttpContentCompressor(HttpContentCompressorConfig config = {});

  /// The result of reading an Accept-Encoding value.
  struct Choice {
    /// "gzip", "deflate", or empty for no coding.
    std::string_view coding;
    /// Whether the unencoded body is acceptable (false after "identity;q=0", or "*;q=0"
    /// with no weight for identity).
    bool identityAcceptable = true;
  };
  /// Chooses a coding for `acceptEncoding` by the rules above (Netty's determineEncoding).
  static Choice determineEncoding(std::string_view acceptEncoding);

  const HttpContentCompressorConfig& config() const noexcept { return config_; }

 protected:
  std::optional<Result> beginEncode(const HttpResponse& response, std::string_view acceptEncoding,
                                    std::optional<std::uint64_t> contentLength) override;

 private:
  HttpContentCompressorConfig config_;
};

}  // namespace sluice::http
