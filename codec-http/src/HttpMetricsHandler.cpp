#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpMetricsHandler.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/metrics/PrometheusTextFormat.h>
#include <sluice/util/AttributeKey.h>

#include <string>
#include <utility>

namespace sluice::http {
namespace {

// Set while the content of a request the handler answered is still arriving (no aggregator
// in front): it is dropped, up to its LastHttpContent.
const AttributeKey<bool> kDroppingBody{"sluice.http.metrics.droppingBody"};

std::string_view pathOf(std::string_view uri) noexcept {
  return uri.substr(0, uri.find_first_of("?#"));
}

}  // namespace

HttpMetricsHandler::HttpMetricsHandler(HttpMetricsConfig config) : config_(std::move(config)) {}

void HttpMetricsHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  const auto* request = msg.getIf<HttpRequest>();
  if (request == nullptr) {
    if (msg.is<HttpContent>()) {
      Attribute<bool>& dropping = ctx.channel().attr(kDroppingBody);
      if (const bool* d = dropping.get(); d != nullptr && *d) {
        if (msg.is<LastHttpContent>()) {
          dropping.remove();
        }
        return;  // the body of a request answered here
      }
    }
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  if (pathOf(request->uri()) != config_.path) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  const bool head = request->method() == HttpMethod::kHead;
  const bool keepAlive = HttpUtil::isKeepAlive(*request);
  if (!msg.is<LastHttpContent>()) {
    // Streamed: its content follows and belongs to nobody after this handler.
    ctx.channel().attr(kDroppingBody).set(true);
  }
  FullHttpResponse response(request->protocolVersion(), HttpResponseStatus::kOk);
  HttpHeaders& h = response.headers();
  if (head || request->method() == HttpMethod::kGet) {
    const MetricsRegistry& registry =
        config_.registry != nullptr ? *config_.registry : MetricsRegistry::global();
    std::string text = PrometheusTextFormat::write(registry);
    h.set(HttpHeaderNames::kContentType, PrometheusTextFormat::kContentType);
    // RFC 9110 9.3.2: a response to HEAD carries the header fields a GET would, no content.
    h.set(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(text.size()));
    if (!head) {
      response.content() = Unpooled::copiedBuffer(text);
    }
  } else {
    // RFC 9110 15.5.6: a 405 lists the methods the resource supports.
    response.setStatus(HttpResponseStatus::kMethodNotAllowed);
    h.set(HttpHeaderNames::kAllow, "GET, HEAD");
    h.set(HttpHeaderNames::kContentLength, 0);
  }
  HttpUtil::setKeepAlive(response, keepAlive);
  msg = Message();  // the request is done with; its body, if any, is released
  ChannelFuture written = ctx.writeAndFlush(std::move(response));
  if (!keepAlive) {
    ctx.channel().closeReason().record(CloseInitiator::Peer, "Connection: close");
    written.addListener(ChannelFutureListener::kClose);
  }
}

}  // namespace sluice::http
