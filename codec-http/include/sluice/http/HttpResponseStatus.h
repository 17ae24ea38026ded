#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::http {

/// The class of a status code (RFC 9110 15): its first digit.
enum class HttpStatusClass {
  Informational,
  Success,
  Redirection,
  ClientError,
  ServerError,
  Unknown
};

/// A response status: a three-digit code and a reason phrase (RFC 9110 15, RFC 9112 4).
/// Statuses compare by code only, as in Netty: the reason phrase is informational.
class HttpResponseStatus {
 public:
  static const HttpResponseStatus kContinue;                     // 100
  static const HttpResponseStatus kSwitchingProtocols;           // 101
  static const HttpResponseStatus kOk;                           // 200
  static const HttpResponseStatus kCreated;                      // 201
  static const HttpResponseStatus kAccepted;                     // 202
  static const HttpResponseStatus kNoContent;                    // 204
  static const HttpResponseStatus kPartialContent;               // 206
  static const HttpResponseStatus kMovedPermanently;             // 301
  static const HttpResponseStatus kFound;                        // 302
  static const HttpResponseStatus kSeeOther;                     // 303
  static const HttpResponseStatus kNotModified;                  // 304
  static const HttpResponseStatus kTemporaryRedirect;            // 307
  static const HttpResponseStatus kPermanentRedirect;            // 308
  static const HttpResponseStatus kBadRequest;                   // 400
  static const HttpResponseStatus kUnauthorized;                 // 401
  static const HttpResponseStatus kForbidden;                    // 403
  static const HttpResponseStatus kNotFound;                     // 404
  static const HttpResponseStatus kMethodNotAllowed;             // 405
  static const HttpResponseStatus kRequestTimeout;               // 408
  static const HttpResponseStatus kConflict;                     // 409
  static const HttpResponseStatus kGone;                         // 410
  static const HttpResponseStatus kLengthRequired;               // 411
  static const HttpResponseStatus kPreconditionFailed;           // 412
  static const HttpResponseStatus kRequestEntityTooLarge;        // 413
  static const HttpResponseStatus kRequestUriTooLong;            // 414
  static const HttpResponseStatus kUnsupportedMediaType;         // 415
  static const HttpResponseStatus kExpectationFailed;            // 417
  static const HttpResponseStatus kUpgradeRequired;              // 426
  static const HttpResponseStatus kTooManyRequests;              // 429
  static const HttpResponseStatus kRequestHeaderFieldsTooLarge;  // 431
  static const HttpResponseStatus kInternalServerError;          // 500
  static const HttpResponseStatus kNotImplemented;               // 501
  static const HttpResponseStatus kBadGateway;                   // 502
  static const HttpResponseStatus kServiceUnavailable;           // 503
  static const HttpResponseStatus kGatewayTimeout;               // 504
  static const HttpResponseStatus kHttpVersionNotSupported;      // 505

  /// The status with `code` and its standard reason phrase ("Unknown Status" for codes
  /// without one). `code` must be 100..999 (RFC 9110 15: three digits); throws
  /// std::invalid_argument otherwise.
  static HttpResponseStatus valueOf(int code);
  /// A status with a reason phrase of the caller's. The phrase must not contain CR or LF
  /// (RFC 9112 4); throws std::invalid_argument otherwise.
  HttpResponseStatus(int code, std::string_view reasonPhrase);

  int code() const noexcept { return code_; }
  std::string_view reasonPhrase() const noexcept { return reason_; }
  HttpStatusClass codeClass() const noexcept;

  friend bool operator==(const HttpResponseStatus& a, const HttpResponseStatus& b) noexcept {
    return a.code_ == b.code_;
  }

 private:
  constexpr HttpResponseStatus(std::uint16_t code, std::string_view reason, int /*tag*/) noexcept
      : code_(code), reason_(reason) {}

  std::uint16_t code_;
  std::string_view reason_;  // static text, or the text owned_ holds
  std::shared_ptr<const std::string> owned_;
};

#define SLUICE_HTTP_STATUS(name, code, reason) \
  constinit inline const HttpResponseStatus HttpResponseStatus::name{code, reason, 0};
SLUICE_HTTP_STATUS(kContinue, 100, "Continue")
SLUICE_HTTP_STATUS(kSwitchingProtocols, 101, "Switching Protocols")
SLUICE_HTTP_STATUS(kOk, 200, "OK")
SLUICE_HTTP_STATUS(kCreated, 201, "Created")
SLUICE_HTTP_STATUS(kAccepted, 202, "Accepted")
SLUICE_HTTP_STATUS(kNoContent, 204, "No Content")
SLUICE_HTTP_STATUS(kPartialContent, 206, "Partial Content")
SLUICE_HTTP_STATUS(kMovedPermanently, 301, "Moved Permanently")
SLUICE_HTTP_STATUS(kFound, 302, "Found")
SLUICE_HTTP_STATUS(kSeeOther, 303, "See Other")
SLUICE_HTTP_STATUS(kNotModified, 304, "Not Modified")
SLUICE_HTTP_STATUS(kTemporaryRedirect, 307, "Temporary Redirect")
SLUICE_HTTP_STATUS(kPermanentRedirect, 308, "Permanent Redirect")
SLUICE_HTTP_STATUS(kBadRequest, 400, "Bad Request")
SLUICE_HTTP_STATUS(kUnauthorized, 401, "Unauthorized")
SLUICE_HTTP_STATUS(kForbidden, 403, "Forbidden")
SLUICE_HTTP_STATUS(kNotFound, 404, "Not Found")
SLUICE_HTTP_STATUS(kMethodNotAllowed, 405, "Method Not Allowed")
SLUICE_HTTP_STATUS(kRequestTimeout, 408, "Request Timeout")
SLUICE_HTTP_STATUS(kConflict, 409, "Conflict")
SLUICE_HTTP_STATUS(kGone, 410, "Gone")
SLUICE_HTTP_STATUS(kLengthRequired, 411, "Length Required")
SLUICE_HTTP_STATUS(kPreconditionFailed, 412, "Precondition Failed")
SLUICE_HTTP_STATUS(kRequestEntityTooLarge, 413, "Request Entity Too Large")
SLUICE_HTTP_STATUS(kRequestUriTooLong, 414, "Request-URI Too Long")
SLUICE_HTTP_STATUS(kUnsupportedMediaType, 415, "Unsupported Media Type")
SLUICE_HTTP_STATUS(kExpectationFailed, 417, "Expectation Failed")
SLUICE_HTTP_STATUS(kUpgradeRequired, 426, "Upgrade Required")
SLUICE_HTTP_STATUS(kTooManyRequests, 429, "Too Many Requests")
SLUICE_HTTP_STATUS(kRequestHeaderFieldsTooLarge, 431, "Request Header Fields Too Large")
SLUICE_HTTP_STATUS(kInternalServerError, 500, "Internal Server Error")
SLUICE_HTTP_STATUS(kNotImplemented, 501, "Not Implemented")
SLUICE_HTTP_STATUS(kBadGateway, 502, "Bad Gateway")
SLUICE_HTTP_STATUS(kServiceUnavailable, 503, "Service Unavailable")
SLUICE_HTTP_STATUS(kGatewayTimeout, 504, "Gateway Timeout")
SLUICE_HTTP_STATUS(kHttpVersionNotSupported, 505, "HTTP Version Not Supported")
#undef SLUICE_HTTP_STATUS

}  // namespace sluice::http

template <>
struct fmt::formatter<sluice::http::HttpResponseStatus> : fmt::formatter<std::string_view> {
  auto format(const sluice::http::HttpResponseStatus& s, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "{} {}", s.code(), s.reasonPhrase());
  }
};
