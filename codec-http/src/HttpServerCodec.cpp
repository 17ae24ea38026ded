#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/util/Log.h>

namespace sluice::http {

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
    // RFC 9110 9.3.2: a response to HEAD has no content, whatever its headers announce.
    if (codec_.respondingTo_) {
      const HttpMethod& method = codec_.respondingTo_->method;
      if (method == HttpMethod::kHead) {
        return true;
      }
      // RFC 9110 9.3.6: after a 2xx to CONNECT the connection is a tunnel, not a body.
      if (method == HttpMethod::kConnect &&
          messageAs<HttpResponse>(msg).status().codeClass() == HttpStatusClass::Success) {
        return true;
      }
    }
    return HttpResponseEncoder::isContentAlwaysEmpty(msg);
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
    if (const auto* request = msg.getIf<HttpRequest>()) {
      if (request->decoderResult().isFailure() && config_.answerBadRequests) {
        // The request's head could not be decoded: no handler has seen any of it, so it is
        // not passed on; the codec answers once the requests before it are answered.
        badRequest_ = request->decoderResult().cause();
        answerWhenOwed_ = responsesOwed_;
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      requests_.push_back({request->method(), request->protocolVersion()});
      ++responsesOwed_;
    } else if (const auto* last = msg.getIf<LastHttpContent>()) {
      const DecoderResult& result = last->decoderResult();
      if (result.isFailure() && config_.answerBadRequests &&
          result.cause().code() != HttpErrc::PrematureClose && responsesOwed_ > 0) {
        // The body broke after the head was passed on. The failed last content still goes
        // on, so the handlers waiting for it finish; the codec's answer stands in for the
        // response to this request.
        badRequest_ = result.cause();
        answerWhenOwed_ = responsesOwed_ - 1;
      }
    }
    ++i;
  }
}

void HttpServerCodec::channelRead(ChannelHandlerContext& ctx, Message msg) {
  decoder_->channelRead(ctx, std::move(msg));
  maybeAnswerBadRequest(ctx);
}

void HttpServerCodec::channelReadComplete(ChannelHandlerContext& ctx) {
  decoder_->channelReadComplete(ctx);
}

void HttpServerCodec::channelInactive(ChannelHandlerContext& ctx) { decoder_->channelInactive(ctx); }

void HttpServerCodec::handlerRemoved(ChannelHandlerContext& ctx) {
  // Hands bytes the decoder still holds to the next handler (after an upgrade, they belong
  // to the new protocol).
  decoder_->handlerRemoved(ctx);
}

void HttpServerCodec::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  if (answered_) {
    // The connection is closing after the codec's answer to a bad request: a late response
    // to that request is dropped.
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "the request was answered as a bad request"));
    return;
  }
  bool endsResponse = false;
  if (auto* response = msg.getIf<HttpResponse>()) {
    const bool informational = response->status().codeClass() == HttpStatusClass::Informational;
    if (!informational) {
      if (!requests_.empty()) {
        respondingTo_ = std::move(requests_.front());
        requests_.pop_front();
      } else {
        respondingTo_.reset();
      }
      if (respondingTo_ && respondingTo_->method == HttpMethod::kConnect &&
          response->status().codeClass() == HttpStatusClass::Success) {
        // RFC 9110 9.3.6: a 2xx response to CONNECT carries neither field; the tunnel
        // follows.
        response->headers().remove(HttpHeaderNames::kTransferEncoding);
        response->headers().remove(HttpHeaderNames::kContentLength);
      }
    }
    const bool full = msg.is<LastHttpContent>();
    informationalInProgress_ = informational && !full;
    endsResponse = full && !informational;
  } else if (msg.is<LastHttpContent>()) {
    endsResponse = !informationalInProgress_;
    informationalInProgress_ = false;
  }
  encoder_->write(ctx, std::move(msg), std::move(promise));
  if (endsResponse && responsesOwed_ > 0) {
    --responsesOwed_;
    maybeAnswerBadRequest(ctx);
  }
}

void HttpServerCodec::maybeAnswerBadRequest(ChannelHandlerContext& ctx) {
  if (!badRequest_ || answered_ || responsesOwed_ > answerWhenOwed_) {
    return;
  }
  const HttpResponseStatus status = statusFor(*badRequest_);
  Log::log(LogLevel::Debug, "http", "{}: answering a bad request with {}: {}",
           ctx.channel().id().asShortText(), status, badRequest_->message());
  FullHttpResponse answer(HttpVersion::kHttp11, status);
  answer.headers().add(HttpHeaderNames::kContentLength, "0");
  answer.headers().add(HttpHeaderNames::kConnection, HttpHeaderValues::kClose);
  respondingTo_.reset();
  ChannelPromise promise = ctx.newPromise();
  encoder_->write(ctx, Message(std::move(answer)), promise);
  answered_ = true;
  ctx.flush();
  promise.addListener(ChannelFutureListener::kClose);
}

}  // namespace sluice::http
