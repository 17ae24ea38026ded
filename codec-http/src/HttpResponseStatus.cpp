#include <sluice/http/HttpResponseStatus.h>

#include <array>
#include <stdexcept>

namespace sluice::http {
namespace {

const std::array<const HttpResponseStatus*, 36> kStandard = {
    &HttpResponseStatus::kContinue,
    &HttpResponseStatus::kSwitchingProtocols,
    &HttpResponseStatus::kOk,
    &HttpResponseStatus::kCreated,
    &HttpResponseStatus::kAccepted,
    &HttpResponseStatus::kNoContent,
    &HttpResponseStatus::kPartialContent,
    &HttpResponseStatus::kMovedPermanently,
    &HttpResponseStatus::kFound,
    &HttpResponseStatus::kSeeOther,
    &HttpResponseStatus::kNotModified,
    &HttpResponseStatus::kTemporaryRedirect,
    &HttpResponseStatus::kPermanentRedirect,
    &HttpResponseStatus::kBadRequest,
    &HttpResponseStatus::kUnauthorized,
    &HttpResponseStatus::kForbidden,
    &HttpResponseStatus::kNotFound,
    &HttpResponseStatus::kMethodNotAllowed,
    &HttpResponseStatus::kRequestTimeout,
    &HttpResponseStatus::kConflict,
    &HttpResponseStatus::kGone,
    &HttpResponseStatus::kLengthRequired,
    &HttpResponseStatus::kPreconditionFailed,
    &HttpResponseStatus::kRequestEntityTooLarge,
    &HttpResponseStatus::kRequestUriTooLong,
    &HttpResponseStatus::kUnsupportedMediaType,
    &HttpResponseStatus::kExpectationFailed,
    &HttpResponseStatus::kUpgradeRequired,
    &HttpResponseStatus::kTooManyRequests,
    &HttpResponseStatus::kRequestHeaderFieldsTooLarge,
    &HttpResponseStatus::kInternalServerError,
    &HttpResponseStatus::kNotImplemented,
    &HttpResponseStatus::kBadGateway,
    &HttpResponseStatus::kServiceUnavailable,
    &HttpResponseStatus::kGatewayTimeout,
    &HttpResponseStatus::kHttpVersionNotSupported,
};

void checkCode(int code) {
  if (code < 100 || code > 999) {
    throw std::invalid_argument(fmt::format("invalid HTTP status code: {}", code));
  }
}

}  // namespace

HttpResponseStatus HttpResponseStatus::valueOf(int code) {
  checkCode(code);
  for (const HttpResponseStatus* s : kStandard) {
    if (s->code() == code) {
      return *s;
    }
  }
  return {static_cast<std::uint16_t>(code), "Unknown Status", 0};
}

HttpResponseStatus::HttpResponseStatus(int code, std::string_view reasonPhrase)
    : code_(0), owned_(std::make_shared<const std::string>(reasonPhrase)) {
  checkCode(code);
  if (reasonPhrase.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument("an HTTP reason phrase must not contain CR or LF");
  }
  code_ = static_cast<std::uint16_t>(code);
  reason_ = *owned_;
}

HttpStatusClass HttpResponseStatus::codeClass() const noexcept {
  switch (code_ / 100) {
    case 1:
      return HttpStatusClass::Informational;
    case 2:
      return HttpStatusClass::Success;
    case 3:
      return HttpStatusClass::Redirection;
    case 4:
      return HttpStatusClass::ClientError;
    case 5:
      return HttpStatusClass::ServerError;
    default:
      return HttpStatusClass::Unknown;
  }
}

}  // namespace sluice::http
