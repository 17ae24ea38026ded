#include <sluice/http/HttpError.h>

#include <string>

namespace sluice::http {
namespace {

class HttpCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.http"; }
  std::string message(int value) const override {
    switch (static_cast<HttpErrc>(value)) {
      case HttpErrc::InvalidInitialLine:
        return "invalid initial line";
      case HttpErrc::InvalidRequestTarget:
        return "invalid request target";
      case HttpErrc::InvalidVersion:
        return "invalid HTTP version";
      case HttpErrc::TooLongUri:
        return "request line too long";
      case HttpErrc::TooLongInitialLine:
        return "status line too long";
      case HttpErrc::TooLongHeaders:
        return "header section too large";
      case HttpErrc::InvalidHeader:
        return "invalid header field";
      case HttpErrc::InvalidHost:
        return "missing or repeated Host header";
      case HttpErrc::InvalidContentLength:
        return "invalid Content-Length";
      case HttpErrc::ContentLengthWithTransferEncoding:
        return "both Content-Length and Transfer-Encoding";
      case HttpErrc::UnsupportedTransferEncoding:
        return "unsupported Transfer-Encoding";
      case HttpErrc::InvalidChunkSize:
        return "invalid chunk size";
      case HttpErrc::InvalidChunkTerminator:
        return "chunk data not followed by CRLF";
      case HttpErrc::PrematureClose:
        return "connection closed before the message was complete";
      case HttpErrc::InvalidTransferEncoding:
        return "invalid Transfer-Encoding";
    }
    return "unknown HTTP error";
  }
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<HttpErrc>(value)) {
      case HttpErrc::TooLongUri:
      case HttpErrc::TooLongInitialLine:
      case HttpErrc::TooLongHeaders:
        return std::errc::message_size;
      case HttpErrc::PrematureClose:
        return std::errc::connection_aborted;
      default:
        return std::errc::bad_message;
    }
  }
};

}  // namespace

const std::error_category& httpCategory() noexcept {
  static const HttpCategory category;
  return category;
}

}  // namespace sluice::http
