#include <sluice/http/HttpUtil.h>

#include <charconv>

#include "HttpChars.h"

namespace sluice::http {

bool HttpUtil::isKeepAlive(const HttpMessage& message) {
  const HttpHeaders& h = message.headers();
  if (h.containsValue(HttpHeaderNames::kConnection, HttpHeaderValues::kClose, true)) {
    return false;
  }
  if (message.protocolVersion().isKeepAliveDefault()) {
    return true;
  }
  return h.containsValue(HttpHeaderNames::kConnection, HttpHeaderValues::kKeepAlive, true);
}

void HttpUtil::setKeepAlive(HttpMessage& message, bool keepAlive) {
  HttpHeaders& h = message.headers();
  if (message.protocolVersion().isKeepAliveDefault()) {
    if (keepAlive) {
      h.remove(HttpHeaderNames::kConnection);
    } else {
      h.set(HttpHeaderNames::kConnection, HttpHeaderValues::kClose);
    }
  } else {
    if (keepAlive) {
      h.set(HttpHeaderNames::kConnection, HttpHeaderValues::kKeepAlive);
    } else {
      h.remove(HttpHeaderNames::kConnection);
    }
  }
}

std::optional<std::uint64_t> HttpUtil::getContentLength(const HttpMessage& message) {
  const std::optional<std::string_view> text =
      message.headers().get(HttpHeaderNames::kContentLength);
  if (!text) {
    return std::nullopt;
  }
  const std::string_view digits = detail::trimOws(*text);
  std::uint64_t value = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || result.ec != std::errc{} || result.ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

void HttpUtil::setContentLength(HttpMessage& message, std::uint64_t length) {
  message.headers().set(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(length));
}

bool HttpUtil::isContentLengthSet(const HttpMessage& message) {
  return message.headers().contains(HttpHeaderNames::kContentLength);
}

bool HttpUtil::isTransferEncodingChunked(const HttpMessage& message) {
  // RFC 9112 6.1: chunked is meaningful only as the final coding.
  const std::vector<std::string_view> values =
      message.headers().getAll(HttpHeaderNames::kTransferEncoding);
  if (values.empty()) {
    return false;
  }
  std::string_view last;
  detail::forEachListElement(values.back(), [&](std::string_view element) {
    last = element;
    return false;
  });
  return detail::equalsIgnoreCase(last, HttpHeaderValues::kChunked);
}

void HttpUtil::setTransferEncodingChunked(HttpMessage& message, bool chunked) {
  HttpHeaders& h = message.headers();
  if (chunked) {
    h.set(HttpHeaderNames::kTransferEncoding, HttpHeaderValues::kChunked);
    h.remove(HttpHeaderNames::kContentLength);
  } else {
    h.remove(HttpHeaderNames::kTransferEncoding);
  }
}

bool HttpUtil::is100ContinueExpected(const HttpMessage& message) {
  return message.protocolVersion() == HttpVersion::kHttp11 &&
         message.headers().containsValue(HttpHeaderNames::kExpect, HttpHeaderValues::kContinue,
                                         true);
}

bool HttpUtil::isUnsupportedExpectation(const HttpMessage& message) {
  // RFC 9110 10.1.1: an expectation in an HTTP/1.0 request is ignored.
  if (message.protocolVersion() != HttpVersion::kHttp11) {
    return false;
  }
  const std::optional<std::string_view> expect = message.headers().get(HttpHeaderNames::kExpect);
  return expect.has_value() &&
         !detail::equalsIgnoreCase(detail::trimOws(*expect), HttpHeaderValues::kContinue);
}

void HttpUtil::set100ContinueExpected(HttpMessage& message, bool expected) {
  if (expected) {
    message.headers().set(HttpHeaderNames::kExpect, HttpHeaderValues::kContinue);
  } else {
    message.headers().remove(HttpHeaderNames::kExpect);
  }
}

}  // namespace sluice::http
