#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketClientHandshakerFactory.h>

#include <utility>

namespace sluice::websocket {

std::unique_ptr<WebSocketClientHandshaker> WebSocketClientHandshakerFactory::newHandshaker(
    std::string webSocketUrl, int version, WebSocketClientHandshakerConfig config) {
  if (version != kVersion13) {
    return nullptr;
  }
  return std::make_unique<WebSocketClientHandshaker13>(std::move(webSocketUrl), std::move(config));
}

std::unique_ptr<WebSocketClientHandshaker> WebSocketClientHandshakerFactory::newHandshaker(
    std::string webSocketUrl, int version, std::vector<std::string> subprotocols,
    http::HttpHeaders customHeaders, WebSocketDecoderConfig decoderConfig,
    WebSocketEncoderConfig encoderConfig) {
  return newHandshaker(std::move(webSocketUrl), version,
                       WebSocketClientHandshakerConfig{.subprotocols = std::move(subprotocols),
                                                       .customHeaders = std::move(customHeaders),
                                                       .decoderConfig = decoderConfig,
                                                       .encoderConfig = encoderConfig});
}

}  // namespace sluice::websocket
