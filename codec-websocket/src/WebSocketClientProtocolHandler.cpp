#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketError.h>

#include <utility>

#include "WebSocketClientProtocolHandshakeHandler.h"
#include "WebSocketCloseHandshake.h"
#include "WebSocketKeepAlive.h"

namespace sluice::websocket {

namespace {

WebSocketClientHandshakerConfig handshakerConfig(const WebSocketClientProtocolConfig& c) {
  return WebSocketClientHandshakerConfig{
      .subprotocols = c.subprotocols,
      .customHeaders = c.customHeaders,
      .origin = c.origin,
      .generateOriginHeader = c.generateOriginHeader,
      .absoluteUpgradeUrl = c.absoluteUpgradeUrl,
      .decoderConfig = c.decoderConfig,
      .encoderConfig = c.encoderConfig,
      .extensionHandshakers = c.extensionHandshakers,
  };
}

}  // namespace

WebSocketClientProtocolHandler::WebSocketClientProtocolHandler(WebSocketClientProtocolConfig config)
    : WebSocketClientProtocolHandler(std::move(config), NoHandshaker{}) {
  handshaker_ = std::make_unique<WebSocketClientHandshaker13>(config_.webSocketUri,
                                                              handshakerConfig(config_));
}

WebSocketClientProtocolHandler::WebSocketClientProtocolHandler(
    std::unique_ptr<WebSocketClientHandshaker> handshaker, WebSocketClientProtocolConfig config)
    : WebSocketClientProtocolHandler(std::move(config), NoHandshaker{}) {
  if (!handshaker) {
    throw std::invalid_argument("WebSocketClientProtocolHandler needs a handshaker");
  }
  handshaker_ = std::move(handshaker);
}

WebSocketClientProtocolHandler::WebSocketClientProtocolHandler(WebSocketClientProtocolConfig config,
                                                               NoHandshaker)
    : config_(std::move(config)),
      closeHandshake_(std::make_unique<detail::WebSocketCloseHandshake>(
          detail::WebSocketCloseHandshake::Side::Client, config_.forceCloseTimeout,
          [this] { keepAlive_->stop(); })),
      keepAlive_(std::make_unique<detail::WebSocketKeepAlive>(
          config_.pingInterval, config_.pongTimeout, *closeHandshake_)) {}

WebSocketClientProtocolHandler::~WebSocketClientProtocolHandler() = default;

ChannelFuture WebSocketClientProtocolHandler::handshakeFuture() const { return handshakePromise_; }

void WebSocketClientProtocolHandler::handlerAdded(ChannelHandlerContext& ctx) {
  ctx_ = &ctx;
  handshakePromise_ = ctx.newPromise();
  // The handshake half goes right before this handler and leaves once it is done.
  auto handshake = std::make_unique<detail::WebSocketClientProtocolHandshakeHandler>(*this);
  handshakeHandler_ = handshake.get();
  ctx.pipeline().addBefore(ctx.name(), {}, std::move(handshake));
}

void WebSocketClientProtocolHandler::handlerRemoved(ChannelHandlerContext& ctx) {
  closeHandshake_->detach();
  keepAlive_->detach();
  completePings(false);
  *alive_ = false;
  if (handshakeHandler_ != nullptr) {
    // It works for this handler and must not outlive it.
    ctx.pipeline().remove(*handshakeHandler_);
    handshakeHandler_ = nullptr;
  }
  ctx_ = nullptr;
}

void WebSocketClientProtocolHandler::channelActive(ChannelHandlerContext& ctx) {
  // The handshake handler before this one has written the request (see it).
  ctx.fireChannelActive();
}

void WebSocketClientProtocolHandler::onHandshakeComplete() {
  if (ctx_ != nullptr) {
    keepAlive_->start(*ctx_);
  }
}

void WebSocketClientProtocolHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (!handshaker_->isHandshakeComplete() || !msg.is<WebSocketFrame>()) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  auto& frame = msg.get<WebSocketFrame>();
  switch (frame.opcode()) {
    case WebSocketOpcode::Ping:
      keepAlive_->answerPing(ctx, frame);
      return;
    case WebSocketOpcode::Pong:
      completePings(true);
      keepAlive_->onPong(ctx);
      if (config_.dropPongFrames) {
        return;
      }
      break;
    case WebSocketOpcode::Close: {
      auto& close = msg.get<CloseWebSocketFrame>();
      closeHandshake_->setCloseReceived();
      if (!receivedCloseStatus_) {
        const int code = close.statusCode();
        if (code < 0) {
          // RFC 6455 7.1.5: a close frame without a status code is reported as 1005.
          receivedCloseStatus_ = WebSocketCloseStatus::kEmpty;
        } else {
          receivedCloseReason_ = std::string(close.reasonText());
          receivedCloseStatus_ = WebSocketCloseStatus(code, receivedCloseReason_);
        }
      }
      if (config_.handleCloseFrames) {
        closeHandshake_->onCloseFrame(ctx, close);
        return;
      }
      break;
    }
    default:
      break;
  }
  ctx.fireChannelRead(std::move(msg));
}

void WebSocketClientProtocolHandler::write(ChannelHandlerContext& ctx, Message msg,
                                           ChannelPromise promise) {
  // A broadcast's frame arrives already encoded (an EncodedMessage): a data frame too.
  const bool frame = msg.is<WebSocketFrame>();
  if (!frame && !msg.isExactly<EncodedMessage>()) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  if (!handshaker_->isHandshakeComplete()) {
    promise.tryFailure(
        Error(CoreErrc::IllegalState, "the WebSocket opening handshake has not completed"));
    return;
  }
  if (frame && msg.is<CloseWebSocketFrame>() && !closeHandshake_->closeSent() &&
      !closeHandshake_->closeReceived()) {
    closedByApplication_ = true;
  }
  closeHandshake_->write(ctx, std::move(msg), std::move(promise));
}

void WebSocketClientProtocolHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (!closeHandshake_->closeReceived() && !closeHandshake_->closing()) {
    closedByApplication_ = true;
  }
  if (!handshaker_->isHandshakeComplete()) {
    ctx.close(std::move(promise));
    return;
  }
  closeHandshake_->close(ctx, std::move(promise), config_.sendCloseFrame);
}

Future<bool> WebSocketClientProtocolHandler::ping(std::chrono::milliseconds timeout) {
  ChannelHandlerContext* ctx = ctx_;
  if (ctx == nullptr) {
    return makeSucceededFuture(false);
  }
  EventExecutor& executor = ctx->executor();
  Promise<bool> result = Promise<bool>::make(&executor);
  if (executor.inEventLoop()) {
    pingOnLoop(result, timeout);
  } else {
    executor.execute([this, alive = std::weak_ptr<bool>(alive_),
                      keep = ctx->channel().taskKeepAlive(), result, timeout]() {
      if (auto a = alive.lock(); a && *a) {
        pingOnLoop(result, timeout);
      } else {
        result.trySuccess(false);
      }
    });
  }
  return result.future();
}

void WebSocketClientProtocolHandler::pingOnLoop(const Promise<bool>& result,
                                                std::chrono::milliseconds timeout) {
  if (ctx_ == nullptr || !handshaker_->isHandshakeComplete() || closeHandshake_->closeSent() ||
      closeHandshake_->closeReceived() || closeHandshake_->closing() ||
      !ctx_->channel().isActive()) {
    result.trySuccess(false);
    return;
  }
  ScheduledFuture timer;
  if (timeout.count() > 0) {
    timer = ctx_->executor().schedule(
        [this, alive = std::weak_ptr<bool>(alive_), result]() {
          result.trySuccess(false);
          if (auto a = alive.lock(); a && *a) {
            std::erase_if(pings_, [&](const PendingPing& p) { return p.result == result; });
          }
        },
        timeout);
  }
  pings_.push_back({result, std::move(timer)});
  ctx_->writeAndFlush(PingWebSocketFrame());
}

void WebSocketClientProtocolHandler::completePings(bool answered) {
  std::vector<PendingPing> pings = std::exchange(pings_, {});
  for (PendingPing& p : pings) {
    if (p.timer.isValid()) {
      p.timer.cancel();
    }
    p.result.trySuccess(answered);
  }
}

void WebSocketClientProtocolHandler::channelInactive(ChannelHandlerContext& ctx) {
  closeHandshake_->cancelTimer();
  keepAlive_->stop();
  completePings(false);
  if (handshakePromise_.isValid()) {
    handshakePromise_.tryFailure(Error(CoreErrc::ClosedChannel,
                                       "the connection closed before the WebSocket handshake "
                                       "completed"));
  }
  // The server closed: a close the application asked for is done.
  closeHandshake_->channelInactive(ctx);
  ctx.fireChannelInactive();
}

void WebSocketClientProtocolHandler::userEventTriggered(ChannelHandlerContext& ctx, Message event) {
  if (DrainEvent* drain = event.getIf<DrainEvent>();
      drain != nullptr && handshaker_->isHandshakeComplete()) {
    // RFC 6455 7.4.1: 1001, the endpoint is going away.
    drain->handled = true;
    closeHandshake_->drain(ctx);
  }
  ctx.fireUserEventTriggered(std::move(event));
}

void WebSocketClientProtocolHandler::exceptionCaught(ChannelHandlerContext& ctx,
                                                     const Error& error) {
  if (error.code().category() == webSocketCategory()) {
    // The frame decoder has answered the server's violation with a close frame and closes the
    // connection once it is written (RFC 6455 7.1.7): the server's fault, not the
    // application's.
    closeHandshake_->onDecoderClose();
    completePings(false);
    Log::log(LogLevel::Debug, "websocket", "{} {}", ctx.channel().toString(), error.message());
    return;
  }
  ctx.fireExceptionCaught(error);
  if (handshaker_->isHandshakeComplete() && !closeHandshake_->closing()) {
    closeHandshake_->closeNow(ctx);
  }
}

}  // namespace sluice::websocket
