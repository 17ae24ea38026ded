#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/http/HttpHeaders.h>
#include <sluice/websocket/WebSocketServerHandshaker.h>
#include <sluice/websocket/WebSocketServerProtocolConfig.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::websocket {

namespace detail {
class WebSocketCloseHandshake;
class WebSocketKeepAlive;
class WebSocketServerProtocolHandshakeHandler;
}  // namespace detail

/// Runs a WebSocket server's protocol for the application (Netty's
/// WebSocketServerProtocolHandler): the opening handshake, pings, pongs and the closing
/// handshake, so that the handler after it sees only the frames it cares about.
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(65536);
/// p.addLast<sluice::websocket::WebSocketServerProtocolHandler>("/ws");
/// p.addLast<MyFrameHandler>();  // a SimpleChannelInboundHandler<TextWebSocketFrame>
/// ```
///
/// Opening handshake. When added, it puts a handshake handler before itself. A
/// FullHttpRequest for websocketPath (see checkStartsWith) is upgraded: it must be a valid
/// RFC 6455 handshake (405 for another method, 400 for a missing or bad Upgrade, Connection,
/// Host or Sec-WebSocket-Key, or a request that is no upgrade at all, 426 with
/// "Sec-WebSocket-Version: 13" for another version), come from an allowed Origin (403), and
/// be accepted by the authorizer. A refusal is answered with "Connection: close" and the
/// connection closes. Requests for other paths pass to the next handler untouched.
/// On success WebSocketServerHandshaker13 writes the 101 and switches the pipeline (see
/// WebSocketServerHandshaker), then the handshake handler removes itself and fires
/// ServerHandshakeStateEvent::HandshakeComplete and a HandshakeComplete event, before any
/// frame the client sent after its request reaches the application. A handshake that does
/// not finish within handshakeTimeout fires ServerHandshakeStateEvent::HandshakeTimeout and
/// closes the connection.
///
/// After the handshake:
/// - a ping is answered with a pong carrying its payload (RFC 6455 5.5.2, 5.5.3) and
///   consumed; pongs are dropped when dropPongFrames;
/// - a received close frame (handleCloseFrames) is answered with a close frame with the same
///   status code (none if it had none; RFC 6455 5.5.1), then the connection closes: the
///   server closes TCP first (RFC 6455 7.1.1);
/// - when the application writes a close frame, or closes the channel (a close frame with
///   sendCloseFrame's status is sent first), the connection closes once the peer's close
///   frame arrives, or after forceCloseTimeout; frames written after the close frame fail
///   with CoreErrc::ClosedChannel;
/// - with pingInterval, pings keep the connection checked (see the config);
/// - a drain (DrainEvent) is marked handled and answered with close 1001 (Going Away, reason
///   "going away"), then the closing handshake runs as above: the connection closes when the
///   peer's close frame arrives, or after forceCloseTimeout. The event is passed on. A drain
///   before the handshake is the HTTP codec's (see HttpServerCodec), except while the
///   authorizer decides: then the close 1001 follows the handshake;
/// - protocol errors the frame decoder reports (WebSocketErrc: 1002, 1007, 1009) have already
///   been answered with a close frame and the connection is closing; they are logged at
///   debug level and not passed on. Other errors are passed on and close the connection.
///
/// Thread: the channel's loop. Not sharable: one per channel (the initializer makes it).
class WebSocketServerProtocolHandler : public ChannelDuplexHandler {
 public:
  /// The event fired once the handshake succeeded (Netty's HandshakeComplete).
  class HandshakeComplete {
   public:
    HandshakeComplete(std::string requestUri, http::HttpHeaders requestHeaders,
                      std::optional<std::string> selectedSubprotocol)
        : requestUri_(std::move(requestUri)),
          requestHeaders_(std::move(requestHeaders)),
          selectedSubprotocol_(std::move(selectedSubprotocol)) {}

    /// The upgrade request's URI ("/ws?room=1").
    const std::string& requestUri() const noexcept { return requestUri_; }
    /// The upgrade request's headers (cookies, Authorization, Origin...).
    const http::HttpHeaders& requestHeaders() const noexcept { return requestHeaders_; }
    /// The subprotocol selected, if any.
    const std::optional<std::string>& selectedSubprotocol() const noexcept {
      return selectedSubprotocol_;
    }

   private:
    std::string requestUri_;
    http::HttpHeaders requestHeaders_;
    std::optional<std::string> selectedSubprotocol_;
  };

  /// Handshake events (Netty's ServerHandshakeStateEvent), fired as user events.
  enum class ServerHandshakeStateEvent {
    /// The handshake succeeded; a HandshakeComplete event follows with its details.
    HandshakeComplete,
    /// The handshake did not complete in time; the connection is being closed.
    HandshakeTimeout,
  };

  explicit WebSocketServerProtocolHandler(WebSocketServerProtocolConfig config);
  /// Upgrades `websocketPath` with the default settings.
  explicit WebSocketServerProtocolHandler(std::string websocketPath);
  WebSocketServerProtocolHandler(std::string websocketPath, std::vector<std::string> subprotocols);
  ~WebSocketServerProtocolHandler() override;

  const WebSocketServerProtocolConfig& config() const noexcept { return config_; }
  /// The handshaker of the completed handshake, or null before it.
  WebSocketServerHandshaker* handshaker() const noexcept { return handshaker_.get(); }

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void close(ChannelHandlerContext& ctx, ChannelPromise promise) override;

 private:
  friend class detail::WebSocketServerProtocolHandshakeHandler;

  void onHandshakeComplete(std::unique_ptr<WebSocketServerHandshaker> handshaker);

  WebSocketServerProtocolConfig config_;
  std::unique_ptr<WebSocketServerHandshaker> handshaker_;
  std::unique_ptr<detail::WebSocketCloseHandshake> closeHandshake_;
  std::unique_ptr<detail::WebSocketKeepAlive> keepAlive_;
  bool drainAfterHandshake_ = false;  // drained while the authorizer decided
};

}  // namespace sluice::websocket
