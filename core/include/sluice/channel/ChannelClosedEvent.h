#pragma once

#include <sluice/channel/CloseReason.h>

#include <chrono>
#include <cstdint>

namespace sluice {

/// The user event every channel fires once, as it closes, right before channelInactive: why
/// it closed and what it carried. Handlers that keep per-connection books (rooms, sessions,
/// audit logs) read the reason here; the framework counts it in
/// sluice_connections_closed_total and writes one log line per closed connection from it.
struct ChannelClosedEvent {
  CloseReason reason;
  /// From channelActive to the close (zero for a channel that never became active).
  std::chrono::steady_clock::duration duration{};
  /// Bytes read from and written to the transport (after TLS: these are wire bytes).
  std::uint64_t bytesRead = 0;
  std::uint64_t bytesWritten = 0;
};

}  // namespace sluice
