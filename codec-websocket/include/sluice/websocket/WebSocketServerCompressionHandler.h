#pragma once

#include <sluice/websocket/PerMessageDeflateServerExtensionHandshaker.h>
#include <sluice/websocket/WebSocketServerExtensionHandler.h>

#include <memory>

namespace sluice::websocket {

/// Offers permessage-deflate (RFC 7692) to the clients of a WebSocket server (Netty's
/// WebSocketServerCompressionHandler): the classic pipeline is
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(65536);
/// p.addLast<sluice::websocket::WebSocketServerCompressionHandler>();
/// p.addLast<sluice::websocket::WebSocketServerProtocolHandler>("/ws");
/// p.addLast<MyFrameHandler>();
/// ```
///
/// When WebSocketServerProtocolHandler upgrades the connection it asks this handler's
/// PerMessageDeflateServerExtensionHandshaker about the client's offers and then removes
/// the handler; an accepted offer puts a PerMessageDeflateDecoder and Encoder beside the
/// frame codec. A client that offers nothing acceptable gets an uncompressed connection.
///
/// Thread: the loop. One per pipeline; the handshaker inside is shared by nothing else.
class WebSocketServerCompressionHandler : public WebSocketServerExtensionHandler {
 public:
  /// permessage-deflate with `config` (Netty's defaults: level 6, window 15).
  explicit WebSocketServerCompressionHandler(PerMessageDeflateServerConfig config = {})
      : WebSocketServerExtensionHandler(
            {std::make_shared<const PerMessageDeflateServerExtensionHandshaker>(config)}) {}
  /// permessage-deflate through `handshaker`, which many pipelines may share (it is
  /// immutable): saves making one per connection.
  explicit WebSocketServerCompressionHandler(
      std::shared_ptr<const PerMessageDeflateServerExtensionHandshaker> handshaker)
      : WebSocketServerExtensionHandler({std::move(handshaker)}) {}
};

}  // namespace sluice::websocket
