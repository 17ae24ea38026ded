#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketError.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <utility>

#include "WebSocketServerProtocolHandshakeHandler.h"

namespace sluice::websocket {

WebSocketServerProtocolHandler::WebSocketServerProtocolHandler(WebSocketServerProtocolConfig config)
    : config_(std::move(config)) {}

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
  cancelTimers();
  alive_.reset();
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
      // RFC 6455 5.5.2: a ping is answered with a pong carrying the same application data,
      // unless a close frame has been sent (nothing may follow it, RFC 6455 5.5.1).
      if (!closeSent_) {
        ctx.writeAndFlush(PongWebSocketFrame(std::move(frame.content())));
      }
      return;
    case WebSocketOpcode::Pong:
      if (awaitingPong_) {
        awaitingPong_ = false;
        if (pongTimer_.isValid()) {
          pongTimer_.cancel();
        }
        schedulePing(ctx);
      }
      if (config_.dropPongFrames) {
        return;
      }
      break;
    case WebSocketOpcode::Close:
      if (config_.handleCloseFrames) {
        onCloseFrame(ctx, msg.get<CloseWebSocketFrame>());
        return;
      }
      // The application answers it; what we know is that the peer's close frame is in, so
      // its answer closes at once instead of waiting for forceCloseTimeout.
      closeReceived_ = true;
      if (closeSent_) {
        ctx.fireChannelRead(std::move(msg));
        closeNow(ctx);  // the answer to ours: the server closes TCP (RFC 6455 7.1.1)
        return;
      }
      break;
    default:
      break;
  }
  ctx.fireChannelRead(std::move(msg));
}

void WebSocketServerProtocolHandler::onCloseFrame(ChannelHandlerContext& ctx,
                                                  CloseWebSocketFrame& frame) {
  closeReceived_ = true;
  if (closeSent_) {
    // The answer to our close frame: the closing handshake is complete, and the server
    // closes the TCP connection first (RFC 6455 7.1.1).
    closeNow(ctx);
    return;
  }
  // RFC 6455 5.5.1: answer with a close frame, typically echoing the status code received;
  // a close frame without a code is answered with one without a code.
  closeSent_ = true;
  const int code = frame.statusCode();
  CloseWebSocketFrame answer = code >= 0 && WebSocketCloseStatus::isValidStatusCode(code)
                                   ? CloseWebSocketFrame(code, {})
                                   : CloseWebSocketFrame();
  ctx.writeAndFlush(std::move(answer))
      .addListener([this, alive = std::weak_ptr<int>(alive_), c = &ctx](const ChannelFuture&) {
        if (!alive.expired()) {
          closeNow(*c);
        }
      });
}

void WebSocketServerProtocolHandler::closeNow(ChannelHandlerContext& ctx) {
  cancelTimers();
  closing_ = true;
  ChannelPromise promise = std::exchange(pendingClose_, ChannelPromise());
  if (promise.isValid() || promise.isVoid()) {
    ctx.close(std::move(promise));
  } else {
    ctx.close();
  }
}

void WebSocketServerProtocolHandler::write(ChannelHandlerContext& ctx, Message msg,
                                           ChannelPromise promise) {
  // A broadcast's frame arrives already encoded: ChannelGroup hands every member a share of
  // one EncodedMessage. It is a data frame all the same.
  const bool frame = msg.is<WebSocketFrame>();
  if (!handshaker_ || (!frame && !msg.isExactly<EncodedMessage>())) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  if (closeSent_) {
    // RFC 6455 5.5.1: no data frame may be sent after a close frame.
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "a close frame was already sent"));
    return;
  }
  if (frame && msg.is<CloseWebSocketFrame>()) {
    closeSent_ = true;
    ChannelPromise written = promise.isVoid() ? ctx.newPromise() : promise;
    ctx.write(std::move(msg), written);
    afterCloseSent(ctx, written);
    return;
  }
  ctx.write(std::move(msg), std::move(promise));
}

void WebSocketServerProtocolHandler::afterCloseSent(ChannelHandlerContext& ctx,
                                                    const ChannelFuture& written) {
  if (config_.forceCloseTimeout.count() <= 0 || closeReceived_) {
    // No wait, or none needed: the application's close frame answers the peer's (with
    // handleCloseFrames off), and the server closes TCP once it is written (RFC 6455 7.1.1).
    written.addListener([this, alive = std::weak_ptr<int>(alive_), c = &ctx](const ChannelFuture&) {
      if (!alive.expired()) {
        closeNow(*c);
      }
    });
    return;
  }
  // Wait for the peer's close frame, but not forever (RFC 6455 7.1.1).
  forceCloseTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<int>(alive_), c = &ctx]() {
        if (!alive.expired() && c->channel().isOpen()) {
          Log::log(LogLevel::Debug, "websocket", "{} no close frame from the peer in time",
                   c->channel().toString());
          closeNow(*c);
        }
      },
      config_.forceCloseTimeout);
}

void WebSocketServerProtocolHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (!handshaker_ || closing_ || closeReceived_ || !ctx.channel().isActive()) {
    ctx.close(std::move(promise));
    return;
  }
  if (!closeSent_) {
    if (!config_.sendCloseFrame) {
      ctx.close(std::move(promise));
      return;
    }
    // The application closes without a close frame: send one first (RFC 6455 7.1.2 starts
    // the closing handshake with it), then wait for the answer as after a written one.
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

void WebSocketServerProtocolHandler::userEventTriggered(ChannelHandlerContext& ctx, Message event) {
  if (event.is<HandshakeComplete>()) {
    schedulePing(ctx);
  }
  ctx.fireUserEventTriggered(std::move(event));
}

void WebSocketServerProtocolHandler::schedulePing(ChannelHandlerContext& ctx) {
  if (config_.pingInterval.count() <= 0 || closeSent_) {
    return;
  }
  pingTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<int>(alive_), c = &ctx]() {
        if (!alive.expired()) {
          sendPing(*c);
        }
      },
      config_.pingInterval);
}

void WebSocketServerProtocolHandler::sendPing(ChannelHandlerContext& ctx) {
  if (!ctx.channel().isActive() || closeSent_) {
    return;
  }
  awaitingPong_ = true;
  ctx.writeAndFlush(PingWebSocketFrame());
  pongTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<int>(alive_), c = &ctx]() {
        if (!alive.expired() && awaitingPong_) {
          // The peer is gone or stuck: a close frame would not be read, so TCP closes now.
          Log::log(LogLevel::Debug, "websocket", "{} no pong within {} ms, closing",
                   c->channel().toString(), config_.pongTimeout.count());
          closeNow(*c);
        }
      },
      config_.pongTimeout);
}

void WebSocketServerProtocolHandler::channelInactive(ChannelHandlerContext& ctx) {
  cancelTimers();
  if (pendingClose_.isValid()) {
    // The peer closed first: the close the application asked for is done.
    ctx.close(std::exchange(pendingClose_, ChannelPromise()));
  }
  ctx.fireChannelInactive();
}

void WebSocketServerProtocolHandler::exceptionCaught(ChannelHandlerContext& ctx,
                                                     const Error& error) {
  if (error.code().category() == webSocketCategory()) {
    // The frame decoder has answered the peer's violation with a close frame and closes the
    // connection once it is written: the peer's fault, not the application's. The closing
    // handshake is over from this side; the close that follows must not send another frame.
    closeSent_ = true;
    closing_ = true;
    cancelTimers();
    Log::log(LogLevel::Debug, "websocket", "{} {}", ctx.channel().toString(), error.message());
    return;
  }
  ctx.fireExceptionCaught(error);
  if (handshaker_) {
    closeNow(ctx);
  }
}

void WebSocketServerProtocolHandler::cancelTimers() noexcept {
  for (ScheduledFuture* timer : {&forceCloseTimer_, &pingTimer_, &pongTimer_}) {
    if (timer->isValid()) {
      timer->cancel();
      *timer = ScheduledFuture();
    }
  }
  awaitingPong_ = false;
}

}  // namespace sluice::websocket
