#pragma once

#include <sluice/websocket/WebSocketServerHandshaker.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::websocket {

/// The RFC 6455 (version 13) server handshake (Netty's WebSocketServerHandshaker13).
///
/// A request is valid when it is a GET (else 405) of HTTP/1.1 or later with a Host field,
/// "Upgrade: websocket" and "upgrade" among the Connection tokens (case-insensitive), exactly
/// one Sec-WebSocket-Key that is the base64 encoding of 16 bytes (else 400), and
/// "Sec-WebSocket-Version: 13" (else 426, RFC 6455 4.2.2). The response is
///
/// ```
/// HTTP/1.1 101 Switching Protocols
/// upgrade: websocket
/// connection: upgrade
/// sec-websocket-accept: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
/// sec-websocket-protocol: <the selected subprotocol, if any>
/// ```
///
/// Thread: see WebSocketServerHandshaker.
class WebSocketServerHandshaker13 : public WebSocketServerHandshaker {
 public:
  /// The GUID RFC 6455 1.3 appends to the key.
  static constexpr std::string_view kWebSocketGuid = WebSocketUtil::kWebSocketGuid;

  /// A handshaker for `webSocketUrl` supporting `subprotocols` (none: the response never
  /// names one), installing a frame decoder with `decoderConfig`.
  explicit WebSocketServerHandshaker13(std::string webSocketUrl,
                                       std::vector<std::string> subprotocols = {},
                                       WebSocketDecoderConfig decoderConfig = {});

  /// Sec-WebSocket-Accept for `key` (RFC 6455 4.2.2 item 5.4): base64(SHA-1(key + GUID)),
  /// computed with OpenSSL. Thread: any.
  static std::string acceptKey(std::string_view key);

  /// Whether `key` is the base64 encoding of 16 bytes (RFC 6455 4.1 item 7): 22 base64
  /// characters, the last carrying no stray bits, then "==". Thread: any.
  static bool isValidKey(std::string_view key) noexcept;

 protected:
  Error validate(const http::HttpRequest& request) const override;
  http::FullHttpResponse newHandshakeResponse(const http::HttpRequest& request,
                                              const http::HttpHeaders& responseHeaders) override;
  std::unique_ptr<ChannelHandler> newWebsocketDecoder(
      const WebSocketDecoderConfig& config) override;
  std::unique_ptr<ChannelHandler> newWebSocketEncoder() override;
};

}  // namespace sluice::websocket
