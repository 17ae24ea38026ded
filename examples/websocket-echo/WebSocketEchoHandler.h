#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpObject.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <utility>

// [docs:websocket-echo-handler]
/// Sends every data frame back as it came: same type, same FIN and RSV bits, same payload
/// (moved, not copied; the encoder writes the header into the payload's headroom). Pings,
/// pongs and the closing handshake are WebSocketServerProtocolHandler's business.
class WebSocketEchoHandler
    : public sluice::SimpleChannelInboundHandler<sluice::websocket::WebSocketFrame> {
 public:
  // Requests for paths other than /ws pass the protocol handler untouched: answer 404.
  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    if (msg.is<sluice::http::FullHttpRequest>()) {
      sluice::http::FullHttpResponse response(sluice::http::HttpVersion::kHttp11,
                                              sluice::http::HttpResponseStatus::kNotFound);
      response.headers().set(sluice::http::HttpHeaderNames::kContentLength, 0);
      response.headers().set(sluice::http::HttpHeaderNames::kConnection, "close");
      ctx.writeAndFlush(std::move(response)).addListener(sluice::ChannelFutureListener::kClose);
      return;
    }
    SimpleChannelInboundHandler::channelRead(ctx, std::move(msg));
  }

 protected:
  void channelRead0(sluice::ChannelHandlerContext& ctx,
                    sluice::websocket::WebSocketFrame& frame) override {
    using namespace sluice::websocket;  // NOLINT(google-build-using-namespace)
    const bool fin = frame.isFinalFragment();
    const int rsv = frame.rsv();
    switch (frame.opcode()) {
      case WebSocketOpcode::Text:
        ctx.write(TextWebSocketFrame(fin, rsv, std::move(frame.content())));
        break;
      case WebSocketOpcode::Binary:
        ctx.write(BinaryWebSocketFrame(fin, rsv, std::move(frame.content())));
        break;
      case WebSocketOpcode::Continuation:
        ctx.write(ContinuationWebSocketFrame(fin, rsv, std::move(frame.content())));
        break;
      default:
        break;
    }
  }

  // One flush per read burst, not per frame.
  void channelReadComplete(sluice::ChannelHandlerContext& ctx) override { ctx.flush(); }
};
// [docs:end]
