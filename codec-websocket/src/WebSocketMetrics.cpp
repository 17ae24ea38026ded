#include "WebSocketMetrics.h"

#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/websocket/WebSocketHandshakeError.h>

#include <string>

namespace sluice::websocket::detail {
namespace {

constexpr std::string_view kOpcodeNames[] = {"continuation", "text", "binary",
                                             "close",        "ping", "pong"};
constexpr std::string_view kTypeNames[] = {"text", "binary"};

std::string codeLabel(int code) { return std::to_string(code); }

}  // namespace

WebSocketMetrics& WebSocketMetrics::get() {
  static WebSocketMetrics metrics;
  return metrics;
}

WebSocketMetrics::WebSocketMetrics() {
  MetricsRegistry& r = MetricsRegistry::global();
  for (std::size_t i = 0; i < framesReceived_.size(); ++i) {
    const MetricLabels labels{{"opcode", std::string(kOpcodeNames[i])}};
    framesReceived_[i] = &r.counter("sluice_websocket_frames_received_total",
                                    "WebSocket frames received, by opcode.", labels);
    framesSent_[i] = &r.counter("sluice_websocket_frames_sent_total",
                                "WebSocket frames sent, by opcode.", labels);
  }
  for (std::size_t i = 0; i < messagesReceived_.size(); ++i) {
    const MetricLabels labels{{"type", std::string(kTypeNames[i])}};
    messagesReceived_[i] =
        &r.counter("sluice_websocket_messages_received_total",
                   "WebSocket data messages received (counted at their final frame).", labels);
    messagesSent_[i] =
        &r.counter("sluice_websocket_messages_sent_total",
                   "WebSocket data messages sent (counted at their final frame).", labels);
  }
  handshakes_[0] =
      &r.counter("sluice_websocket_handshakes_total",
                 "Successful WebSocket opening handshakes, by side.", {{"side", "server"}});
  handshakes_[1] =
      &r.counter("sluice_websocket_handshakes_total",
                 "Successful WebSocket opening handshakes, by side.", {{"side", "client"}});
}

void countCloseCodeReceived(int code) {
  MetricsRegistry::global()
      .counter("sluice_websocket_close_codes_received_total",
               "WebSocket close frames received, by status code (1005: none).",
               {{"code", codeLabel(code)}})
      .inc();
}

void countCloseCodeSent(int code) {
  MetricsRegistry::global()
      .counter("sluice_websocket_close_codes_sent_total",
               "WebSocket close frames sent, by status code (1005: none).",
               {{"code", codeLabel(code)}})
      .inc();
}

std::string_view handshakeFailureReason(const Error& error) noexcept {
  if (error.code().category() != webSocketHandshakeCategory()) {
    return "other";
  }
  switch (static_cast<WebSocketHandshakeErrc>(error.code().value())) {
    case WebSocketHandshakeErrc::MethodNotAllowed:
      return "method_not_allowed";
    case WebSocketHandshakeErrc::InvalidHttpVersion:
      return "invalid_http_version";
    case WebSocketHandshakeErrc::MissingHost:
      return "missing_host";
    case WebSocketHandshakeErrc::MissingUpgrade:
      return "missing_upgrade";
    case WebSocketHandshakeErrc::MissingConnectionUpgrade:
      return "missing_connection_upgrade";
    case WebSocketHandshakeErrc::MissingKey:
      return "missing_key";
    case WebSocketHandshakeErrc::InvalidKey:
      return "invalid_key";
    case WebSocketHandshakeErrc::UnsupportedVersion:
      return "unsupported_version";
    case WebSocketHandshakeErrc::OriginNotAllowed:
      return "origin_not_allowed";
    case WebSocketHandshakeErrc::NotAuthorized:
      return "not_authorized";
    case WebSocketHandshakeErrc::HandshakeTimeout:
      return "handshake_timeout";
    case WebSocketHandshakeErrc::UnexpectedStatus:
      return "unexpected_status";
    case WebSocketHandshakeErrc::InvalidUpgradeResponse:
      return "invalid_upgrade_response";
    case WebSocketHandshakeErrc::InvalidAccept:
      return "invalid_accept";
    case WebSocketHandshakeErrc::SubprotocolNotOffered:
      return "subprotocol_not_offered";
    case WebSocketHandshakeErrc::ExtensionNotOffered:
      return "extension_not_offered";
    case WebSocketHandshakeErrc::InvalidExtension:
      return "invalid_extension";
    case WebSocketHandshakeErrc::ExtensionConflict:
      return "extension_conflict";
  }
  return "other";
}

void countHandshakeFailure(const Error& error) {
  MetricsRegistry::global()
      .counter("sluice_handshake_failures_total", "Failed TLS and WebSocket handshakes.",
               {{"protocol", "websocket"}, {"reason", std::string(handshakeFailureReason(error))}})
      .inc();
}

}  // namespace sluice::websocket::detail
