#pragma once

#include <sluice/http/HttpHeaders.h>

#include <cstddef>

namespace sluice::http {

/// Limits and options of HttpRequestDecoder and HttpResponseDecoder (Netty's
/// HttpDecoderConfig). The defaults are Netty's: 4096 / 8192 / 8192 with header validation.
/// Every limit must be at least 1; the decoders' constructors throw std::invalid_argument
/// otherwise.
struct HttpDecoderConfig {
  /// The longest request line or status line, without its CRLF. A longer one fails the
  /// message with HttpErrc::TooLongUri (requests, 414) or HttpErrc::TooLongInitialLine
  /// (responses). Also bounds a chunk-size line (with its extensions).
  std::size_t maxInitialLineLength = 4096;
  /// The largest header section: the bytes of its field lines, without their CRLFs. A larger
  /// one fails the message with HttpErrc::TooLongHeaders (431). The trailer section of a
  /// chunked body has a limit of the same size, counted separately.
  std::size_t maxHeaderSize = 8192;
  /// The largest HttpContent the decoder emits: a longer body arrives in several pieces.
  std::size_t maxChunkSize = 8192;
  /// Whether the HttpHeaders of decoded messages check what a handler later adds to them.
  /// The decoder itself always checks received fields (RFC 9110 5.5, RFC 9112 5).
  HeaderValidation validateHeaders = HeaderValidation::On;
};

}  // namespace sluice::http
