#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::http {

// The header names HttpHeaders recognises by number: (constant, lower-case spelling).
#define SLUICE_HTTP_HEADER_NAMES(X)                                     \
  X(kAccept, "accept")                                                  \
  X(kAcceptCharset, "accept-charset")                                   \
  X(kAcceptEncoding, "accept-encoding")                                 \
  X(kAcceptLanguage, "accept-language")                                 \
  X(kAcceptRanges, "accept-ranges")                                     \
  X(kAccessControlAllowCredentials, "access-control-allow-credentials") \
  X(kAccessControlAllowHeaders, "access-control-allow-headers")         \
  X(kAccessControlAllowMethods, "access-control-allow-methods")         \
  X(kAccessControlAllowOrigin, "access-control-allow-origin")           \
  X(kAccessControlExposeHeaders, "access-control-expose-headers")       \
  X(kAccessControlMaxAge, "access-control-max-age")                     \
  X(kAccessControlRequestHeaders, "access-control-request-headers")     \
  X(kAccessControlRequestMethod, "access-control-request-method")       \
  X(kAge, "age")                                                        \
  X(kAllow, "allow")                                                    \
  X(kAuthorization, "authorization")                                    \
  X(kCacheControl, "cache-control")                                     \
  X(kConnection, "connection")                                          \
  X(kContentDisposition, "content-disposition")                         \
  X(kContentEncoding, "content-encoding")                               \
  X(kContentLanguage, "content-language")                               \
  X(kContentLength, "content-length")                                   \
  X(kContentLocation, "content-location")                               \
  X(kContentRange, "content-range")                                     \
  X(kContentType, "content-type")                                       \
  X(kCookie, "cookie")                                                  \
  X(kDate, "date")                                                      \
  X(kEtag, "etag")                                                      \
  X(kExpect, "expect")                                                  \
  X(kExpires, "expires")                                                \
  X(kForwarded, "forwarded")                                            \
  X(kHost, "host")                                                      \
  X(kIfMatch, "if-match")                                               \
  X(kIfModifiedSince, "if-modified-since")                              \
  X(kIfNoneMatch, "if-none-match")                                      \
  X(kIfRange, "if-range")                                               \
  X(kIfUnmodifiedSince, "if-unmodified-since")                          \
  X(kKeepAlive, "keep-alive")                                           \
  X(kLastModified, "last-modified")                                     \
  X(kLocation, "location")                                              \
  X(kOrigin, "origin")                                                  \
  X(kPragma, "pragma")                                                  \
  X(kProxyAuthenticate, "proxy-authenticate")                           \
  X(kProxyAuthorization, "proxy-authorization")                         \
  X(kProxyConnection, "proxy-connection")                               \
  X(kRange, "range")                                                    \
  X(kReferer, "referer")                                                \
  X(kRetryAfter, "retry-after")                                         \
  X(kSecWebSocketAccept, "sec-websocket-accept")                        \
  X(kSecWebSocketExtensions, "sec-websocket-extensions")                \
  X(kSecWebSocketKey, "sec-websocket-key")                              \
  X(kSecWebSocketProtocol, "sec-websocket-protocol")                    \
  X(kSecWebSocketVersion, "sec-websocket-version")                      \
  X(kServer, "server")                                                  \
  X(kSetCookie, "set-cookie")                                           \
  X(kTe, "te")                                                          \
  X(kTrailer, "trailer")                                                \
  X(kTransferEncoding, "transfer-encoding")                             \
  X(kUpgrade, "upgrade")                                                \
  X(kUserAgent, "user-agent")                                           \
  X(kVary, "vary")                                                      \
  X(kVia, "via")                                                        \
  X(kWwwAuthenticate, "www-authenticate")                               \
  X(kXForwardedFor, "x-forwarded-for")                                  \
  X(kXRequestedWith, "x-requested-with")

namespace detail {
enum class KnownHeader : std::uint8_t {
#define SLUICE_HTTP_HEADER_ENUM(constant, text) constant,
  SLUICE_HTTP_HEADER_NAMES(SLUICE_HTTP_HEADER_ENUM)
#undef SLUICE_HTTP_HEADER_ENUM
      Count,
  Unknown = 0xFF,
};
/// The known header `name` is, compared case-insensitively; Unknown for any other name.
KnownHeader classifyHeaderName(std::string_view name) noexcept;
}  // namespace detail

/// A header field name as HttpHeaders takes it. The HttpHeaderNames constants carry a number
/// that makes lookups an integer compare; any other string converts implicitly (and is
/// classified, so "Content-Length" finds the same fields as HttpHeaderNames::kContentLength).
/// Names are case-insensitive (RFC 9110 5.1). Holds a view: the text must outlive it.
class HttpHeaderName {
 public:
  HttpHeaderName(std::string_view name) noexcept  // NOLINT(google-explicit-constructor)
      : name_(name), id_(detail::classifyHeaderName(name)) {}
  HttpHeaderName(const char* name) noexcept  // NOLINT(google-explicit-constructor)
      : HttpHeaderName(std::string_view(name)) {}
  HttpHeaderName(const std::string& name) noexcept  // NOLINT(google-explicit-constructor)
      : HttpHeaderName(std::string_view(name)) {}
  constexpr HttpHeaderName(std::string_view name, detail::KnownHeader id) noexcept
      : name_(name), id_(id) {}

  std::string_view name() const noexcept { return name_; }
  detail::KnownHeader id() const noexcept { return id_; }

 private:
  std::string_view name_;
  detail::KnownHeader id_;
};

/// Standard header names (Netty's HttpHeaderNames), in lower case:
/// `HttpHeaderNames::kContentLength` is "content-length".
struct HttpHeaderNames {
#define SLUICE_HTTP_HEADER_CONSTANT(constant, text) \
  static constexpr HttpHeaderName constant{text, detail::KnownHeader::constant};
  SLUICE_HTTP_HEADER_NAMES(SLUICE_HTTP_HEADER_CONSTANT)
#undef SLUICE_HTTP_HEADER_CONSTANT
};

/// Common header values (Netty's HttpHeaderValues), in lower case.
struct HttpHeaderValues {
  static constexpr std::string_view kApplicationJson = "application/json";
  static constexpr std::string_view kApplicationOctetStream = "application/octet-stream";
  static constexpr std::string_view kApplicationXWwwFormUrlencoded =
      "application/x-www-form-urlencoded";
  static constexpr std::string_view kChunked = "chunked";
  static constexpr std::string_view kClose = "close";
  static constexpr std::string_view kContinue = "100-continue";
  static constexpr std::string_view kDeflate = "deflate";
  static constexpr std::string_view kGzip = "gzip";
  static constexpr std::string_view kIdentity = "identity";
  static constexpr std::string_view kKeepAlive = "keep-alive";
  static constexpr std::string_view kNoCache = "no-cache";
  static constexpr std::string_view kTextHtml = "text/html";
  static constexpr std::string_view kTextPlain = "text/plain";
  static constexpr std::string_view kUpgrade = "upgrade";
  static constexpr std::string_view kWebsocket = "websocket";
  static constexpr std::string_view kZero = "0";
};

}  // namespace sluice::http
