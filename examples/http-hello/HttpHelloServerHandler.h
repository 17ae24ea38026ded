#pragma once

#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpUtil.h>

#include <string_view>

// [docs:http-hello-handler]
/// Answers GET (and HEAD) /hello with "Hello, World!" and anything else with 404. Keep-alive as the
/// request asks; pipelined requests are answered in order, and the responses of one read
/// burst leave in one socket write (flush in channelReadComplete).
class HttpHelloServerHandler : public sluice::ChannelInboundHandler {
 public:
  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    namespace http = sluice::http;
    // The codec also passes the body pieces (HttpContent); a GET has an empty last one.
    const auto* request = msg.getIf<http::HttpRequest>();
    if (request == nullptr) {
      return;
    }
    // HEAD is answered as GET; the codec leaves the body out (RFC 9110 9.3.2).
    const bool found = (request->method() == http::HttpMethod::kGet ||
                        request->method() == http::HttpMethod::kHead) &&
                       request->uri() == "/hello";
    sluice::ByteBuf body;
    if (found) {
      body = ctx.alloc().buffer(kBody.size());
      body.writeBytes(kBody);
    }
    http::FullHttpResponse response(
        request->protocolVersion(),
        found ? http::HttpResponseStatus::kOk : http::HttpResponseStatus::kNotFound,
        std::move(body));
    response.headers()
        .add(http::HttpHeaderNames::kContentType, http::HttpHeaderValues::kTextPlain)
        .add(http::HttpHeaderNames::kContentLength,
             static_cast<std::int64_t>(response.content().readableBytes()));

    const bool keepAlive = http::HttpUtil::isKeepAlive(*request);
    if (keepAlive) {
      if (!request->protocolVersion().isKeepAliveDefault()) {
        response.headers().add(http::HttpHeaderNames::kConnection,
                               http::HttpHeaderValues::kKeepAlive);
      }
      ctx.write(sluice::Message(std::move(response)), ctx.voidPromise());
    } else {
      response.headers().add(http::HttpHeaderNames::kConnection, http::HttpHeaderValues::kClose);
      ctx.write(sluice::Message(std::move(response)))
          .addListener(sluice::ChannelFutureListener::kClose);
    }
  }
  void channelReadComplete(sluice::ChannelHandlerContext& ctx) override { ctx.flush(); }
  void exceptionCaught(sluice::ChannelHandlerContext& ctx, const sluice::Error&) override {
    ctx.close();
  }

 private:
  static constexpr std::string_view kBody = "Hello, World!";
};
// [docs:end]
