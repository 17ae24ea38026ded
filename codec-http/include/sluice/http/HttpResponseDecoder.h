#pragma once

#include <sluice/http/HttpObjectDecoder.h>

namespace sluice::http {

/// Decodes responses: HttpResponse, HttpContent..., LastHttpContent (Netty's
/// HttpResponseDecoder). See HttpObjectDecoder for the output and the rules.
///
/// The status line is `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 4), with a
/// three-digit code of at least 100; the SP after the code may be missing when there is no
/// reason phrase. A line longer than maxInitialLineLength fails with
/// HttpErrc::TooLongInitialLine. 1xx, 204 and 304 responses have no body; a response with
/// neither Content-Length nor Transfer-Encoding reads until the connection closes (RFC 9112
/// 6.3 rule 8). After a 101 that switches to another protocol the decoder passes the
/// following bytes on as ByteBufs.
///
/// A client must also tell the decoder which responses answer HEAD (no body) and CONNECT
/// (a tunnel): HttpClientCodec does so by overriding isContentAlwaysEmpty(). Thread: the
/// channel's loop. Not sharable.
class HttpResponseDecoder : public HttpObjectDecoder {
 public:
  /// Throws std::invalid_argument when a limit of `config` is 0.
  explicit HttpResponseDecoder(HttpDecoderConfig config = {});

 protected:
  bool isDecodingRequest() const override { return false; }

 private:
  Message createMessage(std::string_view line, Error& error) override;
  Message createInvalidMessage() override;
};

}  // namespace sluice::http
