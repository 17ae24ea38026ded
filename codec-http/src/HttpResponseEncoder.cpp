#include <sluice/http/HttpResponseEncoder.h>

namespace sluice::http {

std::size_t HttpResponseEncoder::initialLineLength(const HttpMessage& msg) const {
  const auto& response = messageAs<HttpResponse>(msg);
  // "HTTP/1.1" SP 3DIGIT SP reason CRLF; HttpResponseStatus keeps codes to three digits.
  return response.protocolVersion().text().size() + 1 + 3 + 1 +
         response.status().reasonPhrase().size() + 2;
}

void HttpResponseEncoder::encodeInitialLine(ByteBufWriter& out, const HttpMessage& msg) const {
  const auto& response = messageAs<HttpResponse>(msg);
  const int code = response.status().code();
  out.writeBytes(response.protocolVersion().text())
      .writeByte(' ')
      .writeByte(static_cast<std::uint8_t>('0' + code / 100))
      .writeByte(static_cast<std::uint8_t>('0' + code / 10 % 10))
      .writeByte(static_cast<std::uint8_t>('0' + code % 10))
      .writeByte(' ')
      .writeBytes(response.status().reasonPhrase())
      .writeShort(0x0D0A);
}

bool HttpResponseEncoder::isContentAlwaysEmpty(const HttpMessage& msg) {
  // RFC 9112 6.3: 1xx, 204 and 304 responses end at their header section.
  const int code = messageAs<HttpResponse>(msg).status().code();
  return code < 200 || code == 204 || code == 304;
}

bool HttpResponseEncoder::omitsFramingHeaders(const HttpMessage& msg) const {
  // RFC 9110 8.6: a server MUST NOT send Content-Length in a 1xx or 204 response;
  // RFC 9112 6.1: nor Transfer-Encoding.
  const int code = messageAs<HttpResponse>(msg).status().code();
  return code < 200 || code == 204;
}

bool HttpResponseEncoder::isChunkedWhenLengthUnknown(const HttpMessage& msg) const {
  // RFC 9112 7: chunked is an HTTP/1.1 coding; an HTTP/1.0 body ends with the connection.
  return msg.protocolVersion() == HttpVersion::kHttp11;
}

}  // namespace sluice::http
