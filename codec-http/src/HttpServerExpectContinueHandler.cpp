#include <sluice/channel/ChannelFuture.h>
#include <sluice/http/HttpServerExpectContinueHandler.h>
#include <sluice/http/HttpUtil.h>

namespace sluice::http {

bool HttpServerExpectContinueHandler::acceptMessage(const HttpRequest&) { return true; }

FullHttpResponse HttpServerExpectContinueHandler::rejectResponse(const HttpRequest&) {
  FullHttpResponse response(HttpVersion::kHttp11, HttpResponseStatus::kExpectationFailed);
  HttpUtil::setContentLength(response, 0);
  return response;
}

void HttpServerExpectContinueHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (HttpRequest* request = msg.getIf<HttpRequest>()) {
    discardingContent_ = false;
    const bool unsupported = HttpUtil::isUnsupportedExpectation(*request);
    if (unsupported || HttpUtil::is100ContinueExpected(*request)) {
      if (unsupported || !acceptMessage(*request)) {
        ctx.writeAndFlush(rejectResponse(*request))
            .addListener(ChannelFutureListener::kCloseOnFailure);
        // A full request has brought its content along; any other is followed by it.
        discardingContent_ = !msg.is<LastHttpContent>();
        return;
      }
      // RFC 9110 15.2.1: "100 Continue" tells the client to send the content. RFC 9110 8.6:
      // a 1xx response MUST NOT carry Content-Length.
      ctx.writeAndFlush(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kContinue))
          .addListener(ChannelFutureListener::kCloseOnFailure);
      request->headers().remove(HttpHeaderNames::kExpect);
    }
  } else if (discardingContent_ && msg.is<HttpContent>()) {
    discardingContent_ = !msg.is<LastHttpContent>();
    return;  // content of the refused request
  }
  ctx.fireChannelRead(std::move(msg));
}

}  // namespace sluice::http
