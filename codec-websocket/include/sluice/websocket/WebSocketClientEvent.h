#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/util/Error.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace sluice::websocket {

/// What happened to a connection a WebSocketClient keeps (see WebSocketClientConfig::onEvent):
/// the application watches connects, drops and reconnects through these.
///
/// One connection's events arrive in order, on its event loop:
/// Connecting -> (Connected | ConnectFailed); after Connected, Disconnected when the
/// connection ends; after ConnectFailed or Disconnected, either ReconnectScheduled (then
/// Connecting again) or Closed, the last event.
///
/// Thread: any (a value).
struct WebSocketClientEvent {
  enum class Type {
    /// An attempt begins: resolving, connecting and the opening handshake.
    Connecting,
    /// The handshake completed: `channel` is ready for frames.
    Connected,
    /// An attempt failed (`error`: resolution, TCP, refused handshake, timeout).
    ConnectFailed,
    /// A connected channel closed (`closeCode` and `closeReason`: the server's close
    /// frame, if it sent one).
    Disconnected,
    /// The next attempt starts after `delay`.
    ReconnectScheduled,
    /// The client gave up or was closed: no more events for this connection.
    Closed,
  };

  Type type;
  /// The attempt this event belongs to: 1 for the first connect, counting up across
  /// reconnects, back to 1 after a connection that stayed up.
  std::size_t attempt = 0;
  /// Connected, Disconnected: the channel.
  ChannelPtr channel{};
  /// ConnectFailed, Disconnected (when it was an error), Closed (when the client gave up).
  Error error{};
  /// Disconnected: the status code of the server's close frame, if one arrived (and had
  /// one).
  std::optional<int> closeCode{};
  /// Disconnected: the reason text of the server's close frame.
  std::string closeReason{};
  /// ReconnectScheduled: how long until the next attempt.
  std::chrono::milliseconds delay{0};
};

}  // namespace sluice::websocket
