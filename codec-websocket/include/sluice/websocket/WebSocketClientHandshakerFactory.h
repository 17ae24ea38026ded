#pragma once

#include <sluice/http/HttpHeaders.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketClientHandshaker.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice::websocket {

/// Makes the client handshaker for a protocol version (Netty's
/// WebSocketClientHandshakerFactory). Version 13 (RFC 6455) is the only one: the drafts
/// before it (versions 0, 7 and 8) are not supported. Thread: any.
class WebSocketClientHandshakerFactory {
 public:
  /// The version every server speaks.
  static constexpr int kVersion13 = 13;

  /// A handshaker for `webSocketUrl` speaking `version`, or null when the version is not 13.
  /// Throws std::invalid_argument when the URL is not a valid ws or wss URL.
  static std::unique_ptr<WebSocketClientHandshaker> newHandshaker(
      std::string webSocketUrl, int version = kVersion13,
      WebSocketClientHandshakerConfig config = {});

  /// Netty's argument list: the subprotocols offered, extra headers, and the frame codec's
  /// settings.
  static std::unique_ptr<WebSocketClientHandshaker> newHandshaker(
      std::string webSocketUrl, int version, std::vector<std::string> subprotocols,
      http::HttpHeaders customHeaders,
      WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig{.expectMaskedFrames = false},
      WebSocketEncoderConfig encoderConfig = WebSocketEncoderConfig{.maskPayload = true});
};

}  // namespace sluice::websocket
