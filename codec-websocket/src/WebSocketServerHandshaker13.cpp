#include <sluice/http/HttpHeaderNames.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerHandshaker13.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <string>

#include "WebSocketChars.h"

namespace sluice::websocket {

using http::HttpHeaderNames;
using http::HttpHeaders;

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using detail::trim;

}  // namespace

WebSocketServerHandshaker13::WebSocketServerHandshaker13(std::string webSocketUrl,
                                                         std::vector<std::string> subprotocols,
                                                         WebSocketDecoderConfig decoderConfig)
    : WebSocketServerHandshaker(13, std::move(webSocketUrl), std::move(subprotocols),
                                decoderConfig) {}

std::string WebSocketServerHandshaker13::acceptKey(std::string_view key) {
  return WebSocketUtil::acceptKey(key);
}

bool WebSocketServerHandshaker13::isValidKey(std::string_view key) noexcept {
  // 16 bytes encode to 22 characters and "==" (RFC 4648 4); the 22nd carries 2 bits of
  // data and 4 zero bits, so only every 16th letter of the alphabet may end the key.
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') {
    return false;
  }
  for (std::size_t i = 0; i < 22; ++i) {
    const std::size_t v = kBase64Alphabet.find(key[i]);
    if (v == std::string_view::npos) {
      return false;
    }
    if (i == 21 && (v & 0x0F) != 0) {
      return false;
    }
  }
  return true;
}

Error WebSocketServerHandshaker13::validate(const http::HttpRequest& request) const {
  const HttpHeaders& h = request.headers();
  // RFC 6455 4.2.1 item 1: an HTTP/1.1 or higher GET request.
  if (request.method() != http::HttpMethod::kGet) {
    return Error(make_error_code(WebSocketHandshakeErrc::MethodNotAllowed));
  }
  if (request.protocolVersion() == http::HttpVersion::kHttp10) {
    return Error(make_error_code(WebSocketHandshakeErrc::InvalidHttpVersion));
  }
  // Item 3: an Upgrade header field containing "websocket", case-insensitively.
  if (!h.containsValue(HttpHeaderNames::kUpgrade, http::HttpHeaderValues::kWebsocket, true)) {
    return Error(make_error_code(WebSocketHandshakeErrc::MissingUpgrade));
  }
  // Item 4: a Connection header field that includes the token "Upgrade".
  if (!h.containsValue(HttpHeaderNames::kConnection, http::HttpHeaderValues::kUpgrade, true)) {
    return Error(make_error_code(WebSocketHandshakeErrc::MissingConnectionUpgrade));
  }
  // Item 2: a Host header field.
  if (!h.contains(HttpHeaderNames::kHost)) {
    return Error(make_error_code(WebSocketHandshakeErrc::MissingHost));
  }
  // Item 6 and 4.2.2: version 13, else 426 naming the versions supported.
  const std::vector<std::string_view> versions = h.getAll(HttpHeaderNames::kSecWebSocketVersion);
  if (versions.size() != 1 || trim(versions.front()) != "13") {
    return Error(make_error_code(WebSocketHandshakeErrc::UnsupportedVersion));
  }
  // Item 5: a Sec-WebSocket-Key that base64-decodes to 16 bytes; 11.3.1: only one.
  const std::vector<std::string_view> keys = h.getAll(HttpHeaderNames::kSecWebSocketKey);
  if (keys.size() != 1) {
    return Error(make_error_code(WebSocketHandshakeErrc::MissingKey));
  }
  if (!isValidKey(trim(keys.front()))) {
    return Error(make_error_code(WebSocketHandshakeErrc::InvalidKey));
  }
  return {};
}

http::FullHttpResponse WebSocketServerHandshaker13::newHandshakeResponse(
    const http::HttpRequest& request, const HttpHeaders& responseHeaders) {
  const HttpHeaders& h = request.headers();
  http::FullHttpResponse response(http::HttpVersion::kHttp11,
                                  http::HttpResponseStatus::kSwitchingProtocols);
  HttpHeaders& out = response.headers();
  if (!responseHeaders.isEmpty()) {
    out.add(responseHeaders);
  }
  // RFC 6455 4.2.2 item 5: Upgrade, Connection and Sec-WebSocket-Accept.
  out.set(HttpHeaderNames::kUpgrade, http::HttpHeaderValues::kWebsocket);
  out.set(HttpHeaderNames::kConnection, http::HttpHeaderValues::kUpgrade);
  out.set(HttpHeaderNames::kSecWebSocketAccept,
          acceptKey(trim(h.get(HttpHeaderNames::kSecWebSocketKey, {}))));
  std::string requested;
  for (std::string_view v : h.getAll(HttpHeaderNames::kSecWebSocketProtocol)) {
    if (!requested.empty()) {
      requested += ',';
    }
    requested += v;
  }
  std::optional<std::string> selected = selectSubprotocol(requested);
  if (selected) {
    out.set(HttpHeaderNames::kSecWebSocketProtocol, *selected);
  } else {
    // RFC 6455 4.2.2 item 5.4: with no subprotocol selected, the field is absent (the
    // client then fails the connection if it required one).
    out.remove(HttpHeaderNames::kSecWebSocketProtocol);
  }
  setSelectedSubprotocol(std::move(selected));
  return response;
}

std::unique_ptr<ChannelHandler> WebSocketServerHandshaker13::newWebsocketDecoder(
    const WebSocketDecoderConfig& config) {
  return std::make_unique<WebSocket13FrameDecoder>(config);
}

std::unique_ptr<ChannelHandler> WebSocketServerHandshaker13::newWebSocketEncoder() {
  // RFC 6455 5.1: a server MUST NOT mask the frames it sends.
  return std::make_unique<WebSocket13FrameEncoder>(false);
}

}  // namespace sluice::websocket
