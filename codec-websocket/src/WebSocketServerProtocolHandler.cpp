#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketError.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <utility>

#include "WebSocketCloseHandshake.h"
#include "WebSocketKeepAlive.h"
#include "WebSocketServerProtocolHandshakeHandler.h"

namespace sluice::websocket {

WebSocketServerProtocolHandler::WebSocketServerProtocolHandler(WebSocketServerProtocolConfig config)
    : config_(std::move(config)),
      closeHandshake_(std::make_unique<detail::WebSocketCloseHandshake>(
          detail::WebSocketCloseHandshake::Side::Server, config_.forceCloseTimeout,
          [this] { keepAlive_->stop(); })),
      keepAlive_(std::make_unique<detail::WebSocketKeepAlive>(
          config_.pingInterval, config_.pongTimeout, *closeHandshake_)) {}

WebSocketServerProtocolHandler::WebSocketServerProtocolHandler(std::string websocketPath)
    : WebSocketServerProtocolHandler(
          WebSocketServerProtocolConfig{.websocketPath = std::move(websocketPath)}) {}

WebSocketServerProtocolHandler::WebSocketServerProtocolHandler(
    std::string websocketPath, std::vector<std::string> subprotocols)
    : WebSocketServerProtocolHandler(WebSocketServerProtocolConfig{
          .websocketPath = std::move(websocketPath), .subprotocols = std::move(subprotocols)}) {}

WebSocketServerProtocolHandler::~WebSocketServerProtocolHandler() = default;

void WebSocketServerProtocolHandler::handlerAdded(ChannelHandlerContext& ctx) {
  // The handshake half goes right before this handler and leaves once it is done.
  ctx.pipeline().addBefore(
      ctx.name(), {}, std::make_unique<detail::WebSocketServerProtocolHandshakeHandler>(*this));
}

void WebSocketServerProtocolHandler::handlerRemoved(ChannelHandlerContext& ctx) {
  (void)ctx;
  closeHandshake_->detach();
  keepAlive_->detach();
}

void WebSocketServerProtocolHandler::onHandshakeComplete(
    std::unique_ptr<WebSocketServerHandshaker> handshaker) {
  handshaker_ = std::move(handshaker);
}

void WebSocketServerProtocolHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (!handshaker_ || !msg.is<WebSocketFrame>()) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  auto& frame = msg.get<WebSocketFrame>();
  switch (frame.opcode()) {
    case WebSocketOpcode::Ping:
      keepAlive_->answerPing(ctx, frame);
      return;
    case WebSocketOpcode::Pong:
      keepAlive_->onPong(ctx);
      if (config_.dropPongFrames) {
        return;
      }
      break;
    case WebSocketOpcode::Close:
      if (config_.handleCloseFrames) {
        closeHandshake_->onCloseFrame(ctx, msg.get<CloseWebSocketFrame>());
        return;
      }
      // The application answers it; what we know is that the peer's close frame is in, so
      // its answer closes at once instead of waiting for forceCloseTimeout.
      closeHandshake_->setCloseReceived();
      if (closeHandshake_->closeSent()) {
        ctx.fireChannelRead(std::move(msg));
        // The answer to ours: the server closes TCP (RFC 6455 7.1.1).
        closeHandshake_->closeNow(ctx);
        return;
      }
      break;
    default:
      break;
  }
  ctx.fireChannelRead(std::move(msg));
}

void WebSocketServerProtocolHandler::write(ChannelHandlerContext& ctx, Message msg,
                                           ChannelPromise promise) {
  // A broadcast's frame arrives already encoded: ChannelGroup hands every member a share of
  // one EncodedMessage. It is a data frame all the same.
  if (!handshaker_ || (!msg.is<WebSocketFrame>() && !msg.isExactly<EncodedMessage>())) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  closeHandshake_->write(ctx, std::move(msg), std::move(promise));
}

void WebSocketServerProtocolHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (!handshaker_) {
    ctx.close(std::move(promise));
    return;
  }
  closeHandshake_->close(ctx, std::move(promise), config_.sendCloseFrame);
}

void WebSocketServerProtocolHandler::userEventTriggered(ChannelHandlerContext& ctx, Message event) {
  if (event.is<HandshakeComplete>()) {
    keepAlive_->start(ctx);
    ctx.fireUserEventTriggered(std::move(event));
    if (std::exchange(drainAfterHandshake_, false)) {
      closeHandshake_->drain(ctx);
    }
    return;
  }
  if (DrainEvent* drain = event.getIf<DrainEvent>(); drain != nullptr && handshaker_) {
    // RFC 6455 7.4.1: 1001, the endpoint is going away (a server going down).
    drain->handled = true;
    closeHandshake_->drain(ctx);
  }
  ctx.fireUserEventTriggered(std::move(event));
}

void WebSocketServerProtocolHandler::channelInactive(ChannelHandlerContext& ctx) {
  keepAlive_->stop();
  closeHandshake_->channelInactive(ctx);
  ctx.fireChannelInactive();
}

void WebSocketServerProtocolHandler::exceptionCaught(ChannelHandlerContext& ctx,
                                                     const Error& error) {
  if (error.code().category() == webSocketCategory()) {
    // The frame decoder has answered the peer's violation with a close frame and closes the
    // connection once it is written: the peer's fault, not the application's.
    closeHandshake_->onDecoderClose();
    Log::log(LogLevel::Debug, "websocket", "{} {}", ctx.channel().toString(), error.message());
    return;
  }
  ctx.fireExceptionCaught(error);
  if (handshaker_) {
    closeHandshake_->closeNow(ctx);
  }
}

}  // namespace sluice::websocket
