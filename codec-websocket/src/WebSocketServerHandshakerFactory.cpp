#include <sluice/channel/Channel.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerHandshaker13.h>
#include <sluice/websocket/WebSocketServerHandshakerFactory.h>

#include "WebSocketMetrics.h"

namespace sluice::websocket {

WebSocketServerHandshakerFactory::WebSocketServerHandshakerFactory(
    std::string webSocketUrl, std::vector<std::string> subprotocols,
    WebSocketDecoderConfig decoderConfig)
    : webSocketUrl_(std::move(webSocketUrl)),
      subprotocols_(std::move(subprotocols)),
      decoderConfig_(decoderConfig) {}

std::unique_ptr<WebSocketServerHandshaker> WebSocketServerHandshakerFactory::newHandshaker(
    const http::HttpRequest& request) const {
  std::string_view version = request.headers().get(http::HttpHeaderNames::kSecWebSocketVersion, {});
  while (!version.empty() && (version.front() == ' ' || version.front() == '\t')) {
    version.remove_prefix(1);
  }
  while (!version.empty() && (version.back() == ' ' || version.back() == '\t')) {
    version.remove_suffix(1);
  }
  if (version != "13") {
    return nullptr;
  }
  return std::make_unique<WebSocketServerHandshaker13>(webSocketUrl_, subprotocols_,
                                                       decoderConfig_);
}

ChannelFuture WebSocketServerHandshakerFactory::sendUnsupportedVersionResponse(Channel& channel) {
  const Error error(WebSocketHandshakeErrc::UnsupportedVersion);
  detail::countHandshakeFailure(error);
  channel.closeReason().record(CloseInitiator::Protocol, "RFC 6455 4.2.2: " + error.message());
  channel.closeReason().recordSent(statusOf(WebSocketHandshakeErrc::UnsupportedVersion).code());
  ChannelFuture written =
      channel.writeAndFlush(WebSocketServerHandshaker::newRefusalResponse(error));
  written.addListener(ChannelFutureListener::kClose);
  return written;
}

}  // namespace sluice::websocket
