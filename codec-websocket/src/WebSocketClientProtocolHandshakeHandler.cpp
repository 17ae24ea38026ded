#include "WebSocketClientProtocolHandshakeHandler.h"

#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/http/HttpObject.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketHandshakeError.h>

#include <utility>

#include "WebSocketMetrics.h"

namespace sluice::websocket::detail {

using Event = WebSocketClientProtocolHandler::ClientHandshakeStateEvent;

WebSocketClientProtocolHandshakeHandler::WebSocketClientProtocolHandshakeHandler(
    WebSocketClientProtocolHandler& owner)
    : owner_(owner) {}

WebSocketClientProtocolHandshakeHandler::~WebSocketClientProtocolHandshakeHandler() = default;

void WebSocketClientProtocolHandshakeHandler::handlerAdded(ChannelHandlerContext& ctx) {
  ctx_ = &ctx;
  if (ctx.channel().isActive()) {
    // Added to a connected channel: handshake once the handlers added with this one (the
    // application's, after it) are in place to hear the events.
    ctx.executor().execute([this, alive = std::weak_ptr<int>(alive_)]() {
      if (!alive.expired() && ctx_ != nullptr && ctx_->channel().isActive()) {
        startHandshake(*ctx_);
      }
    });
  }
}

void WebSocketClientProtocolHandshakeHandler::handlerRemoved(ChannelHandlerContext& ctx) {
  (void)ctx;
  cancelTimeout();
  if (owner_.handshakeHandler_ == this) {
    owner_.handshakeHandler_ = nullptr;
  }
  ctx_ = nullptr;
  alive_.reset();
}

void WebSocketClientProtocolHandshakeHandler::channelActive(ChannelHandlerContext& ctx) {
  ctx.fireChannelActive();
  if (ctx_ != nullptr) {
    startHandshake(ctx);
  }
}

void WebSocketClientProtocolHandshakeHandler::startHandshake(ChannelHandlerContext& ctx) {
  if (state_ != State::Idle) {
    return;
  }
  state_ = State::Issued;
  const WebSocketClientProtocolConfig& config = owner_.config();
  if (config.handshakeTimeout.count() > 0) {
    timeout_ = ctx.executor().schedule(
        [this, alive = std::weak_ptr<int>(alive_)]() {
          if (!alive.expired()) {
            onTimeout();
          }
        },
        config.handshakeTimeout);
  }
  ChannelFuture written = owner_.handshaker().handshake(ctx.channel());
  written.addListener([this, alive = std::weak_ptr<int>(alive_)](const ChannelFuture& f) {
    if (alive.expired() || ctx_ == nullptr) {
      return;
    }
    if (f.isSuccess()) {
      if (state_ == State::Issued) {
        ctx_->fireUserEventTriggered(Event::HandshakeIssued);
      }
      return;
    }
    if (state_ == State::Issued) {
      fail(*ctx_, f.cause());
    }
  });
}

void WebSocketClientProtocolHandshakeHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (state_ == State::Failed || state_ == State::Done) {
    // A refused upgrade: what follows the refusal (its body's rest, or frames of a server
    // that switched anyway) belongs to nobody; the connection is closing.
    return;
  }
  const auto* response = msg.getIf<http::FullHttpResponse>();
  if (response == nullptr) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  const int code = response->status().code();
  if (code >= 100 && code < 200 && code != 101) {
    // An interim response (RFC 9110 15.2): the final one follows.
    return;
  }
  if (state_ == State::Idle) {
    // A response to no request of ours; the handshake cannot be trusted to follow.
    fail(ctx, Error(make_error_code(WebSocketHandshakeErrc::InvalidUpgradeResponse),
                    "a response arrived before the upgrade request was sent"));
    return;
  }
  if (Error error = owner_.handshaker().finishHandshake(ctx.channel(), *response)) {
    Log::log(LogLevel::Debug, "websocket", "{} WebSocket handshake refused: {}",
             ctx.channel().toString(), error.message());
    fail(ctx, error, true);
    return;
  }
  state_ = State::Done;
  cancelTimeout();
  owner_.onHandshakeComplete();
  owner_.handshakePromise_.trySuccess();
  ctx.fireUserEventTriggered(Event::HandshakeComplete);
  if (!ctx.isRemoved()) {
    ctx.pipeline().remove(*this);
  }
}

void WebSocketClientProtocolHandshakeHandler::fail(ChannelHandlerContext& ctx, const Error& error,
                                                   bool counted) {
  if (!counted) {
    countHandshakeFailure(error);
  }
  ctx.channel().closeReason().record(CloseInitiator::Protocol,
                                     "WebSocket handshake: " + error.message(), error);
  state_ = State::Failed;
  cancelTimeout();
  owner_.handshakePromise_.tryFailure(error);
  ctx.fireExceptionCaught(error);
  ctx.close();
}

void WebSocketClientProtocolHandshakeHandler::onTimeout() {
  if (state_ != State::Issued || ctx_ == nullptr) {
    return;
  }
  state_ = State::Failed;
  timeout_ = ScheduledFuture();
  ChannelHandlerContext& ctx = *ctx_;
  const std::chrono::milliseconds limit = owner_.config().handshakeTimeout;
  Log::log(LogLevel::Debug, "websocket", "{} WebSocket handshake timed out after {} ms",
           ctx.channel().toString(), limit.count());
  const Error error(make_error_code(WebSocketHandshakeErrc::HandshakeTimeout),
                    fmt::format("the WebSocket handshake timed out after {} ms", limit.count()));
  countHandshakeFailure(error);
  ctx.channel().closeReason().record(CloseInitiator::Timeout,
                                     fmt::format("handshake timeout {} ms", limit.count()));
  ctx.fireUserEventTriggered(Event::HandshakeTimeout);
  owner_.handshakePromise_.tryFailure(error);
  ctx.close();
}

void WebSocketClientProtocolHandshakeHandler::cancelTimeout() noexcept {
  if (timeout_.isValid()) {
    timeout_.cancel();
    timeout_ = ScheduledFuture();
  }
}

}  // namespace sluice::websocket::detail
