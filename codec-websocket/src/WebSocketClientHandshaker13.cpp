#include <fmt/format.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <utility>

#include "WebSocketChars.h"

namespace sluice::websocket {

using http::HttpHeaderNames;
using http::HttpHeaders;
using http::HttpHeaderValues;

namespace {

using detail::equalsIgnoreCase;
using detail::trim;

Error handshakeError(WebSocketHandshakeErrc errc, std::string message) {
  return Error(make_error_code(errc), std::move(message));
}

}  // namespace

WebSocketClientHandshaker13::WebSocketClientHandshaker13(std::string webSocketUrl,
                                                         WebSocketClientHandshakerConfig config)
    : WebSocketClientHandshaker(13, std::move(webSocketUrl), std::move(config)) {}

http::FullHttpRequest WebSocketClientHandshaker13::newHandshakeRequest() {
  // RFC 6455 4.1 item 7: a nonce of 16 random bytes, base64-encoded, new for each
  // connection and chosen from a strong source (RFC 6455 10.3), so that no script or cache
  // can predict the accept key.
  const std::vector<std::uint8_t> nonce = WebSocketUtil::randomBytes(16);
  key_ = WebSocketUtil::base64(nonce);
  expectedAccept_ = WebSocketUtil::acceptKey(key_);

  // RFC 6455 4.1 items 1-3: an HTTP/1.1 GET of the resource name (path and query).
  http::FullHttpRequest request(http::HttpVersion::kHttp11, http::HttpMethod::kGet, upgradeUrl());
  HttpHeaders& h = request.headers();
  const WebSocketClientHandshakerConfig& c = config();
  if (!c.customHeaders.isEmpty()) {
    h.add(c.customHeaders);
  }
  // Item 4: Host, unless the application gave its own (a virtual host behind a proxy).
  if (!h.contains(HttpHeaderNames::kHost)) {
    h.set(HttpHeaderNames::kHost, hostHeaderValue());
  }
  // Items 5 and 6: Upgrade and Connection.
  h.set(HttpHeaderNames::kUpgrade, HttpHeaderValues::kWebsocket);
  h.set(HttpHeaderNames::kConnection, HttpHeaderValues::kUpgrade);
  h.set(HttpHeaderNames::kSecWebSocketKey, key_);
  // Item 8: Origin, for clients that act for a web origin.
  if (!c.origin.empty()) {
    h.set(HttpHeaderNames::kOrigin, c.origin);
  } else if (c.generateOriginHeader && !h.contains(HttpHeaderNames::kOrigin)) {
    h.set(HttpHeaderNames::kOrigin, originHeaderValue());
  }
  // Item 10: the subprotocols, in order of preference.
  if (!c.subprotocols.empty()) {
    h.set(HttpHeaderNames::kSecWebSocketProtocol,
          fmt::format("{}", fmt::join(c.subprotocols, ", ")));
  } else {
    h.remove(HttpHeaderNames::kSecWebSocketProtocol);
  }
  // Item 9: version 13.
  h.set(HttpHeaderNames::kSecWebSocketVersion, "13");
  return request;
}

Error WebSocketClientHandshaker13::verify(const http::FullHttpResponse& response) const {
  const HttpHeaders& h = response.headers();
  // RFC 6455 4.1, the client's checks. 1: a status other than 101 is handled per HTTP; for
  // a WebSocket client it is the end of the attempt.
  if (response.status().code() != 101) {
    return handshakeError(
        WebSocketHandshakeErrc::UnexpectedStatus,
        fmt::format("the server answered the upgrade with {} {} instead of 101 Switching Protocols",
                    response.status().code(), response.status().reasonPhrase()));
  }
  // 2: "Upgrade: websocket", case-insensitively.
  const std::optional<std::string_view> upgrade = h.get(HttpHeaderNames::kUpgrade);
  if (!upgrade) {
    return handshakeError(WebSocketHandshakeErrc::InvalidUpgradeResponse,
                          "the 101 response has no Upgrade header");
  }
  if (!equalsIgnoreCase(trim(*upgrade), HttpHeaderValues::kWebsocket)) {
    return handshakeError(
        WebSocketHandshakeErrc::InvalidUpgradeResponse,
        fmt::format("the 101 response upgrades to \"{}\", not websocket", *upgrade));
  }
  // 3: a Connection field with the token "Upgrade", case-insensitively.
  if (!h.containsValue(HttpHeaderNames::kConnection, HttpHeaderValues::kUpgrade, true)) {
    return handshakeError(
        WebSocketHandshakeErrc::InvalidUpgradeResponse,
        fmt::format("the 101 response's Connection header (\"{}\") has no \"upgrade\" token",
                    h.get(HttpHeaderNames::kConnection, "")));
  }
  // 4: Sec-WebSocket-Accept is base64(SHA-1(key + GUID)), compared exactly.
  const std::vector<std::string_view> accepts = h.getAll(HttpHeaderNames::kSecWebSocketAccept);
  if (accepts.empty()) {
    return handshakeError(WebSocketHandshakeErrc::InvalidAccept,
                          "the 101 response has no Sec-WebSocket-Accept header");
  }
  if (accepts.size() != 1 || trim(accepts.front()) != expectedAccept_) {
    return handshakeError(WebSocketHandshakeErrc::InvalidAccept,
                          fmt::format("Sec-WebSocket-Accept is \"{}\", expected \"{}\"",
                                      accepts.front(), expectedAccept_));
  }
  return {};
}

std::unique_ptr<ChannelHandler> WebSocketClientHandshaker13::newWebsocketDecoder(
    const WebSocketDecoderConfig& config) {
  return std::make_unique<WebSocket13FrameDecoder>(config);
}

std::unique_ptr<ChannelHandler> WebSocketClientHandshaker13::newWebSocketEncoder() {
  // RFC 6455 5.1: a client masks every frame it sends (encoderConfig says so by default).
  return std::make_unique<WebSocket13FrameEncoder>(config().encoderConfig);
}

}  // namespace sluice::websocket
