#include "WebSocketCloseHandshake.h"

#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/util/Log.h>

#include <utility>

namespace sluice::websocket::detail {

WebSocketCloseHandshake::WebSocketCloseHandshake(Side side,
                                                 std::chrono::milliseconds forceCloseTimeout,
                                                 std::function<void()> stopPings)
    : side_(side), forceCloseTimeout_(forceCloseTimeout), stopPings_(std::move(stopPings)) {}

WebSocketCloseHandshake::~WebSocketCloseHandshake() = default;

void WebSocketCloseHandshake::onCloseFrame(ChannelHandlerContext& ctx,
                                           const CloseWebSocketFrame& frame) {
  closeReceived_ = true;
  if (closeSent_) {
    // The answer to our close frame: the closing handshake is complete. RFC 6455 7.1.1: the
    // server closes the TCP connection first; the client leaves it to the server, within the
    // timer armed when its close frame was sent.
    if (side_ == Side::Server || forceCloseTimeout_.count() <= 0 || drained_) {
      closeNow(ctx);
    }
    return;
  }
  // RFC 6455 5.5.1: answer with a close frame, typically echoing the status code received;
  // a close frame without a code is answered with one without a code.
  const int code = frame.statusCode();
  CloseWebSocketFrame answer = code >= 0 && WebSocketCloseStatus::isValidStatusCode(code)
                                   ? CloseWebSocketFrame(code, {})
                                   : CloseWebSocketFrame();
  writeClose(ctx, std::move(answer), ctx.newPromise(), true);
}

void WebSocketCloseHandshake::write(ChannelHandlerContext& ctx, Message msg,
                                    ChannelPromise promise) {
  if (closeSent_) {
    // RFC 6455 5.5.1: no data frame may be sent after a close frame.
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "a close frame was already sent"));
    return;
  }
  if (msg.is<WebSocketFrame>() && msg.is<CloseWebSocketFrame>()) {
    ChannelPromise written = promise.isVoid() ? ctx.newPromise() : std::move(promise);
    writeClose(ctx, std::move(msg), std::move(written), false);
    return;
  }
  ctx.write(std::move(msg), std::move(promise));
}

void WebSocketCloseHandshake::close(ChannelHandlerContext& ctx, ChannelPromise promise,
                                    const std::optional<WebSocketCloseStatus>& sendCloseFrame) {
  // After a drain's close frame, the drain owns the timing: a close() is its deadline (or
  // the application giving up on the peer's answer), and closes at once.
  if (closing_ || closeReceived_ || drained_ || !ctx.channel().isActive()) {
    ctx.close(std::move(promise));
    return;
  }
  if (!closeSent_) {
    if (!sendCloseFrame) {
      ctx.close(std::move(promise));
      return;
    }
    // The application closes without a close frame: send one first (RFC 6455 7.1.2 starts
    // the closing handshake with it), then wait for the peer as after a written one.
    writeClose(ctx, CloseWebSocketFrame(*sendCloseFrame), ctx.newPromise(), true);
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

void WebSocketCloseHandshake::writeClose(ChannelHandlerContext& ctx, Message frame,
                                         ChannelPromise written, bool flush) {
  closeSent_ = true;
  if (flush) {
    ctx.writeAndFlush(std::move(frame), written);
  } else {
    ctx.write(std::move(frame), written);
  }
  afterCloseSent(ctx, written);
}

void WebSocketCloseHandshake::afterCloseSent(ChannelHandlerContext& ctx,
                                             const ChannelFuture& written) {
  if (side_ == Side::Client) {
    // No keep-alive ping may follow the client's close frame. (The server's pings stop too,
    // but a pong it awaits still bounds the wait: a peer that answers neither is gone.)
    stopPings_();
  }
  // RFC 6455 7.1.1: the server closes TCP once both close frames are exchanged, so its answer
  // to the peer's closes once written; the client waits for the server to close it.
  if (forceCloseTimeout_.count() <= 0 || (side_ == Side::Server && closeReceived_)) {
    written.addListener(
        [this, alive = std::weak_ptr<bool>(alive_), c = &ctx](const ChannelFuture&) {
          if (!alive.expired()) {
            closeNow(*c);
          }
        });
    return;
  }
  // Wait for the peer (its close frame, or on the client the server's closing TCP), but not
  // forever (RFC 6455 7.1.1).
  forceCloseTimer_ = ctx.executor().schedule(
      [this, alive = std::weak_ptr<bool>(alive_), c = &ctx]() {
        if (!alive.expired() && c->channel().isOpen()) {
          c->channel().closeReason().record(
              CloseInitiator::Timeout,
              fmt::format("close handshake timeout {} ms", forceCloseTimeout_.count()));
          if (side_ == Side::Server) {
            Log::log(LogLevel::Debug, "websocket", "{} no close frame from the peer in time",
                     c->channel().toString());
          } else {
            Log::log(LogLevel::Debug, "websocket", "{} the server did not close in {} ms, closing",
                     c->channel().toString(), forceCloseTimeout_.count());
          }
          closeNow(*c);
        }
      },
      forceCloseTimeout_);
}

void WebSocketCloseHandshake::closeNow(ChannelHandlerContext& ctx) {
  // Unless a failure, a timeout, a drain or the peer's close frame explains it, the close is
  // the application's: it sent the close frame (or closed) first.
  ctx.channel().closeReason().record(CloseInitiator::Application);
  stopPings_();
  cancelTimer();
  closing_ = true;
  ChannelPromise promise = std::exchange(pendingClose_, ChannelPromise());
  if (promise.isValid() || promise.isVoid()) {
    ctx.close(std::move(promise));
  } else {
    ctx.close();
  }
}

bool WebSocketCloseHandshake::drain(ChannelHandlerContext& ctx) {
  if (closing_ || closeSent_ || closeReceived_ || !ctx.channel().isActive()) {
    return false;  // the closing handshake is under way (whoever started it): it ends the
                   // connection
  }
  ctx.channel().closeReason().record(CloseInitiator::Shutdown, "drain");
  drained_ = true;
  writeClose(ctx, CloseWebSocketFrame(WebSocketCloseStatus::kEndpointUnavailable, "going away"),
             ctx.newPromise(), true);
  return true;
}

void WebSocketCloseHandshake::onDecoderClose() noexcept {
  closeSent_ = true;
  closing_ = true;
  stopPings_();
  cancelTimer();
}

void WebSocketCloseHandshake::channelInactive(ChannelHandlerContext& ctx) {
  cancelTimer();
  if (pendingClose_.isValid()) {
    // The peer closed first: the close the application asked for is done.
    ctx.close(std::exchange(pendingClose_, ChannelPromise()));
  }
}

void WebSocketCloseHandshake::cancelTimer() noexcept {
  if (forceCloseTimer_.isValid()) {
    forceCloseTimer_.cancel();
    forceCloseTimer_ = ScheduledFuture();
  }
}

void WebSocketCloseHandshake::detach() noexcept {
  cancelTimer();
  alive_.reset();
}

}  // namespace sluice::websocket::detail
