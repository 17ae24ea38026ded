#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketError.h>

#include <utility>

#include "WebSocketClientProtocolHandshakeHandler.h"

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
    : config_(std::move(config)),
      handshaker_(std::make_unique<WebSocketClientHandshaker13>(config_.webSocketUri,
                                                                handshakerConfig(config_))) {}

WebSocketClientProtocolHandler::WebSocketClientProtocolHandler(
    std::unique_ptr<WebSocketClientHandshaker> handshaker, WebSocketClientProtocolConfig config)
    : config_(std::move(config)), handshaker_(std::move(handshaker)) {
  if (!handshaker_) {
    throw std::invalid_argument("WebSocketClientProtocolHandler needs a handshaker");
  }
}

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
  cancelTimers();
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

void WebSocketClientProtocolHandler::onHandshakeComplete() { schedulePing(); }

void WebSocketClientProtocolHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (!handshaker_->isHandshakeComplete() || !msg.is<WebSocketFrame>()) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  auto& frame = msg.get<WebSocketFrame>();
  switch (frame.opcode()) {
    case WebSocketOpcode::Ping:
      // RFC 6455 5.5.2: a ping is answered with a pong carrying the same application data,
      // unless a close frame has been sent (nothing may follow it, RFC 6455 5.5.1).
      if (!closeSent_) {
        ctx.writeAndFlush(PongWebSocketFrame(std::move(frame.content())));
      }
      return;
    case WebSocketOpcode::Pong:
      completePings(true);
      if (awaitingPong_) {
        awaitingPong_ = false;
        if (pongTimer_.isValid()) {
          pongTimer_.cancel();
          pongTimer_ = ScheduledFuture();
        }
        schedulePing();
      }
      if (config_.dropPongFrames) {
        return;
      }
      break;
    case WebSocketOpcode::Close: {
      auto& close = msg.get<CloseWebSocketFrame>();
      closeReceived_ = true;
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
        onCloseFrame(ctx, close);
        return;
      }
      break;
    }
    default:
      break;
  }
  ctx.fireChannelRead(std::move(msg));
}

void WebSocketClientProtocolHandler::onCloseFrame(ChannelHandlerContext& ctx,
                                                  CloseWebSocketFrame& frame) {
  if (closeSent_) {
    // The answer to our close frame: the closing handshake is complete. RFC 6455 7.1.1: the
    // server closes TCP first; the timer armed when ours was sent bounds the wait.
    if (!forceCloseTimer_.isValid() && config_.forceCloseTimeout.count() <= 0) {
      closeNow(ctx);
    }
    return;
  }
  // RFC 6455 5.5.1: answer with a close frame, typically echoing the status code received;
  // a close frame without a code is answered with one without a code.
  closeSent_ = true;
  const int code = frame.statusCode();
  CloseWebSocketFrame answer = code >= 0 && WebSocketCloseStatus::isValidStatusCode(code)
                                   ? CloseWebSocketFrame(code, {})
                                   : CloseWebSocketFrame();
  ChannelPromise written = ctx.newPromise();
  ctx.writeAndFlush(std::move(answer), written);
  afterCloseSent(ctx, written);
}

void WebSocketClientProtocolHandler::afterCloseSent(ChannelHandlerContext& ctx,
                                                    const ChannelFuture& written) {
  // No keep-alive ping may follow a close frame.
  for (ScheduledFuture* timer : {&pingTimer_, &pongTimer_}) {
    if (timer->isValid()) {
      timer->cancel();
      *timer = ScheduledFuture();
    }
  }
  awaitingPong_ = false;
  if (config_.forceCloseTimeout.count() <= 0) {
    written.addListener(
        [this, alive = std::weak_ptr<bool>(alive_), c = &ctx](const ChannelFuture&) {
          if (auto a = alive.lock(); a && *a) {
            closeNow(*c);
          }
        });
    return;
  }
  // RFC 6455 7.1.1: the client waits for the server to close the TCP connection (after its
  // close frame, if it has yet to send one), but not forever.
  forceCloseTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<bool>(alive_), c = &ctx]() {
        if (auto a = alive.lock(); a && *a && c->channel().isOpen()) {
          Log::log(LogLevel::Debug, "websocket", "{} the server did not close in {} ms, closing",
                   c->channel().toString(), config_.forceCloseTimeout.count());
          closeNow(*c);
        }
      },
      config_.forceCloseTimeout);
}

void WebSocketClientProtocolHandler::closeNow(ChannelHandlerContext& ctx) {
  cancelTimers();
  closing_ = true;
  ChannelPromise promise = std::exchange(pendingClose_, ChannelPromise());
  if (promise.isValid() || promise.isVoid()) {
    ctx.close(std::move(promise));
  } else {
    ctx.close();
  }
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
  if (closeSent_) {
    // RFC 6455 5.5.1: no data frame may be sent after a close frame.
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "a close frame was already sent"));
    return;
  }
  if (frame && msg.is<CloseWebSocketFrame>()) {
    closeSent_ = true;
    if (!closeReceived_) {
      closedByApplication_ = true;
    }
    ChannelPromise written = promise.isVoid() ? ctx.newPromise() : promise;
    ctx.write(std::move(msg), written);
    afterCloseSent(ctx, written);
    return;
  }
  ctx.write(std::move(msg), std::move(promise));
}

void WebSocketClientProtocolHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (!closeReceived_ && !closing_) {
    closedByApplication_ = true;
  }
  if (!handshaker_->isHandshakeComplete() || closing_ || closeReceived_ ||
      !ctx.channel().isActive()) {
    ctx.close(std::move(promise));
    return;
  }
  if (!closeSent_) {
    if (!config_.sendCloseFrame) {
      ctx.close(std::move(promise));
      return;
    }
    // The application closes without a close frame: send one first (RFC 6455 7.1.2 starts
    // the closing handshake with it), then wait for the server as after a written one.
    closeSent_ = true;
    ChannelPromise written = ctx.newPromise();
    ctx.writeAndFlush(CloseWebSocketFrame(*config_.sendCloseFrame), written);
    afterCloseSent(ctx, written);
  }
  if (pendingClose_.isValid()) {
    // A second close() while waiting: it completes with the first.
    pendingClose_.addListener([p = std::move(promise)](const ChannelFuture& f) {
      if (f.isSuccess()) {
        p.trySuccess();
      } else {
        p.tryFailure(f.cause());
      }
    });
    return;
  }
  pendingClose_ = std::move(promise);
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
  if (ctx_ == nullptr || !handshaker_->isHandshakeComplete() || closeSent_ || closeReceived_ ||
      closing_ || !ctx_->channel().isActive()) {
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

void WebSocketClientProtocolHandler::schedulePing() {
  if (config_.pingInterval.count() <= 0 || closeSent_ || ctx_ == nullptr) {
    return;
  }
  pingTimer_ = ctx_->executor().schedule(
      [this, alive = std::weak_ptr<bool>(alive_)]() {
        if (auto a = alive.lock(); a && *a) {
          sendKeepAlivePing();
        }
      },
      config_.pingInterval);
}

void WebSocketClientProtocolHandler::sendKeepAlivePing() {
  pingTimer_ = ScheduledFuture();
  if (ctx_ == nullptr || !ctx_->channel().isActive() || closeSent_) {
    return;
  }
  awaitingPong_ = true;
  ctx_->writeAndFlush(PingWebSocketFrame());
  pongTimer_ = ctx_->executor().schedule(
      [this, alive = std::weak_ptr<bool>(alive_)]() {
        if (auto a = alive.lock(); a && *a && awaitingPong_ && ctx_ != nullptr) {
          // The server is gone or stuck: a close frame would not be read, so TCP closes now.
          Log::log(LogLevel::Debug, "websocket", "{} no pong within {} ms, closing",
                   ctx_->channel().toString(), config_.pongTimeout.count());
          closeNow(*ctx_);
        }
      },
      config_.pongTimeout);
}

void WebSocketClientProtocolHandler::channelInactive(ChannelHandlerContext& ctx) {
  cancelTimers();
  completePings(false);
  if (handshakePromise_.isValid()) {
    handshakePromise_.tryFailure(Error(CoreErrc::ClosedChannel,
                                       "the connection closed before the WebSocket handshake "
                                       "completed"));
  }
  if (pendingClose_.isValid()) {
    // The server closed: the close the application asked for is done.
    ctx.close(std::exchange(pendingClose_, ChannelPromise()));
  }
  ctx.fireChannelInactive();
}

void WebSocketClientProtocolHandler::exceptionCaught(ChannelHandlerContext& ctx,
                                                     const Error& error) {
  if (error.code().category() == webSocketCategory()) {
    // The frame decoder has answered the server's violation with a close frame and closes the
    // connection once it is written (RFC 6455 7.1.7): the server's fault, not the
    // application's. The close that follows must not send another frame.
    closeSent_ = true;
    closing_ = true;
    cancelTimers();
    completePings(false);
    Log::log(LogLevel::Debug, "websocket", "{} {}", ctx.channel().toString(), error.message());
    return;
  }
  ctx.fireExceptionCaught(error);
  if (handshaker_->isHandshakeComplete() && !closing_) {
    closeNow(ctx);
  }
}

void WebSocketClientProtocolHandler::cancelTimers() noexcept {
  for (ScheduledFuture* timer : {&forceCloseTimer_, &pingTimer_, &pongTimer_}) {
    if (timer->isValid()) {
      timer->cancel();
      *timer = ScheduledFuture();
    }
  }
  awaitingPong_ = false;
}

}  // namespace sluice::websocket
