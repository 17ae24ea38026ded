#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/concurrent/Future.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/websocket/WebSocketClientHandshaker.h>
#include <sluice/websocket/WebSocketClientProtocolConfig.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::websocket {

namespace detail {
class WebSocketCloseHandshake;
class WebSocketKeepAlive;
class WebSocketClientProtocolHandshakeHandler;
}  // namespace detail

/// Runs a WebSocket client's protocol for the application (Netty's
/// WebSocketClientProtocolHandler): the opening handshake, pings, pongs and the closing
/// handshake, so that the handler after it sees only the frames it cares about.
///
/// ```cpp
/// p.addLast<sluice::http::HttpClientCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(8192);
/// p.addLast<sluice::websocket::WebSocketClientProtocolHandler>(
///     WebSocketClientProtocolConfig{.webSocketUri = "ws://127.0.0.1:8080/ws"});
/// p.addLast<MyFrameHandler>();  // a SimpleChannelInboundHandler<TextWebSocketFrame>
/// ```
///
/// Opening handshake. When the channel becomes active (or at once, if it already is), the
/// handler's WebSocketClientHandshaker writes the upgrade request and the handler fires
/// ClientHandshakeStateEvent::HandshakeIssued. The FullHttpResponse that answers it is
/// checked (RFC 6455 4.1: 101, Upgrade, Connection, Sec-WebSocket-Accept, subprotocol and
/// extensions); on success the pipeline switches to frames, handshakeFuture() succeeds and
/// ClientHandshakeStateEvent::HandshakeComplete is fired, before any frame the server sent
/// right after its 101 reaches the application. A refused or invalid answer fails
/// handshakeFuture() with a WebSocketHandshakeErrc error (passed to exceptionCaught too) and
/// closes the connection; no answer within handshakeTimeout fires HandshakeTimeout and
/// closes it. Frames written before the handshake completes fail with
/// CoreErrc::IllegalState.
///
/// After the handshake:
/// - a ping is answered with a pong carrying its payload (RFC 6455 5.5.2, 5.5.3) and
///   consumed; pongs are dropped when dropPongFrames (ping() sees them first);
/// - a received close frame (handleCloseFrames) is answered with a close frame with the same
///   status code, then the handler waits for the server to close TCP (RFC 6455 7.1.1) and
///   closes it itself after forceCloseTimeout;
/// - when the application writes a close frame, or closes the channel (a close frame with
///   sendCloseFrame's status is sent first), the channel closes once the server's close frame
///   has arrived and the server closed TCP, or after forceCloseTimeout; frames written after
///   the close frame fail with CoreErrc::ClosedChannel;
/// - with pingInterval, pings keep the connection checked (see the config);
/// - protocol errors the frame decoder reports (WebSocketErrc: 1002, 1007, 1009) have already
///   been answered with a close frame; they are logged at debug level and not passed on;
/// - a drain (DrainEvent) is marked handled and answered with close 1001 (Going Away, reason
///   "going away"); the channel closes when the server's close frame answers it (a draining
///   client does not wait for the server's TCP close) or after forceCloseTimeout. The event
///   is passed on. Before the handshake completes, the drain is not handled here: the
///   channel closes at once.
///
/// Thread: the channel's loop, except where a method says otherwise. Not sharable: one per
/// channel.
class WebSocketClientProtocolHandler : public ChannelDuplexHandler {
 public:
  /// Handshake events (Netty's ClientHandshakeStateEvent), fired as user events.
  enum class ClientHandshakeStateEvent {
    /// The upgrade request was written.
    HandshakeIssued,
    /// The server accepted the upgrade; frames may be written.
    HandshakeComplete,
    /// No answer came within handshakeTimeout; the connection is being closed.
    HandshakeTimeout,
  };

  /// A handler with a WebSocketClientHandshaker13 made from `config`.
  explicit WebSocketClientProtocolHandler(WebSocketClientProtocolConfig config);
  /// A handler running `handshaker` (for a handshaker of the application's own); the
  /// config's handshake settings (URI, subprotocols, headers...) are then unused.
  WebSocketClientProtocolHandler(std::unique_ptr<WebSocketClientHandshaker> handshaker,
                                 WebSocketClientProtocolConfig config = {});
  ~WebSocketClientProtocolHandler() override;

  const WebSocketClientProtocolConfig& config() const noexcept { return config_; }
  WebSocketClientHandshaker& handshaker() noexcept { return *handshaker_; }
  const WebSocketClientHandshaker& handshaker() const noexcept { return *handshaker_; }

  /// Completes when the handshake succeeded, or fails with why it did not (refusal,
  /// timeout, the connection closing first: CoreErrc::ClosedChannel). Valid once the handler
  /// is in a pipeline (invalid before). Thread: any.
  ChannelFuture handshakeFuture() const;

  /// Sends a ping and completes with true when a pong arrives within `timeout`, false when
  /// none does, the connection closes first, or the handshake has not completed. For health
  /// checks (see webSocketPingHealthCheck). Thread: any (it hops to the loop).
  Future<bool> ping(std::chrono::milliseconds timeout);

  /// Whether the application ended the connection: it wrote a close frame or closed the
  /// channel before the server sent a close frame. WebSocketClient reconnects only when it
  /// did not.
  bool closedByApplication() const noexcept { return closedByApplication_; }
  /// The status of the close frame the server sent, if one arrived.
  const std::optional<WebSocketCloseStatus>& receivedCloseStatus() const noexcept {
    return receivedCloseStatus_;
  }

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelActive(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override;
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void close(ChannelHandlerContext& ctx, ChannelPromise promise) override;

 private:
  friend class detail::WebSocketClientProtocolHandshakeHandler;

  struct PendingPing {
    Promise<bool> result;
    ScheduledFuture timer;
  };
  struct NoHandshaker {};

  // The public constructors' common part; they set handshaker_.
  WebSocketClientProtocolHandler(WebSocketClientProtocolConfig config, NoHandshaker);

  void onHandshakeComplete();
  void pingOnLoop(const Promise<bool>& result, std::chrono::milliseconds timeout);
  void completePings(bool answered);

  WebSocketClientProtocolConfig config_;
  std::unique_ptr<WebSocketClientHandshaker> handshaker_;
  std::unique_ptr<detail::WebSocketCloseHandshake> closeHandshake_;
  std::unique_ptr<detail::WebSocketKeepAlive> keepAlive_;
  std::optional<WebSocketCloseStatus> receivedCloseStatus_;
  bool closedByApplication_ = false;
  ChannelHandlerContext* ctx_ = nullptr;
  detail::WebSocketClientProtocolHandshakeHandler* handshakeHandler_ = nullptr;
  ChannelPromise handshakePromise_;
  // ping()'s callbacks hold it weakly; it is made once and never reassigned, so ping() may
  // copy it from any thread.
  const std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::vector<PendingPing> pings_;   // ping() calls waiting for a pong
  std::string receivedCloseReason_;  // receivedCloseStatus_'s reason text points here
};

}  // namespace sluice::websocket
