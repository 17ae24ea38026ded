#include "WebSocketKeepAlive.h"

#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/util/Log.h>

#include <utility>

#include "WebSocketCloseHandshake.h"

namespace sluice::websocket::detail {

WebSocketKeepAlive::WebSocketKeepAlive(std::chrono::milliseconds pingInterval,
                                       std::chrono::milliseconds pongTimeout,
                                       WebSocketCloseHandshake& closeHandshake)
    : pingInterval_(pingInterval), pongTimeout_(pongTimeout), closeHandshake_(closeHandshake) {}

WebSocketKeepAlive::~WebSocketKeepAlive() = default;

void WebSocketKeepAlive::answerPing(ChannelHandlerContext& ctx, WebSocketFrame& ping) {
  // RFC 6455 5.5.2: a ping is answered with a pong carrying the same application data,
  // unless a close frame has been sent (nothing may follow it, RFC 6455 5.5.1).
  if (!closeHandshake_.closeSent()) {
    ctx.writeAndFlush(PongWebSocketFrame(std::move(ping.content())));
  }
}

void WebSocketKeepAlive::onPong(ChannelHandlerContext& ctx) {
  if (!awaitingPong_) {
    return;
  }
  awaitingPong_ = false;
  if (pongTimer_.isValid()) {
    pongTimer_.cancel();
    pongTimer_ = ScheduledFuture();
  }
  schedulePing(ctx);
}

void WebSocketKeepAlive::schedulePing(ChannelHandlerContext& ctx) {
  if (pingInterval_.count() <= 0 || closeHandshake_.closeSent()) {
    return;
  }
  pingTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<bool>(alive_), c = &ctx]() {
        if (!alive.expired()) {
          sendPing(*c);
        }
      },
      pingInterval_);
}

void WebSocketKeepAlive::sendPing(ChannelHandlerContext& ctx) {
  pingTimer_ = ScheduledFuture();
  if (!ctx.channel().isActive() || closeHandshake_.closeSent()) {
    return;
  }
  awaitingPong_ = true;
  ctx.writeAndFlush(PingWebSocketFrame());
  pongTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<bool>(alive_), c = &ctx]() {
        if (!alive.expired() && awaitingPong_) {
          // The peer is gone or stuck: a close frame would not be read, so TCP closes now.
          Log::log(LogLevel::Debug, "websocket", "{} no pong within {} ms, closing",
                   c->channel().toString(), pongTimeout_.count());
          c->channel().closeReason().record(
              CloseInitiator::Timeout, fmt::format("pong timeout {} ms", pongTimeout_.count()));
          closeHandshake_.closeNow(*c);
        }
      },
      pongTimeout_);
}

void WebSocketKeepAlive::stop() noexcept {
  for (ScheduledFuture* timer : {&pingTimer_, &pongTimer_}) {
    if (timer->isValid()) {
      timer->cancel();
      *timer = ScheduledFuture();
    }
  }
  awaitingPong_ = false;
}

void WebSocketKeepAlive::detach() noexcept {
  stop();
  alive_.reset();
}

}  // namespace sluice::websocket::detail
