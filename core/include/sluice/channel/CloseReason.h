#pragma once

#include <sluice/util/Error.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

/// Who (or what) closed a connection.
enum class CloseInitiator : std::uint8_t {
  /// Nobody has said yet; a channel that closes this way was closed by the application.
  Unknown,
  /// The peer: end of stream, a reset, or a close frame it sent first.
  Peer,
  /// The application called close() (or sent a close frame first).
  Application,
  /// A timer ran out: handshake, idle, read or write timeout, an unanswered ping.
  Timeout,
  /// A configured limit was exceeded: frame or message size, header size, a budget.
  Limit,
  /// The peer broke a protocol rule (RFC 6455, RFC 9112, TLS): we answered and closed.
  Protocol,
  /// The server is draining (shutdown, deploy).
  Shutdown,
  /// A local I/O or internal error.
  Error,
};

/// The lower-case name ("peer", "application", "timeout", "limit", "protocol", "shutdown",
/// "error", "unknown"): the value of the `initiator` label and log field.
std::string_view toString(CloseInitiator initiator) noexcept;

/// Why a channel closed, as the application sees it in ChannelClosedEvent, the
/// connections-closed metric and the one log line per closed connection.
///
/// Whoever decides to close records the reason before closing: the first initiator recorded
/// wins (a protocol error that makes us send close 1002 stays "protocol" even though the TCP
/// close that follows is ours). The codes are recorded separately, once each: a peer's close
/// frame, then our echo of it, fill both. A channel closed with nothing recorded reports
/// Application. Thread: the channel's loop.
struct CloseReason {
  CloseInitiator initiator = CloseInitiator::Unknown;
  /// The rule or limit, in words: "RFC 6455 5.1: a client frame must be masked",
  /// "maxFramePayloadLength 65536", "handshake timeout 10000 ms". Empty when there is none.
  std::string rule;
  /// The WebSocket close code (or HTTP status) we sent when closing; 0 for none.
  int codeSent = 0;
  std::string reasonSent;
  /// The WebSocket close code the peer sent; 0 for none.
  int codeReceived = 0;
  std::string reasonReceived;
  /// The error behind the close, if one was (I/O, decoding, TLS).
  Error error;

  /// Records who closed and why, unless an initiator is recorded already. Returns whether
  /// this call recorded it.
  bool record(CloseInitiator by, std::string_view why = {}, Error cause = {});
  /// Records the close code we sent, unless one is recorded already.
  void recordSent(int code, std::string_view reason = {});
  /// Records the close code the peer sent, unless one is recorded already.
  void recordReceived(int code, std::string_view reason = {});

  bool isRecorded() const noexcept { return initiator != CloseInitiator::Unknown; }
};

}  // namespace sluice
