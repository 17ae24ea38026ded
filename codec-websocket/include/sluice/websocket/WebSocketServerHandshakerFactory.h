#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/http/HttpObject.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>
#include <sluice/websocket/WebSocketServerHandshaker.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice {
class Channel;
}  // namespace sluice

namespace sluice::websocket {

/// Picks the handshaker for a request's Sec-WebSocket-Version (Netty's
/// WebSocketServerHandshakerFactory). Version 13 is the only one: the drafts before RFC 6455
/// (versions 0, 7 and 8) are not supported, and no browser has sent them since 2012.
/// Thread: any (immutable once made).
class WebSocketServerHandshakerFactory {
 public:
  WebSocketServerHandshakerFactory(std::string webSocketUrl, std::vector<std::string> subprotocols,
                                   WebSocketDecoderConfig decoderConfig = {});

  /// A new handshaker for `request`, or null when its Sec-WebSocket-Version is missing or
  /// not 13 (answer with sendUnsupportedVersionResponse).
  std::unique_ptr<WebSocketServerHandshaker> newHandshaker(const http::HttpRequest& request) const;

  /// Writes "426 Upgrade Required" with "Sec-WebSocket-Version: 13" (RFC 6455 4.2.2) and
  /// closes the channel once it is written.
  static ChannelFuture sendUnsupportedVersionResponse(Channel& channel);

 private:
  std::string webSocketUrl_;
  std::vector<std::string> subprotocols_;
  WebSocketDecoderConfig decoderConfig_;
};

}  // namespace sluice::websocket
