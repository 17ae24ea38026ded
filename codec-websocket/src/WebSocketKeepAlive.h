#pragma once

#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <chrono>
#include <memory>

namespace sluice::websocket::detail {

class WebSocketCloseHandshake;

/// The ping and pong half of WebSocketServerProtocolHandler and
/// WebSocketClientProtocolHandler: answers the peer's pings (RFC 6455 5.5.2, 5.5.3) and, with a
/// pingInterval, sends a ping that long after the handshake or the last answered one; a ping
/// not answered within pongTimeout means the peer is gone or stuck, and the channel closes at
/// once (a close frame would not be read). No ping or pong follows a close frame.
///
/// Owned by its handler (one per channel), next to the WebSocketCloseHandshake it asks whether
/// a close frame was sent and closes the channel through. Callbacks it schedules hold it
/// weakly and end with detach().
/// Thread: the channel's loop.
class WebSocketKeepAlive {
 public:
  WebSocketKeepAlive(std::chrono::milliseconds pingInterval, std::chrono::milliseconds pongTimeout,
                     WebSocketCloseHandshake& closeHandshake);
  ~WebSocketKeepAlive();

  WebSocketKeepAlive(const WebSocketKeepAlive&) = delete;
  WebSocketKeepAlive& operator=(const WebSocketKeepAlive&) = delete;

  /// Answers the peer's ping with a pong carrying its application data.
  void answerPing(ChannelHandlerContext& ctx, WebSocketFrame& ping);
  /// Starts the pings once the opening handshake is done (none without a pingInterval).
  void start(ChannelHandlerContext& ctx) { schedulePing(ctx); }
  /// A pong arrived: if it answers the keep-alive ping, the next one is scheduled.
  void onPong(ChannelHandlerContext& ctx);
  /// Stops the pings and the wait for a pong.
  void stop() noexcept;
  /// Stops and ends every callback still to come (the handler is removed).
  void detach() noexcept;

 private:
  void schedulePing(ChannelHandlerContext& ctx);
  void sendPing(ChannelHandlerContext& ctx);

  const std::chrono::milliseconds pingInterval_;
  const std::chrono::milliseconds pongTimeout_;
  WebSocketCloseHandshake& closeHandshake_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // callbacks hold it weakly
  ScheduledFuture pingTimer_;
  ScheduledFuture pongTimer_;
  bool awaitingPong_ = false;
};

}  // namespace sluice::websocket::detail
