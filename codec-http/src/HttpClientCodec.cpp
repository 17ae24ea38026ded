#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpError.h>

namespace sluice::http {

/// The response decoder, which knows the request each response answers.
class HttpClientCodec::Decoder final : public HttpResponseDecoder {
 public:
  Decoder(HttpClientCodec& codec, HttpDecoderConfig config)
      : HttpResponseDecoder(config), codec_(codec) {}

 protected:
  bool isContentAlwaysEmpty(const HttpMessage& msg) override {
    const auto* response = dynamic_cast<const HttpResponse*>(&msg);
    if (response == nullptr) {
      return HttpResponseDecoder::isContentAlwaysEmpty(msg);
    }
    const int code = response->status().code();
    if (code >= 100 && code < 200 && code != 101) {
      // An interim response: the final one to the same request follows.
      return true;
    }
    std::deque<HttpMethod>& requests = codec_.requests_;
    if (requests.empty()) {
      return HttpResponseDecoder::isContentAlwaysEmpty(msg);
    }
    const HttpMethod method = std::move(requests.front());
    requests.pop_front();
    if (method == HttpMethod::kHead) {
      return true;  // RFC 9110 9.3.2
    }
    if (method == HttpMethod::kConnect && code >= 200 && code < 300) {
      // RFC 9110 9.3.6: the connection is now a tunnel; its bytes are not HTTP.
      setUpgraded();
      requests.clear();
      return true;
    }
    return HttpResponseDecoder::isContentAlwaysEmpty(msg);
  }

 private:
  HttpClientCodec& codec_;
};

/// The request encoder, which tells the codec each request it sends.
class HttpClientCodec::Encoder final : public HttpRequestEncoder {
 public:
  explicit Encoder(HttpClientCodec& codec) : codec_(codec) {}

 protected:
  bool isContentAlwaysEmpty(const HttpMessage& msg) override {
    // Called once for each request start the encoder accepts: one it refuses (a start
    // before the previous request ended) is sent, and answered, never.
    codec_.requests_.push_back(messageAs<HttpRequest>(msg).method());
    return HttpRequestEncoder::isContentAlwaysEmpty(msg);
  }

 private:
  HttpClientCodec& codec_;
};

HttpClientCodec::HttpClientCodec(HttpClientCodecConfig config)
    : config_(config),
      decoder_(std::make_unique<Decoder>(*this, config.decoder)),
      encoder_(std::make_unique<Encoder>(*this)) {}

HttpClientCodec::~HttpClientCodec() = default;

void HttpClientCodec::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  encoder_->write(ctx, std::move(msg), std::move(promise));
}

void HttpClientCodec::channelRead(ChannelHandlerContext& ctx, Message msg) {
  ++decoding_;
  decoder_->channelRead(ctx, std::move(msg));
  afterDecoding(ctx);
}

void HttpClientCodec::afterDecoding(ChannelHandlerContext& ctx) {
  if (--decoding_ == 0 && removalPending_) {
    removalPending_ = false;
    decoder_->handlerRemoved(ctx);
  }
}

void HttpClientCodec::channelReadComplete(ChannelHandlerContext& ctx) {
  decoder_->channelReadComplete(ctx);
}

void HttpClientCodec::channelInactive(ChannelHandlerContext& ctx) {
  const std::size_t missing = requests_.size();
  ++decoding_;
  decoder_->channelInactive(ctx);
  afterDecoding(ctx);
  if (config_.failOnMissingResponse && missing > 0) {
    ctx.fireExceptionCaught(
        Error(make_error_code(HttpErrc::PrematureClose),
              fmt::format("channel closed with {} response(s) missing", missing)));
  }
}

void HttpClientCodec::handlerRemoved(ChannelHandlerContext& ctx) {
  if (decoding_ > 0) {
    // Removed by a handler that receives what the decoder is firing (an upgrade on the
    // response's head): the messages decoded with it go first, then the bytes.
    removalPending_ = true;
    return;
  }
  // Hands the bytes the decoder still holds to the next handler (they belong to the
  // protocol that replaces HTTP).
  decoder_->handlerRemoved(ctx);
}

}  // namespace sluice::http
