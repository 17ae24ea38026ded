#include <sluice/http/HttpRequestDecoder.h>

#include <string>

#include "HttpChars.h"
#include "HttpDecoderChars.h"

namespace sluice::http {

HttpRequestDecoder::HttpRequestDecoder(HttpDecoderConfig config) : HttpObjectDecoder(config) {}

Message HttpRequestDecoder::createMessage(std::string_view line, Error& error) {
  // RFC 9112 3: request-line = method SP request-target SP HTTP-version, with single spaces.
  // The target cannot contain SP, so the first and the last space delimit it.
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) {
    error = Error(HttpErrc::InvalidInitialLine, "request line is not method SP target SP version");
    return {};
  }
  const std::string_view method = line.substr(0, first);
  const std::string_view target = line.substr(first + 1, last - first - 1);
  const std::string_view versionText = line.substr(last + 1);
  // RFC 9110 9.1: method = token.
  if (!detail::isToken(method) || target.empty() || target.front() == ' ' || target.back() == ' ' ||
      versionText.empty()) {
    error = Error(HttpErrc::InvalidInitialLine, "request line is not method SP target SP version");
    return {};
  }
  // RFC 9112 3.2: the request target has no whitespace or control characters (a recipient
  // must not "correct" them: that is how a target is smuggled past a filter).
  if (!detail::isValidRequestTarget(target)) {
    error = Error(HttpErrc::InvalidRequestTarget,
                  "request target contains a control character or a space");
    return {};
  }
  const std::optional<HttpVersion> version = HttpVersion::parse(versionText);
  if (!version) {
    error = Error(HttpErrc::InvalidVersion, "request version is not HTTP/1.0 or HTTP/1.1");
    return {};
  }
  return Message::make<HttpRequest>(*version, HttpMethod::fromValidatedToken(method),
                                    std::string(target), decoderConfig().validateHeaders);
}

Message HttpRequestDecoder::createInvalidMessage() {
  // As Netty: a stand-in request for a line that could not be read.
  return Message::make<HttpRequest>(HttpVersion::kHttp10, HttpMethod::kGet,
                                    std::string("/bad-request"), decoderConfig().validateHeaders);
}

}  // namespace sluice::http
