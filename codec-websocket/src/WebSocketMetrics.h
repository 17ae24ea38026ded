#pragma once

#include <sluice/metrics/Counter.h>
#include <sluice/util/Error.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace sluice::websocket::detail {

/// The framework's WebSocket series in MetricsRegistry::global() (docs/operations.md):
/// frames and messages by direction, successful handshakes by side. Looked up once, on first
/// use, so that the frame decoder and encoder only add. Thread: any.
class WebSocketMetrics {
 public:
  /// The process-wide instance.
  static WebSocketMetrics& get();

  /// A frame of `opcode` (a valid RFC 6455 opcode) received or sent.
  Counter& frameReceived(WebSocketOpcode opcode) noexcept {
    return *framesReceived_[index(opcode)];
  }
  Counter& frameSent(WebSocketOpcode opcode) noexcept { return *framesSent_[index(opcode)]; }
  /// A data message of `type` (Text or Binary: the opcode of its first frame) completed.
  Counter& messageReceived(WebSocketOpcode type) noexcept {
    return *messagesReceived_[type == WebSocketOpcode::Text ? 0 : 1];
  }
  Counter& messageSent(WebSocketOpcode type) noexcept {
    return *messagesSent_[type == WebSocketOpcode::Text ? 0 : 1];
  }
  Counter& serverHandshake() noexcept { return *handshakes_[0]; }
  Counter& clientHandshake() noexcept { return *handshakes_[1]; }

 private:
  WebSocketMetrics();
  // Continuation, text, binary, close, ping, pong.
  static std::size_t index(WebSocketOpcode opcode) noexcept {
    switch (opcode) {
      case WebSocketOpcode::Continuation:
        return 0;
      case WebSocketOpcode::Text:
        return 1;
      case WebSocketOpcode::Binary:
        return 2;
      case WebSocketOpcode::Close:
        return 3;
      case WebSocketOpcode::Ping:
        return 4;
      case WebSocketOpcode::Pong:
        return 5;
    }
    return 0;
  }

  std::array<Counter*, 6> framesReceived_{};
  std::array<Counter*, 6> framesSent_{};
  std::array<Counter*, 2> messagesReceived_{};
  std::array<Counter*, 2> messagesSent_{};
  std::array<Counter*, 2> handshakes_{};
};

/// Counts a close frame's status code, once per close frame (a frame without a code counts as
/// 1005, the code RFC 6455 7.1.5 reports for it). Looks the series up: once per connection.
void countCloseCodeReceived(int code);
void countCloseCodeSent(int code);

/// Counts a failed opening handshake in sluice_handshake_failures_total{protocol="websocket"},
/// reason being the WebSocketHandshakeErrc's name in snake_case ("other" for another error).
void countHandshakeFailure(const Error& error);

/// The snake_case name of a WebSocketHandshakeErrc value ("invalid_accept"), or "other".
std::string_view handshakeFailureReason(const Error& error) noexcept;

}  // namespace sluice::websocket::detail
