#pragma once

// The metrics listener (--metrics-port) of the server examples whose own port is not an
// HTTP server: echo speaks lines, websocket-echo answers only WebSocket upgrades.

#include <fmt/format.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/http/HttpMetricsHandler.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

/// Answers every HTTP request that reaches it with 404 (keep-alive as the request asks) and
/// drops the body pieces that follow it. Stateless, so one instance serves every connection.
class NotFoundHandler : public sluice::ChannelInboundHandler {
 public:
  bool isSharable() const noexcept override { return true; }

  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    namespace http = sluice::http;
    const auto* request = msg.getIf<http::HttpRequest>();
    if (request == nullptr) {
      return;  // HttpContent of a request already answered
    }
    http::FullHttpResponse response(request->protocolVersion(),
                                    http::HttpResponseStatus::kNotFound);
    response.headers().add(http::HttpHeaderNames::kContentLength, 0);
    if (http::HttpUtil::isKeepAlive(*request)) {
      ctx.writeAndFlush(sluice::Message(std::move(response)), ctx.voidPromise());
    } else {
      response.headers().add(http::HttpHeaderNames::kConnection, http::HttpHeaderValues::kClose);
      ctx.writeAndFlush(sluice::Message(std::move(response)))
          .addListener(sluice::ChannelFutureListener::kClose);
    }
  }
  void exceptionCaught(sluice::ChannelHandlerContext& ctx, const sluice::Error&) override {
    ctx.close();
  }
};

/// A server example's second listener (--metrics-port): HTTP/1.1 with the metrics on
/// GET /metrics (Prometheus's text format) and 404 for anything else. The two handlers after
/// the codec are shared by every connection.
class MetricsServerInitializer : public sluice::ChannelInitializer {
 public:
  MetricsServerInitializer()
      : metrics_(std::make_shared<sluice::http::HttpMetricsHandler>()),
        notFound_(std::make_shared<NotFoundHandler>()) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    ch.pipeline().addLast<sluice::http::HttpServerCodec>();
    ch.pipeline().addLast(metrics_);
    ch.pipeline().addLast(notFound_);
  }

 private:
  std::shared_ptr<sluice::http::HttpMetricsHandler> metrics_;
  std::shared_ptr<NotFoundHandler> notFound_;
};

/// Binds the metrics listener on `host`:`port` with `group`'s loops through `bootstrap` (which
/// must outlive it) and waits for it: prints "metrics on HOST:PORT", or
/// "PROGRAM: metrics port: WHY" to stderr and returns the failed future.
inline sluice::ChannelFuture bindMetricsServer(sluice::ServerBootstrap& bootstrap,
                                               sluice::UvEventLoopGroup& group,
                                               const std::string& host, std::uint16_t port,
                                               const char* program) {
  bootstrap.group(group).childHandler(std::make_shared<MetricsServerInitializer>());
  sluice::ChannelFuture bound = bootstrap.bind(host, port);
  bound.await();
  if (bound.isSuccess()) {
    fmt::print("metrics on {}\n", bound.channel().localAddress().toString());
  } else {
    fmt::print(stderr, "{}: metrics port: {}\n", program, bound.cause().message());
  }
  return bound;
}
