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

class HttpClientCodec::Encoder final : public HttpRequestEncoder {};

HttpClientCodec::HttpClientCodec(HttpClientCodecConfig config)
    : config_(config),
      decoder_(std::make_unique<Decoder>(*this, config.decoder)),
      encoder_(std::make_unique<Encoder>()) {}

HttpClientCodec::~HttpClientCodec() = default;

void HttpClientCodec::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  if (const auto* request = msg.getIf<HttpRequest>()) {
    requests_.push_back(request->method());
  }
  encoder_->write(ctx, std::move(msg), std::move(promise));
}

void HttpClientCodec::channelRead(ChannelHandlerContext& ctx, Message msg) {
  decoder_->channelRead(ctx, std::move(msg));
}

void HttpClientCodec::channelReadComplete(ChannelHandlerContext& ctx) {
  decoder_->channelReadComplete(ctx);
}

void HttpClientCodec::channelInactive(ChannelHandlerContext& ctx) {
  const std::size_t missing = requests_.size();
  decoder_->channelInactive(ctx);
  if (config_.failOnMissingResponse && missing > 0) {
    ctx.fireExceptionCaught(Error(make_error_code(HttpErrc::PrematureClose),
                                  fmt::format("channel closed with {} response(s) missing", missing)));
  }
}

void HttpClientCodec::handlerRemoved(ChannelHandlerContext& ctx) { decoder_->handlerRemoved(ctx); }

}  // namespace sluice::http
