#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/concurrent/Future.h>
#include <sluice/transport/ChannelPool.h>
#include <sluice/websocket/WebSocketClientConfig.h>

#include <chrono>
#include <memory>
#include <string_view>

namespace sluice {
class UvEventLoopGroup;
}  // namespace sluice

namespace sluice::websocket {

/// Opens WebSocket connections by itself (no Bootstrap or initializer to write), and keeps
/// them open when asked:
///
/// ```cpp
/// sluice::UvEventLoopGroup group(1);
/// WebSocketClient client(group, WebSocketClientConfig{
///     .initChannel = [](ChannelPipeline& p) { p.addLast<PrintingHandler>(); },
/// });
/// ChannelPtr ch = client.connect("ws://127.0.0.1:8080/ws").get();  // handshake done
/// ch->writeAndFlush(TextWebSocketFrame("hello"));
/// ```
///
/// Each channel's pipeline is HttpClientCodec, HttpObjectAggregator
/// (maxHandshakeResponseLength), WebSocketClientProtocolHandler (the config's protocol
/// settings with the URL), then what initChannel adds. After the handshake the HTTP
/// handlers are gone and frames flow (see WebSocketClientProtocolHandler).
///
/// Reconnect. With `reconnect.enabled`, a connection made by connect() is kept: when it
/// drops — the server closed it, restarted, went silent past pongTimeout (with
/// pingInterval), or the network failed — the client connects again after a backoff with
/// jitter (WebSocketReconnectConfig), re-running the handshake; initChannel gives the new
/// channel fresh handlers, and onEvent reports every step (WebSocketClientEvent). Failed
/// first attempts are retried the same way. A connection the application ended itself
/// (it wrote a close frame or closed the channel; see
/// WebSocketClientProtocolHandler::closedByApplication) is not reconnected, nor is any after
/// close().
///
/// wss:// URLs put an SslHandler first (WebSocketClientConfig::sslContext; by default the
/// server's certificate chain and host name are verified against the system's trust store).
/// A refused certificate fails connect() with its SslErrc (CertificateVerifyFailed,
/// HostnameMismatch).
///
/// The client must outlive its connections' events, and the group must outlive the client.
/// Destroying the client closes its connections (as close() does) without waiting.
/// Thread: any.
class WebSocketClient {
 public:
  explicit WebSocketClient(UvEventLoopGroup& group, WebSocketClientConfig config = {});
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  const WebSocketClientConfig& config() const noexcept;

  /// Connects to `url` ("ws://host[:port]/path[?query]" or "wss://...") and runs the TLS
  /// and opening handshakes.
  /// The future completes with the channel once the handshake succeeded, or fails with why
  /// the connection could not be made: an invalid URL (std::errc::invalid_argument), the
  /// resolver's or TCP's error, a refused handshake (WebSocketHandshakeErrc, its message
  /// naming the server's status), a timeout. With reconnect, failed attempts are retried
  /// and the future fails only once the client gives up or is closed.
  Future<ChannelPtr> connect(std::string_view url);

  /// Stops reconnecting, closes every connection (a close frame with the config's
  /// sendCloseFrame status, then the closing handshake) and completes when all are closed.
  Future<void> close();

  /// A pool of WebSocket connections to `url` (see ChannelPool), built with this client's
  /// settings (reconnect aside: a pool replaces dead connections instead). A new connection
  /// is handed out once its handshake completed; an idle one only after a ping to it was
  /// answered within `pingTimeout` (webSocketPingHealthCheck), so dead ones are dropped on
  /// acquire. Throws std::invalid_argument on an invalid URL.
  std::unique_ptr<ChannelPool> newChannelPool(
      std::string_view url, ChannelPoolConfig poolConfig = {},
      std::chrono::milliseconds pingTimeout = std::chrono::seconds(5));

 private:
  struct Shared;
  struct Connection;
  std::shared_ptr<Shared> shared_;
};

}  // namespace sluice::websocket
