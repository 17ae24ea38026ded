#pragma once

#include <sluice/websocket/WebSocketClientHandshaker.h>

#include <string>

namespace sluice::websocket {

/// The RFC 6455 (version 13) client handshake (Netty's WebSocketClientHandshaker13).
///
/// The request is
///
/// ```
/// GET /chat?room=1 HTTP/1.1          (the whole URL with absoluteUpgradeUrl)
/// <customHeaders>
/// host: example.com:8080             (no port when it is the scheme's default)
/// upgrade: websocket
/// connection: upgrade
/// sec-websocket-key: <base64 of 16 bytes from OpenSSL's RAND_bytes, new per request>
/// origin: http://example.com:8080    (config origin, or generated; else none)
/// sec-websocket-protocol: chat.v2, chat.v1   (when subprotocols are offered)
/// sec-websocket-version: 13
/// sec-websocket-extensions: ...      (when extensions are offered)
/// ```
///
/// The response must be "101", with "Upgrade: websocket" (case-insensitive), "upgrade" among
/// the Connection tokens and Sec-WebSocket-Accept equal to base64(SHA-1(key + GUID))
/// (RFC 6455 4.1, the client's checks 1-4); see WebSocketClientHandshaker for the rest.
///
/// Thread: see WebSocketClientHandshaker.
class WebSocketClientHandshaker13 : public WebSocketClientHandshaker {
 public:
  /// A handshaker for `webSocketUrl` ("ws://host[:port]/path[?query]"); throws
  /// std::invalid_argument when it is not a valid ws or wss URL.
  explicit WebSocketClientHandshaker13(std::string webSocketUrl,
                                       WebSocketClientHandshakerConfig config = {});

  /// The Sec-WebSocket-Key of the last request; empty before the first.
  const std::string& key() const noexcept { return key_; }

 protected:
  http::FullHttpRequest newHandshakeRequest() override;
  Error verify(const http::FullHttpResponse& response) const override;
  std::unique_ptr<ChannelHandler> newWebsocketDecoder(
      const WebSocketDecoderConfig& config) override;
  std::unique_ptr<ChannelHandler> newWebSocketEncoder() override;

 private:
  std::string key_;
  std::string expectedAccept_;
};

}  // namespace sluice::websocket
