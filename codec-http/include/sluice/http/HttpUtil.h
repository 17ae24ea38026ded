#pragma once

#include <sluice/http/HttpObject.h>

#include <cstdint>
#include <optional>

namespace sluice::http {

/// What the headers of a message say about its connection and body (Netty's HttpUtil).
/// Each function reads or sets header fields only; none touches the content.
struct HttpUtil {
  /// Whether the connection stays open after this message (RFC 9112 9.3): "Connection:
  /// close" closes; otherwise HTTP/1.1 stays open and HTTP/1.0 stays open only with
  /// "Connection: keep-alive".
  static bool isKeepAlive(const HttpMessage& message);
  /// Sets the Connection field for `keepAlive` as the message's version needs it: HTTP/1.1
  /// removes "keep-alive" or sets "close"; HTTP/1.0 sets "keep-alive" or removes it.
  static void setKeepAlive(HttpMessage& message, bool keepAlive);

  /// The Content-Length value, when present and a valid non-negative number.
  static std::optional<std::uint64_t> getContentLength(const HttpMessage& message);
  static void setContentLength(HttpMessage& message, std::uint64_t length);
  static bool isContentLengthSet(const HttpMessage& message);

  /// Whether Transfer-Encoding's last coding is chunked (RFC 9112 6.1).
  static bool isTransferEncodingChunked(const HttpMessage& message);
  /// Sets "Transfer-Encoding: chunked" and removes Content-Length, or removes chunked.
  static void setTransferEncodingChunked(HttpMessage& message, bool chunked);

  /// Whether a request asks for "100 Continue" before it sends its body: an HTTP/1.1
  /// request with "Expect: 100-continue" (RFC 9110 10.1.1).
  static bool is100ContinueExpected(const HttpMessage& message);
  /// Whether a request carries an Expect value other than 100-continue (answered with 417).
  static bool isUnsupportedExpectation(const HttpMessage& message);
  static void set100ContinueExpected(HttpMessage& message, bool expected);
};

}  // namespace sluice::http
