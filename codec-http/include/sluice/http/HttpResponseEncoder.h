#pragma once

#include <sluice/http/HttpObjectEncoder.h>

namespace sluice::http {

/// Encodes HttpResponse, HttpContent and LastHttpContent (and FullHttpResponse) into
/// HTTP/1.1 bytes, for servers (Netty's HttpResponseEncoder). The status line is
/// `HTTP-version SP status-code SP reason-phrase CRLF` (RFC 9112 4).
///
/// Beyond HttpObjectEncoder:
/// - 1xx, 204 and 304 responses carry no body (RFC 9112 6.3): their content is released
///   unwritten. 304 keeps the header fields as given, Content-Length included (RFC 9110
///   15.4.5: it describes the selected representation); 1xx and 204 lose Content-Length
///   and Transfer-Encoding, which RFC 9110 8.6 and RFC 9112 6.1 forbid in them.
/// - A streamed HTTP/1.1 response (an HttpResponse, not a FullHttpResponse) with neither
///   Content-Length nor Transfer-Encoding, that may have a body, is sent with
///   `transfer-encoding: chunked` and its content as chunks, so that the client can tell
///   where it ends without the connection closing. An HTTP/1.0 response of unknown length
///   is left as is: its body ends when the connection closes (RFC 9112 6.3).
///
/// HttpServerCodec subclasses it to make responses to HEAD requests bodiless too.
/// Thread: the channel's loop.
class HttpResponseEncoder : public HttpObjectEncoder {
 public:
  HttpResponseEncoder() noexcept = default;
  explicit HttpResponseEncoder(HttpObjectEncoderConfig config) noexcept
      : HttpObjectEncoder(config) {}

 protected:
  std::size_t initialLineLength(const HttpMessage& msg) const override;
  void encodeInitialLine(ByteBufWriter& out, const HttpMessage& msg) const override;
  /// Whether this response must carry no body (RFC 9110 6.4.1: 1xx, 204, 304; and responses
  /// to HEAD, which only a codec that saw the request knows). Default: 1xx, 204, 304.
  bool isContentAlwaysEmpty(const HttpMessage& msg) override;
  /// 1xx and 204 (RFC 9110 8.6, RFC 9112 6.1).
  bool omitsFramingHeaders(const HttpMessage& msg) const override;
  /// HTTP/1.1 responses.
  bool isChunkedWhenLengthUnknown(const HttpMessage& msg) const override;
};

}  // namespace sluice::http
