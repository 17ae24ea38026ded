#include <sluice/websocket/WebSocketHandshakeError.h>

#include <string>

namespace sluice::websocket {
namespace {

class WebSocketHandshakeCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.websocket.handshake"; }
  std::string message(int value) const override {
    switch (static_cast<WebSocketHandshakeErrc>(value)) {
      case WebSocketHandshakeErrc::MethodNotAllowed:
        return "a WebSocket handshake must be a GET request";
      case WebSocketHandshakeErrc::InvalidHttpVersion:
        return "a WebSocket handshake must be HTTP/1.1 or later";
      case WebSocketHandshakeErrc::MissingHost:
        return "no Host header";
      case WebSocketHandshakeErrc::MissingUpgrade:
        return "not a WebSocket upgrade request: no \"Upgrade: websocket\"";
      case WebSocketHandshakeErrc::MissingConnectionUpgrade:
        return "no \"upgrade\" token in the Connection header";
      case WebSocketHandshakeErrc::MissingKey:
        return "no single Sec-WebSocket-Key header";
      case WebSocketHandshakeErrc::InvalidKey:
        return "Sec-WebSocket-Key is not the base64 encoding of 16 bytes";
      case WebSocketHandshakeErrc::UnsupportedVersion:
        return "unsupported Sec-WebSocket-Version (13 is supported)";
      case WebSocketHandshakeErrc::OriginNotAllowed:
        return "origin not allowed";
      case WebSocketHandshakeErrc::NotAuthorized:
        return "the upgrade was not authorized";
      case WebSocketHandshakeErrc::HandshakeTimeout:
        return "the WebSocket handshake timed out";
      case WebSocketHandshakeErrc::UnexpectedStatus:
        return "the server did not answer the upgrade with 101 Switching Protocols";
      case WebSocketHandshakeErrc::InvalidUpgradeResponse:
        return "the server's response is not a valid WebSocket upgrade";
      case WebSocketHandshakeErrc::InvalidAccept:
        return "Sec-WebSocket-Accept does not match the key sent";
      case WebSocketHandshakeErrc::SubprotocolNotOffered:
        return "the server selected a subprotocol that was not offered";
      case WebSocketHandshakeErrc::ExtensionNotOffered:
        return "the server accepted an extension that was not offered";
      case WebSocketHandshakeErrc::InvalidExtension:
        return "the server's extension parameters are not acceptable";
      case WebSocketHandshakeErrc::ExtensionConflict:
        return "two extensions claim the same RSV bit";
    }
    return "unknown WebSocket handshake error";
  }
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<WebSocketHandshakeErrc>(value)) {
      case WebSocketHandshakeErrc::OriginNotAllowed:
      case WebSocketHandshakeErrc::NotAuthorized:
        return std::errc::permission_denied;
      case WebSocketHandshakeErrc::HandshakeTimeout:
        return std::errc::timed_out;
      default:
        return std::errc::protocol_error;
    }
  }
};

}  // namespace

const std::error_category& webSocketHandshakeCategory() noexcept {
  static const WebSocketHandshakeCategory category;
  return category;
}

http::HttpResponseStatus statusOf(WebSocketHandshakeErrc e) {
  switch (e) {
    case WebSocketHandshakeErrc::MethodNotAllowed:
      return http::HttpResponseStatus::kMethodNotAllowed;
    case WebSocketHandshakeErrc::UnsupportedVersion:
      return http::HttpResponseStatus::kUpgradeRequired;
    case WebSocketHandshakeErrc::OriginNotAllowed:
    case WebSocketHandshakeErrc::NotAuthorized:
      return http::HttpResponseStatus::kForbidden;
    case WebSocketHandshakeErrc::HandshakeTimeout:
      return http::HttpResponseStatus::kRequestTimeout;
    default:
      return http::HttpResponseStatus::kBadRequest;
  }
}

}  // namespace sluice::websocket
