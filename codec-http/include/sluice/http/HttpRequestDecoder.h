#pragma once

#include <sluice/http/HttpObjectDecoder.h>

namespace sluice::http {

/// Decodes requests: HttpRequest, HttpContent..., LastHttpContent (Netty's
/// HttpRequestDecoder). See HttpObjectDecoder for the output and the rules.
///
/// The request line must be exactly `method SP request-target SP HTTP-version` (RFC 9112 3):
/// a token method, a target without control characters or spaces, and HTTP/1.0 or HTTP/1.1.
/// A line longer than maxInitialLineLength fails with HttpErrc::TooLongUri (414). An
/// HTTP/1.1 request needs exactly one Host field (RFC 9112 3.2); a request with neither
/// Content-Length nor Transfer-Encoding has no body (RFC 9112 6.3 rule 7).
///
/// ```cpp
/// pipeline.addLast<sluice::http::HttpRequestDecoder>(
///     sluice::http::HttpDecoderConfig{.maxHeaderSize = 16384});
/// ```
///
/// Thread: the channel's loop. Not sharable.
class HttpRequestDecoder : public HttpObjectDecoder {
 public:
  /// Throws std::invalid_argument when a limit of `config` is 0.
  explicit HttpRequestDecoder(HttpDecoderConfig config = {});

 protected:
  bool isDecodingRequest() const override { return true; }

 private:
  Message createMessage(std::string_view line, Error& error) override;
  Message createInvalidMessage() override;
};

}  // namespace sluice::http
