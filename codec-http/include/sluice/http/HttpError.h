#pragma once

#include <system_error>

namespace sluice::http {

/// Why an HTTP message failed to decode (the cause in its DecoderResult), or why a
/// connection was refused. Each has a stable message; the conditions are
/// std::errc::message_size (a limit) and std::errc::bad_message (malformed input).
/// HttpServerCodec answers a failed request with the status each one names.
enum class HttpErrc {
  /// The request line or status line is malformed (RFC 9112 3, 4). 400.
  InvalidInitialLine = 1,
  /// The request target contains a control character or space, or is empty (RFC 9112 3.2). 400.
  InvalidRequestTarget,
  /// The version is not HTTP/1.0 or HTTP/1.1. 400 (RFC 9112 2.3 leaves 505 for versions a
  /// server recognises and refuses; a malformed one is a bad request).
  InvalidVersion,
  /// The request line is longer than maxInitialLineLength. 414.
  TooLongUri,
  /// A response's status line is longer than maxInitialLineLength.
  TooLongInitialLine,
  /// The header section (or trailer section) is larger than maxHeaderSize. 431.
  TooLongHeaders,
  /// A field line is malformed: no colon, an invalid name, whitespace before the colon
  /// (RFC 9112 5.1), obs-fold (RFC 9112 5.2), or NUL, CR, LF or a control character in the
  /// value (RFC 9110 5.5). 400.
  InvalidHeader,
  /// An HTTP/1.1 request without exactly one Host field (RFC 9112 3.2). 400.
  InvalidHost,
  /// Content-Length is not a number, or there are several that differ, or several at all
  /// (RFC 9112 6.3, 6.3.5). 400.
  InvalidContentLength,
  /// Both Transfer-Encoding and Content-Length (RFC 9112 6.3.3: a smuggling vector). 400.
  ContentLengthWithTransferEncoding,
  /// A transfer coding sluice does not decode, before a final chunked ("gzip, chunked").
  /// 501 (RFC 9112 6.1: a server SHOULD answer 501 to a coding it does not understand).
  UnsupportedTransferEncoding,
  /// A chunk size line is malformed or overflows (RFC 9112 7.1). 400.
  InvalidChunkSize,
  /// A chunk's data is not followed by CRLF (RFC 9112 7.1). 400.
  InvalidChunkTerminator,
  /// The connection closed in the middle of a message.
  PrematureClose,
  /// Transfer-Encoding whose final coding is not chunked, chunked applied twice, or any
  /// Transfer-Encoding in HTTP/1.0 (RFC 9112 6.1, 6.3 rule 4: the server MUST answer 400 and
  /// close). 400.
  InvalidTransferEncoding,
};

/// The category of HttpErrc, named "sluice.http".
const std::error_category& httpCategory() noexcept;

inline std::error_code make_error_code(HttpErrc e) noexcept {  // NOLINT: found by ADL
  return {static_cast<int>(e), httpCategory()};
}

}  // namespace sluice::http

template <>
struct std::is_error_code_enum<sluice::http::HttpErrc> : std::true_type {};
