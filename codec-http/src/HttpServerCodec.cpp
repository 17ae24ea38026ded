#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/util/Log.h>

#include "HttpServerMetrics.h"

namespace sluice::http {
namespace {

bool isInformational(const HttpResponse& response) noexcept {
  return response.status().codeClass() == HttpStatusClass::Informational;
}

// What a bad request broke, for the close reason: the limit's name and value, or the
// decoder's words.
std::string ruleFor(const HttpDecoderConfig& config, const Error& error) {
  if (error.code() == HttpErrc::TooLongHeaders) {
    return fmt::format("maxHeaderSize {}", config.maxHeaderSize);
  }
  if (error.code() == HttpErrc::TooLongUri) {
    return fmt::format("maxInitialLineLength {}", config.maxInitialLineLength);
  }
  return error.message();
}

}  // namespace

/// The request decoder, reporting what it decodes to the codec.
class HttpServerCodec::Decoder final : public HttpRequestDecoder {
 public:
  Decoder(HttpServerCodec& codec, HttpDecoderConfig config)
      : HttpRequestDecoder(config), codec_(codec) {}

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override {
    const std::size_t first = out.size();
    HttpRequestDecoder::decode(ctx, in, out);
    codec_.onDecoded(out, first);
  }
  void decodeLast(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override {
    const std::size_t first = out.size();
    HttpRequestDecoder::decodeLast(ctx, in, out);
    codec_.onDecoded(out, first);
  }

 private:
  HttpServerCodec& codec_;
};

/// The response encoder, told by the codec which request a response answers.
class HttpServerCodec::Encoder final : public HttpResponseEncoder {
 public:
  explicit Encoder(HttpServerCodec& codec) : codec_(codec) {}

 protected:
  bool isContentAlwaysEmpty(const HttpMessage& msg) override {
    // Called once for each start the encoder accepts: the moment the response is paired
    // with its request (a start the encoder refuses is paired with nothing).
    const HttpResponse& response = messageAs<HttpResponse>(msg);
    codec_.onResponseStart(response);
    // RFC 9110 9.3.2: a response to HEAD has no content, whatever its headers announce.
    // RFC 9110 9.3.6: after a 2xx to CONNECT the connection is a tunnel, not a body.
    if (isToHead(response) || isTunnel(response)) {
      return true;
    }
    return HttpResponseEncoder::isContentAlwaysEmpty(msg);
  }
  bool omitsFramingHeaders(const HttpMessage& msg) const override {
    // RFC 9110 9.3.6: a server MUST NOT send Content-Length or Transfer-Encoding in a 2xx
    // response to CONNECT.
    return isTunnel(messageAs<HttpResponse>(msg)) || HttpResponseEncoder::omitsFramingHeaders(msg);
  }
  bool isChunkedWhenLengthUnknown(const HttpMessage& msg) const override {
    // RFC 9112 6.1: no Transfer-Encoding in a response to an HTTP/1.0 request; such a body
    // is delimited by closing the connection.
    if (codec_.respondingTo_ && codec_.respondingTo_->version == HttpVersion::kHttp10) {
      return false;
    }
    return HttpResponseEncoder::isChunkedWhenLengthUnknown(msg);
  }

 private:
  bool isToHead(const HttpResponse& response) const {
    return !isInformational(response) && codec_.respondingTo_ &&
           codec_.respondingTo_->method == HttpMethod::kHead;
  }
  bool isTunnel(const HttpResponse& response) const {
    return codec_.respondingTo_ && codec_.respondingTo_->method == HttpMethod::kConnect &&
           response.status().codeClass() == HttpStatusClass::Success;
  }

  HttpServerCodec& codec_;
};

HttpServerCodec::HttpServerCodec(HttpServerCodecConfig config)
    : config_(config),
      decoder_(std::make_unique<Decoder>(*this, config.decoder)),
      encoder_(std::make_unique<Encoder>(*this)) {}

HttpServerCodec::~HttpServerCodec() = default;

HttpResponseStatus HttpServerCodec::statusFor(const Error& error) {
  if (error.code() == HttpErrc::TooLongUri) {
    return HttpResponseStatus::kRequestUriTooLong;
  }
  if (error.code() == HttpErrc::TooLongHeaders) {
    return HttpResponseStatus::kRequestHeaderFieldsTooLarge;
  }
  if (error.code() == HttpErrc::UnsupportedTransferEncoding) {
    // RFC 9112 6.1: a server that does not understand a transfer coding SHOULD answer 501.
    return HttpResponseStatus::kNotImplemented;
  }
  return HttpResponseStatus::kBadRequest;
}

void HttpServerCodec::onDecoded(ByteToMessageDecoder::Out& out, std::size_t first) {
  for (std::size_t i = first; i < out.size();) {
    Message& msg = out[i];
    if (drained_) {
      // RFC 9112 9.6: after the drain announced the close, no further request is processed.
      if (msg.is<HttpRequest>() || (discardingAfterDrain_ && msg.is<HttpContent>())) {
        discardingAfterDrain_ = !msg.is<LastHttpContent>();
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
    }
    if (const auto* request = msg.getIf<HttpRequest>()) {
      const DecoderResult& result = request->decoderResult();
      if (result.isFailure() && config_.answerBadRequests) {
        // The request's head could not be decoded: no handler has seen any of it, so it is
        // not passed on. The codec answers once the requests before it are answered, unless
        // the connection closed in the middle of it (there is nobody to answer).
        if (result.cause().code() != HttpErrc::PrematureClose) {
          badRequest_ = result.cause();
          refusal_ = Refusal::Answer;
          refuseWhenOwed_ = 0;
        }
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      requests_.push_back({request->method(), request->protocolVersion()});
      ++responsesOwed_;
      detail::HttpServerMetrics::get().countRequest(request->method());
    } else if (const auto* last = msg.getIf<LastHttpContent>()) {
      const DecoderResult& result = last->decoderResult();
      if (result.isFailure() && config_.answerBadRequests &&
          result.cause().code() != HttpErrc::PrematureClose) {
        onBodyFailed(result.cause());
      }
    }
    ++i;
  }
}

void HttpServerCodec::onBodyFailed(const Error& error) {
  // The body broke after the head was passed on. The failed last content still goes on, so
  // the handlers waiting for it finish.
  badRequest_ = error;
  if (!requests_.empty()) {
    // The response to this request (the last one passed on) has not started: the codec's
    // answer stands in for it, once the responses before it are written.
    refusal_ = Refusal::Answer;
    refuseWhenOwed_ = 1;
  } else {
    // Its response has started, or even ended: a second one would answer a request the
    // client did not send. Close once it has ended.
    refusal_ = Refusal::Close;
    refuseWhenOwed_ = 0;
  }
}

void HttpServerCodec::onResponseStart(const HttpResponse& response) {
  startAccepted_ = true;
  detail::HttpServerMetrics::get().countResponse(response.status());
  if (isInformational(response)) {
    return;  // an interim response: the final one to the same request follows
  }
  if (refusal_ == Refusal::Answer && !closing_ && !HttpUtil::isKeepAlive(response)) {
    // RFC 9112 9.6: this response closes the connection, and none may follow it; the bad
    // request after it goes unanswered.
    refusal_ = Refusal::Close;
  }
  if (!requests_.empty()) {
    respondingTo_ = std::move(requests_.front());
    requests_.pop_front();
  } else {
    respondingTo_.reset();
  }
}

void HttpServerCodec::channelRead(ChannelHandlerContext& ctx, Message msg) {
  ++decoding_;
  decoder_->channelRead(ctx, std::move(msg));
  afterDecoding(ctx);
}

void HttpServerCodec::channelReadComplete(ChannelHandlerContext& ctx) {
  decoder_->channelReadComplete(ctx);
}

void HttpServerCodec::channelInactive(ChannelHandlerContext& ctx) {
  ++decoding_;
  decoder_->channelInactive(ctx);
  afterDecoding(ctx);
}

void HttpServerCodec::afterDecoding(ChannelHandlerContext& ctx) {
  if (--decoding_ > 0) {
    return;
  }
  if (removalPending_) {
    removalPending_ = false;
    decoder_->handlerRemoved(ctx);
    return;
  }
  maybeRefuse(ctx);
}

void HttpServerCodec::userEventTriggered(ChannelHandlerContext& ctx, Message event) {
  if (event.is<HttpExpectationFailedEvent>()) {
    // The expectation was refused with a final response: the client will not send the body
    // it announced, so the next bytes start the next request (as Netty's decoder does).
    decoder_->reset();
  }
  DrainEvent* drain = event.getIf<DrainEvent>();
  if (drain == nullptr) {
    ctx.fireUserEventTriggered(std::move(event));
    return;
  }
  drain->handled = true;
  const bool idle = !closing_ && !draining_ && responsesOwed_ == 0 && !finalInProgress_ &&
                    !informationalInProgress_;
  if (!idle && !closing_) {
    draining_ = true;
    drained_ = true;
    drainDeadline_ = drain->deadline;
  }
  // The handlers after the codec hear of the drain too (their own books, a streamed
  // response to finish), before an idle connection closes.
  ctx.fireUserEventTriggered(std::move(event));
  if (idle && ctx.channel().isOpen()) {
    ctx.channel().closeReason().record(CloseInitiator::Shutdown, "drain");
    ctx.close();
  }
}

void HttpServerCodec::closeAfterDrain(ChannelHandlerContext& ctx) {
  draining_ = false;
  closing_ = true;
  ctx.channel().closeReason().record(CloseInitiator::Shutdown, "drain");
  // An empty write, so that the close waits for the response written before it.
  ChannelPromise promise = ctx.newPromise();
  ctx.write(Message(ByteBuf()), promise);
  promise.addListener(ChannelFutureListener::kClose);
}

void HttpServerCodec::handlerRemoved(ChannelHandlerContext& ctx) {
  if (draining_) {
    // Upgraded while the drain waited for the response: the new protocol's handlers drain
    // the connection their way, once the switch is complete.
    draining_ = false;
    Channel* channel = &ctx.channel();
    ctx.executor().execute([channel, keep = channel->taskKeepAlive(), d = drainDeadline_]() {
      if (channel->isActive()) {
        channel->pipeline().fireUserEventTriggered(DrainEvent{.deadline = d});
      }
    });
  }
  if (decoding_ > 0) {
    // Removed by a handler that receives what the decoder is firing (an upgrade on the
    // request's head): the messages decoded with it go first, then the bytes.
    removalPending_ = true;
    return;
  }
  // Hands bytes the decoder still holds to the next handler (after an upgrade, they belong
  // to the new protocol).
  decoder_->handlerRemoved(ctx);
}

void HttpServerCodec::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  // A refusal that is due goes out before anything written now: the write answers the bad
  // request itself, or nothing.
  maybeRefuse(ctx);
  if (closing_) {
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "the request was answered as a bad request"));
    return;
  }
  auto* response = msg.getIf<HttpResponse>();
  const bool last = msg.is<LastHttpContent>();
  bool endsFinal = false;
  if (response != nullptr) {
    const bool informational = isInformational(*response);
    if (draining_ && !informational && responsesOwed_ <= 1 && !finalInProgress_) {
      // The response to the last request in flight: RFC 9112 9.6, a server that closes
      // after a response SHOULD send the "close" option in it.
      HttpUtil::setKeepAlive(*response, false);
    }
    startAccepted_ = false;
    encoder_->write(ctx, std::move(msg), std::move(promise));
    if (!startAccepted_) {
      return;  // refused by the encoder, which failed the promise: nothing was paired
    }
    if (informational) {
      informationalInProgress_ = !last;
    } else {
      finalInProgress_ = !last;
      endsFinal = last;
    }
  } else if (last) {
    // A LastHttpContent ends the streamed response in progress; with none, the encoder
    // refuses it.
    endsFinal = finalInProgress_ && !informationalInProgress_;
    informationalInProgress_ = false;
    if (endsFinal) {
      finalInProgress_ = false;
    }
    encoder_->write(ctx, std::move(msg), std::move(promise));
  } else {
    encoder_->write(ctx, std::move(msg), std::move(promise));
    return;
  }
  if (endsFinal && responsesOwed_ > 0) {
    --responsesOwed_;
  }
  maybeRefuse(ctx);
  if (draining_ && !closing_ && responsesOwed_ == 0 && !finalInProgress_ &&
      !informationalInProgress_) {
    closeAfterDrain(ctx);
  }
}

void HttpServerCodec::maybeRefuse(ChannelHandlerContext& ctx) {
  if (refusal_ == Refusal::None || closing_ || finalInProgress_ || informationalInProgress_ ||
      responsesOwed_ > refuseWhenOwed_) {
    return;
  }
  closing_ = true;
  ChannelPromise promise = ctx.newPromise();
  CloseReason& reason = ctx.channel().closeReason();
  if (refusal_ == Refusal::Answer) {
    const HttpResponseStatus status = statusFor(*badRequest_);
    // Recorded before the answer goes: a limit for headers or a request line over it, the
    // peer's violation of RFC 9112 otherwise.
    const bool limit = status == HttpResponseStatus::kRequestHeaderFieldsTooLarge ||
                       status == HttpResponseStatus::kRequestUriTooLong;
    reason.record(limit ? CloseInitiator::Limit : CloseInitiator::Protocol,
                  ruleFor(config_.decoder, *badRequest_), *badRequest_);
    reason.recordSent(status.code());
    Log::log(LogLevel::Debug, "http", "{}: answering a bad request with {}: {}",
             ctx.channel().id().asShortText(), status, badRequest_->message());
    // RFC 9112 9.6: the answer says the connection closes after it.
    FullHttpResponse answer(HttpVersion::kHttp11, status);
    answer.headers().add(HttpHeaderNames::kContentLength, "0");
    answer.headers().add(HttpHeaderNames::kConnection, HttpHeaderValues::kClose);
    encoder_->write(ctx, Message(std::move(answer)), promise);
  } else {
    reason.record(CloseInitiator::Protocol, ruleFor(config_.decoder, *badRequest_), *badRequest_);
    Log::log(LogLevel::Debug, "http", "{}: closing after a request body failed: {}",
             ctx.channel().id().asShortText(), badRequest_->message());
    // An empty write, so that the close waits for the bytes written before it.
    ctx.write(Message(ByteBuf()), promise);
  }
  ctx.flush();
  promise.addListener(ChannelFutureListener::kClose);
}

}  // namespace sluice::http
