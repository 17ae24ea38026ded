#pragma once

#include <sluice/websocket/PerMessageDeflateClientExtensionHandshaker.h>
#include <sluice/websocket/WebSocketClientExtensionHandler.h>

#include <memory>

namespace sluice::websocket {

/// Offers permessage-deflate (RFC 7692) in a WebSocket client's handshake (Netty's
/// WebSocketClientCompressionHandler):
///
/// ```cpp
/// p.addLast<sluice::http::HttpClientCodec>();
/// p.addLast<sluice::http::HttpObjectAggregator>(8192);
/// p.addLast<sluice::websocket::WebSocketClientCompressionHandler>();
/// p.addLast<sluice::websocket::WebSocketClientProtocolHandler>(config);
/// ```
///
/// A server that accepts gets a PerMessageDeflateDecoder and Encoder installed beside the
/// client's frame codec; one that declines leaves the connection uncompressed; an invalid
/// answer fails the handshake. Thread: the loop.
class WebSocketClientCompressionHandler : public WebSocketClientExtensionHandler {
 public:
  explicit WebSocketClientCompressionHandler(PerMessageDeflateClientConfig config = {})
      : WebSocketClientExtensionHandler(
            {std::make_shared<const PerMessageDeflateClientExtensionHandshaker>(config)}) {}
  explicit WebSocketClientCompressionHandler(
      std::shared_ptr<const PerMessageDeflateClientExtensionHandshaker> handshaker)
      : WebSocketClientExtensionHandler({std::move(handshaker)}) {}
};

}  // namespace sluice::websocket
