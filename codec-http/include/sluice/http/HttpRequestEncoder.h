#pragma once

#include <sluice/http/HttpObjectEncoder.h>

namespace sluice::http {

/// Encodes HttpRequest, HttpContent and LastHttpContent (and FullHttpRequest) into HTTP/1.1
/// bytes, for clients (Netty's HttpRequestEncoder). The request line is
/// `METHOD SP request-target SP HTTP-version CRLF` (RFC 9112 3). An empty request target is
/// sent as "/" (RFC 9112 3.2.1: origin-form is never empty), and an absolute URI with an
/// empty path gets the "/" RFC 9110 4.2.3 normalises it to, before any query
/// ("http://a.example?q" is sent as "http://a.example/?q"), as Netty does; any other target
/// is sent as given. A target with a space or a control character (CR and LF above all:
/// request splitting) fails the write with CodecErrc::EncoderException and sends nothing.
///
/// A streamed request of unknown length is not made chunked (RFC 9112 6.1: a client sends
/// Transfer-Encoding only when it knows the server speaks HTTP/1.1): set Content-Length or
/// HttpUtil::setTransferEncodingChunked. See HttpObjectEncoder for bodies and promises.
/// Thread: the channel's loop.
class HttpRequestEncoder : public HttpObjectEncoder {
 public:
  HttpRequestEncoder() noexcept = default;
  explicit HttpRequestEncoder(HttpObjectEncoderConfig config) noexcept
      : HttpObjectEncoder(config) {}

 protected:
  std::size_t initialLineLength(const HttpMessage& msg) const override;
  void encodeInitialLine(ByteBufWriter& out, const HttpMessage& msg) const override;
};

}  // namespace sluice::http
