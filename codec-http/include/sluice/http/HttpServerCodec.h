#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/http/HttpDecoderConfig.h>
#include <sluice/http/HttpMethod.h>
#include <sluice/http/HttpVersion.h>
#include <sluice/http/HttpRequestDecoder.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/util/Error.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

namespace sluice::http {

/// Settings of an HttpServerCodec.
struct HttpServerCodecConfig {
  /// Limits of the request decoder: 4096 / 8192 / 8192 by default.
  HttpDecoderConfig decoder;
  /// Whether the codec answers a request it cannot decode itself (400, 414, 431 or 501 with
  /// "Connection: close", then closes) instead of passing the failed request on, as Netty
  /// does, for a handler to notice (or not).
  bool answerBadRequests = true;
};

/// The server side of HTTP/1.1 in one handler: an HttpRequestDecoder and an
/// HttpResponseEncoder that know about each other (Netty's HttpServerCodec).
///
/// Inbound, bytes become HttpRequest, HttpContent... LastHttpContent (see HttpObjectDecoder).
/// Outbound, HttpResponse, HttpContent, LastHttpContent and FullHttpResponse become bytes.
/// The pairing is what a separate decoder and encoder cannot do: a response to a HEAD
/// request carries no body whatever its headers say (RFC 9110 9.3.2), and a 2xx response to
/// CONNECT has neither Content-Length nor Transfer-Encoding (RFC 9110 9.3.6).
///
/// Bad requests (answerBadRequests, on by default). A request the decoder rejects (see
/// HttpErrc) is not passed on. The codec answers it with the status its error names — 400,
/// 414 for a request line over the limit, 431 for headers over the limit, 501 for an unknown
/// transfer coding — with "Connection: close", and closes the connection once the answer is
/// written. With pipelining, the answer waits until the responses to the requests before the
/// bad one have been written, so nothing received before the bad request is lost. The
/// decoder ignores every byte after the bad request (RFC 9112 does not allow resynchronising
/// after a framing error).
///
/// Thread: the channel's loop. Not sharable: one per channel.
class HttpServerCodec : public ChannelDuplexHandler {
 public:
  explicit HttpServerCodec(HttpServerCodecConfig config = {});
  explicit HttpServerCodec(HttpDecoderConfig decoderConfig)
      : HttpServerCodec(HttpServerCodecConfig{.decoder = decoderConfig}) {}
  ~HttpServerCodec() override;

  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

  /// The status a failed request is answered with.
  static HttpResponseStatus statusFor(const Error& error);

 private:
  class Decoder;
  class Encoder;
  friend class Decoder;
  friend class Encoder;

  void onDecoded(ByteToMessageDecoder::Out& out, std::size_t first);
  void maybeAnswerBadRequest(ChannelHandlerContext& ctx);

  HttpServerCodecConfig config_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<Encoder> encoder_;
  struct RequestInfo {
    HttpMethod method;
    HttpVersion version;
  };
  std::deque<RequestInfo> requests_;           // requests whose response has not started
  std::optional<RequestInfo> respondingTo_;    // the request of the response being written
  std::size_t responsesOwed_ = 0;              // requests passed on, final responses not written
  std::optional<Error> badRequest_;            // why the bad request failed, until answered
  std::size_t answerWhenOwed_ = 0;             // answer once only this many responses are owed
  bool informationalInProgress_ = false;       // a streamed 1xx response is being written
  bool answered_ = false;
};

}  // namespace sluice::http
