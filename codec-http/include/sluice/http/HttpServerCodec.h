#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/http/HttpDecoderConfig.h>
#include <sluice/http/HttpMethod.h>
#include <sluice/http/HttpRequestDecoder.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpVersion.h>
#include <sluice/util/Error.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
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
/// Bad requests (answerBadRequests, on by default). A request whose head the decoder rejects
/// (see HttpErrc) is not passed on. The codec answers it with the status its error names —
/// 400, 414 for a request line over the limit, 431 for headers over the limit, 501 for an
/// unknown transfer coding — with "Connection: close" and "Content-Length: 0", and closes the
/// connection once the answer is written. With pipelining, the answer waits until the
/// responses to the requests before the bad one have been written, so nothing received
/// before the bad request is lost. A request whose body fails (a bad chunk) has already been
/// passed on: its failed LastHttpContent is passed on too, so the handlers waiting for it
/// finish, and the codec's answer stands in for that request's response (a response the
/// handler writes for it fails its promise). If that response had already started, or
/// ended, the codec does not answer and closes once it has ended. Nor does it answer after
/// a response that closes the connection ("Connection: close", or HTTP/1.0 without
/// keep-alive: RFC 9112 9.6 allows no response after it); it closes once that one has been
/// written. From then on, writes fail their promise with CoreErrc::ClosedChannel. The
/// decoder ignores every byte after a bad request (RFC 9112 does not allow resynchronising
/// after a framing error). A connection that closes in the middle of a request is not
/// answered.
///
/// Drain (DrainEvent). The codec answers a drain for every HTTP server pipeline and marks it
/// handled, then passes it on. With no request in flight, the connection closes at once.
/// Otherwise the requests already passed on are answered; the response to the last of them
/// says "Connection: close" (RFC 9112 9.6; a response whose head is already out cannot) and
/// the connection closes once it has been written. Requests that arrive after the drain are
/// dropped with their content (RFC 9112 9.6: none may be processed after the close is
/// announced). The close is recorded as CloseInitiator::Shutdown. If the connection is
/// upgraded (the codec removed) while the drain waits, the drain is fired again for the new
/// protocol's handlers.
///
/// Metrics. Every request passed on counts in sluice_http_requests_total{method} and every
/// response, the codec's own answers included, in sluice_http_responses_total{class}. The
/// codec's answers to bad requests record the close: 431 (and 414) as CloseInitiator::Limit,
/// the others as CloseInitiator::Protocol, with the status as the code sent.
///
/// Upgrades. Removing the codec from the pipeline (as a handler that takes the connection
/// over after a 101 does) hands the bytes the decoder holds to the next handler as one
/// ByteBuf, after the messages decoded before them, even when the removal happens while the
/// handler receives the request's head.
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
  /// Lets the decoder skip the body of a request whose expectation was refused
  /// (HttpExpectationFailedEvent, from HttpObjectAggregator): the client will not send it.
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

  /// The status a failed request is answered with.
  static HttpResponseStatus statusFor(const Error& error);

 private:
  class Decoder;
  class Encoder;
  friend class Decoder;
  friend class Encoder;

  struct RequestInfo {
    HttpMethod method;
    HttpVersion version;
  };
  // What to do about a bad request once the responses owed before it are written.
  enum class Refusal : std::uint8_t { None, Answer, Close };

  void onDecoded(ByteToMessageDecoder::Out& out, std::size_t first);
  void onBodyFailed(const Error& error);
  void onResponseStart(const HttpResponse& response);
  void maybeRefuse(ChannelHandlerContext& ctx);
  void afterDecoding(ChannelHandlerContext& ctx);
  void onDrain(ChannelHandlerContext& ctx, DrainEvent& drain);
  void closeAfterDrain(ChannelHandlerContext& ctx);

  HttpServerCodecConfig config_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<Encoder> encoder_;
  std::deque<RequestInfo> requests_;         // requests passed on whose response has not started
  std::optional<RequestInfo> respondingTo_;  // the request of the response being written
  std::size_t responsesOwed_ = 0;            // requests passed on, final responses not ended
  std::optional<Error> badRequest_;          // why the bad request failed
  Refusal refusal_ = Refusal::None;
  std::size_t refuseWhenOwed_ = 0;        // refuse once at most this many responses are owed
  bool finalInProgress_ = false;          // a streamed final response has started
  bool informationalInProgress_ = false;  // a streamed 1xx response has started
  bool startAccepted_ = false;            // the encoder accepted the start being written
  bool closing_ = false;                  // refused: later writes fail
  int decoding_ = 0;                      // > 0 while the decoder runs
  bool removalPending_ = false;           // removed while the decoder ran
  bool draining_ = false;                 // drained with requests in flight: close after them
  bool drained_ = false;                  // drained: no request is passed on any more
  bool discardingAfterDrain_ = false;     // dropping a request that arrived after the drain
  std::chrono::steady_clock::time_point drainDeadline_;
};

}  // namespace sluice::http
