#pragma once

#include <sluice/handler/ssl/SslContext.h>
#include <sluice/transport/ChannelOptions.h>
#include <sluice/websocket/WebSocketClientEvent.h>
#include <sluice/websocket/WebSocketClientProtocolConfig.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace sluice {
class ChannelPipeline;
}  // namespace sluice

namespace sluice::websocket {

/// When and how fast a WebSocketClient reconnects a connection that dropped: exponential
/// backoff with jitter. The n-th retry waits `min(maxDelay, initialDelay * multiplier^(n-1))`,
/// less a random share of up to `jitter` of it, so that clients dropped together by a
/// server restart do not come back in one wave.
struct WebSocketReconnectConfig {
  /// Off by default: a dropped connection stays dropped.
  bool enabled = false;
  /// The wait before the first retry.
  std::chrono::milliseconds initialDelay{500};
  /// The longest wait between retries.
  std::chrono::milliseconds maxDelay{30000};
  /// How much each wait grows over the previous one.
  double multiplier = 2.0;
  /// The share (0..1) of each wait that is randomised away: 0.5 waits between half and all
  /// of it.
  double jitter = 0.5;
  /// Attempts in a row before giving up (a Closed event; connect()'s future fails if no
  /// attempt ever succeeded); 0: never give up.
  std::size_t maxAttempts = 0;
};

/// Settings of a WebSocketClient, with designated initializers:
///
/// ```cpp
/// WebSocketClient client(group, WebSocketClientConfig{
///     .protocol = {.subprotocols = {"chat.v1"}},
///     .initChannel = [](ChannelPipeline& p) { p.addLast<MyFrameHandler>(); },
///     .reconnect = {.enabled = true},
/// });
/// ```
struct WebSocketClientConfig {
  /// The handshake and protocol settings; connect()'s URL replaces webSocketUri.
  WebSocketClientProtocolConfig protocol{};
  /// Adds the application's handlers to each new channel, after the WebSocket handlers
  /// (HttpClientCodec, HttpObjectAggregator, WebSocketClientProtocolHandler). It runs on
  /// the channel's loop, once per connection: a reconnect gets fresh handlers.
  std::function<void(ChannelPipeline&)> initChannel{};
  /// TCP settings (connect timeout, TCP_NODELAY, buffer sizes...).
  ChannelOptions channelOptions{};
  /// The TLS settings of wss:// connections. Null: SslContextBuilder::forClient()'s
  /// defaults — the system's trust store, the server's chain and host name verified. A
  /// private CA: `SslContextBuilder::forClient().trustManager("ca.pem").build()`; no
  /// verification at all (tests only): `.verifyPeer(false)`. One context serves every
  /// connection, so sessions are resumed on reconnect.
  std::shared_ptr<const SslContext> sslContext{};
  /// The largest handshake answer accepted (a refusal's body counts).
  std::size_t maxHandshakeResponseLength = 8192;
  /// Reconnect after a drop (off by default).
  WebSocketReconnectConfig reconnect{};
  /// Told about each connection's life (see WebSocketClientEvent), on its loop. Optional.
  std::function<void(const WebSocketClientEvent&)> onEvent{};
};

}  // namespace sluice::websocket
