#pragma once

#include <sluice/concurrent/Future.h>

#include <chrono>
#include <functional>

namespace sluice {
class Channel;
}  // namespace sluice

namespace sluice::websocket {

/// A health check for pooled WebSocket client connections, of the type transport's
/// ChannelPool takes (`ChannelPool::HealthCheck`):
///
/// ```cpp
/// ChannelPool pool(bootstrap, "example.com", 80, {}, webSocketPingHealthCheck());
/// ```
///
/// It finds the channel's WebSocketClientProtocolHandler and calls ping(timeout): the future
/// completes with true when the server answers with a pong within `timeout`, and with false
/// when it does not, when the channel has no such handler, is not active, or has not
/// completed its handshake. The returned function is thread-safe (it holds only the
/// timeout); each call may be made on any thread.
std::function<Future<bool>(Channel&)> webSocketPingHealthCheck(
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace sluice::websocket
