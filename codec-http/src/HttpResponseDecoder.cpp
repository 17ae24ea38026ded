#include <sluice/http/HttpResponseDecoder.h>

#include "HttpChars.h"
#include "HttpDecoderChars.h"

namespace sluice::http {

HttpResponseDecoder::HttpResponseDecoder(HttpDecoderConfig config) : HttpObjectDecoder(config) {}

Message HttpResponseDecoder::createMessage(std::string_view line, Error& error) {
  // RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0) {
    error = Error(HttpErrc::InvalidInitialLine, "status line is not version SP code SP reason");
    return {};
  }
  const std::optional<HttpVersion> version = HttpVersion::parse(line.substr(0, space));
  if (!version) {
    error = Error(HttpErrc::InvalidVersion, "response version is not HTTP/1.0 or HTTP/1.1");
    return {};
  }
  const std::string_view rest = line.substr(space + 1);
  // status-code = 3DIGIT; RFC 9110 15: the first digit is the class, 1 to 5 defined, and
  // sluice (as HttpResponseStatus) takes 100..999.
  const bool threeDigits = rest.size() >= 3 && rest[0] >= '1' && rest[0] <= '9' && rest[1] >= '0' &&
                           rest[1] <= '9' && rest[2] >= '0' && rest[2] <= '9';
  // A missing SP after the code is tolerated when no reason follows (as Netty).
  if (!threeDigits || (rest.size() > 3 && rest[3] != ' ')) {
    error = Error(HttpErrc::InvalidInitialLine, "status line is not version SP code SP reason");
    return {};
  }
  const int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  const std::string_view reason = rest.size() > 3 ? rest.substr(4) : std::string_view();
  // reason-phrase = *( HTAB / SP / VCHAR / obs-text ): a bare CR or a control character
  // could split the response.
  if (!detail::isValidFieldValue(reason)) {
    error = Error(HttpErrc::InvalidInitialLine, "control character in the reason phrase");
    return {};
  }
  HttpResponseStatus standard = HttpResponseStatus::valueOf(code);
  if (standard.reasonPhrase() == reason) {
    return Message::make<HttpResponse>(*version, std::move(standard),
                                       decoderConfig().validateHeaders);
  }
  return Message::make<HttpResponse>(*version, HttpResponseStatus(code, reason),
                                     decoderConfig().validateHeaders);
}

Message HttpResponseDecoder::createInvalidMessage() {
  // As Netty: a stand-in response for a status line that could not be read.
  return Message::make<HttpResponse>(HttpVersion::kHttp10, HttpResponseStatus::valueOf(999),
                                     decoderConfig().validateHeaders);
}

}  // namespace sluice::http
