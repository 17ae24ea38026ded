#pragma once

#include <chrono>
#include <cstddef>

namespace sluice {

/// The user event a drain (UvServerSocketChannel::drain, ChannelGroup::drain) fires through
/// every connection's pipeline: finish what is in flight and close by `deadline`.
///
/// The protocol handlers answer it as their protocol says and mark it handled: the WebSocket
/// protocol handlers send close 1001 (Going Away) and run the closing handshake, the HTTP
/// server codec lets the response in flight finish with `Connection: close` and closes after
/// it (at once when no request is in flight). A handler that closes gracefully itself sets
/// `handled` too. If the event reaches the tail of the pipeline unhandled, the channel closes
/// at once: a pipeline that knows no graceful way out does not hold the drain up. Whatever
/// is still open at the deadline is closed by the drain.
struct DrainEvent {
  std::chrono::steady_clock::time_point deadline;
  bool handled = false;
};

/// What a drain did, when its future completes: every channel it drained has closed.
struct DrainResult {
  /// Channels open when the drain began.
  std::size_t channels = 0;
  /// Of those, the ones that closed by themselves before the deadline.
  std::size_t closedInTime = 0;
  /// The ones the drain closed at the deadline.
  std::size_t forced = 0;
};

}  // namespace sluice
