#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandler.h>
#include <sluice/http/HttpHeaders.h>
#include <sluice/http/HttpObject.h>
#include <sluice/util/Error.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketClientExtensionHandshaker.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>
#include <sluice/websocket/WebSocketExtensionData.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketUri.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice {
class Channel;
}  // namespace sluice

namespace sluice::websocket {

/// What a client's opening handshake offers and how its frames are coded (the handshake
/// half of WebSocketClientProtocolConfig), with designated initializers.
struct WebSocketClientHandshakerConfig {
  /// Subprotocols offered in Sec-WebSocket-Protocol, in order of preference; empty offers
  /// none.
  std::vector<std::string> subprotocols{};
  /// Extra request headers (Authorization, Cookie...). They may set Host and Origin; the
  /// handshake's own fields (Upgrade, Connection, Sec-WebSocket-Key, -Version, -Protocol,
  /// -Extensions) replace any of the same name.
  http::HttpHeaders customHeaders{};
  /// The Origin to send; empty sends none unless generateOriginHeader.
  std::string origin{};
  /// Send an Origin derived from the URL (ws -> http, wss -> https) when `origin` is empty
  /// and customHeaders has none.
  bool generateOriginHeader = false;
  /// Put the whole URL in the request line instead of the path and query (for HTTP
  /// proxies, RFC 9112 3.2.2).
  bool absoluteUpgradeUrl = false;
  /// The frame decoder's settings; a client expects unmasked frames (RFC 6455 5.1).
  WebSocketDecoderConfig decoderConfig{.expectMaskedFrames = false};
  /// The frame encoder's settings; a client masks every frame (RFC 6455 5.3).
  WebSocketEncoderConfig encoderConfig{.maskPayload = true};
  /// Extensions to offer, in order (see WebSocketClientExtensionHandshaker).
  std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>> extensionHandshakers{};
};

/// The client side of one WebSocket opening handshake (Netty's WebSocketClientHandshaker):
/// writes the upgrade request, checks the server's 101 response, and turns the channel's
/// pipeline from HTTP into WebSocket frames. WebSocketClientHandshaker13 is the version every
/// server speaks (RFC 6455); WebSocketClientHandshakerFactory makes it.
///
/// Most clients never touch a handshaker: WebSocketClientProtocolHandler runs one for them.
/// A handler that upgrades by itself does what Netty users write:
///
/// ```cpp
/// auto handshaker = WebSocketClientHandshakerFactory::newHandshaker("ws://example.com/chat");
/// handshaker->handshake(channel);  // on channelActive
/// // ... then, in channelRead, for the FullHttpResponse:
/// if (Error error = handshaker->finishHandshake(ctx.channel(), response)) {
///   ctx.close();  // refused: error says why
/// }
/// ```
///
/// Pipeline. The channel must have an HttpClientCodec, or an HttpResponseDecoder and an
/// HttpRequestEncoder, and an HttpObjectAggregator so that the response arrives whole.
/// finishHandshake() removes the HTTP handlers that make no sense on a WebSocket
/// (HttpObjectAggregator, content compression and decompression, and every
/// WebSocketClientExtensionHandler), adds "wsencoder" (WebSocket13FrameEncoder, masking) and
/// "wsdecoder" (WebSocket13FrameDecoder, expecting unmasked frames; the encoder before it so
/// the close frames it sends are encoded) where the HTTP codec was, and removes the codec.
/// The bytes the HTTP decoder held after the 101 (frames a server sent right after it) go to
/// "wsdecoder", after the 101 has been handled. Accepted extensions put their decoder and
/// encoder right after "wsdecoder" (see WebSocketExtension), the names the server side uses.
///
/// A handshaker serves one connection (it remembers its key and the server's answer).
/// Thread: the channel's loop; handshake() and close() called elsewhere hop to it.
class WebSocketClientHandshaker {
 public:
  virtual ~WebSocketClientHandshaker();
  WebSocketClientHandshaker(const WebSocketClientHandshaker&) = delete;
  WebSocketClientHandshaker& operator=(const WebSocketClientHandshaker&) = delete;

  /// The protocol version, 13.
  int version() const noexcept { return version_; }
  /// The WebSocket URL ("ws://example.com:8080/chat?room=1").
  const std::string& uri() const noexcept { return uri_; }
  /// What the handshake offers and how frames are coded.
  const WebSocketClientHandshakerConfig& config() const noexcept { return config_; }
  /// The subprotocols offered (Netty's expectedSubprotocol, as a list).
  const std::vector<std::string>& expectedSubprotocols() const noexcept {
    return config_.subprotocols;
  }

  /// Whether finishHandshake() accepted a response.
  bool isHandshakeComplete() const noexcept { return handshakeComplete_; }
  /// The subprotocol the server selected; nullopt before the handshake, or when it selected
  /// none (RFC 6455 4.1 allows that even when some were offered).
  const std::optional<std::string>& actualSubprotocol() const noexcept {
    return actualSubprotocol_;
  }
  /// The headers of the accepted 101 response (Set-Cookie, a server's own fields...); empty
  /// before the handshake.
  const http::HttpHeaders& responseHeaders() const noexcept { return responseHeaders_; }
  /// The extensions the server accepted, as its response lists them.
  const std::vector<WebSocketExtensionData>& acceptedExtensions() const noexcept {
    return acceptedExtensions_;
  }

  /// Offers `handshaker`'s extension at the next handshake, after those offered before it.
  void addExtensionHandshaker(std::shared_ptr<const WebSocketClientExtensionHandshaker> handshaker);

  /// Writes and flushes the upgrade request (see WebSocketClientHandshaker13 for its
  /// fields), with the extension offers of config().extensionHandshakers and of every
  /// WebSocketClientExtensionHandler in the pipeline in Sec-WebSocket-Extensions. The future
  /// completes when the request has been written; it fails, with nothing written, when the
  /// pipeline has no HTTP client codec.
  ChannelFuture handshake(Channel& channel);
  ChannelFuture handshake(Channel& channel, ChannelPromise promise);

  /// Checks `response` (borrowed) against the request sent (RFC 6455 4.1: 101, "Upgrade:
  /// websocket", an "upgrade" token in Connection, Sec-WebSocket-Accept, a subprotocol that
  /// was offered or none, extensions that were offered and are accepted by a handshaker, no
  /// RSV bit claimed twice). When it is valid, records the answer and switches the pipeline
  /// (see the class comment) and returns an empty Error. Otherwise returns a
  /// WebSocketHandshakeErrc error whose message says what was wrong, with the pipeline
  /// untouched: the caller fails the connection. Counts the outcome in
  /// sluice_websocket_handshakes_total{side="client"} or sluice_handshake_failures_total.
  /// Thread: the loop.
  Error finishHandshake(Channel& channel, const http::FullHttpResponse& response);

  /// Starts the closing handshake: writes and flushes `frame` (Netty's close()). The future
  /// completes when it is written; the connection stays open for the server's answer, after
  /// which the server closes TCP (RFC 6455 7.1.1). WebSocketClientProtocolHandler adds the
  /// waiting and the time limit; this is for pipelines without it.
  ChannelFuture close(Channel& channel, CloseWebSocketFrame frame);

 protected:
  /// Throws std::invalid_argument when `uri` is not a ws, wss, http or https URL with a
  /// host (a port, if given, within 1..65535; no fragment, RFC 6455 3).
  WebSocketClientHandshaker(int version, std::string uri, WebSocketClientHandshakerConfig config);

  /// The upgrade request, without Sec-WebSocket-Extensions (handshake() adds the offers). A
  /// new Sec-WebSocket-Key each call, which verify() then expects.
  virtual http::FullHttpRequest newHandshakeRequest() = 0;
  /// Checks the version's rules for `response` (status, Upgrade, Connection, accept key);
  /// an empty Error when they hold.
  virtual Error verify(const http::FullHttpResponse& response) const = 0;
  /// The frame decoder to install, with `config`.
  virtual std::unique_ptr<ChannelHandler> newWebsocketDecoder(
      const WebSocketDecoderConfig& config) = 0;
  /// The frame encoder to install.
  virtual std::unique_ptr<ChannelHandler> newWebSocketEncoder() = 0;

  /// The request line's target: the path and query ("/chat?room=1"), or the whole URL with
  /// absoluteUpgradeUrl (Netty's upgradeUrl()).
  std::string upgradeUrl() const;
  /// The Host header: the host (an IPv6 literal in brackets) and ":port" unless it is the
  /// scheme's default (RFC 6455 4.1 item 4; Netty's websocketHostValue()).
  std::string hostHeaderValue() const;
  /// The Origin header config().generateOriginHeader sends: http or https, the host, the
  /// port unless default (Netty's websocketOriginValue()).
  std::string originHeaderValue() const;

 private:
  struct AcceptedExtension;

  void handshakeOnLoop(Channel& channel, const ChannelPromise& promise);
  /// finishHandshake() without the metrics: the checks and the pipeline switch.
  Error checkAndSwitch(Channel& channel, const http::FullHttpResponse& response);
  Error checkSubprotocol(const http::HttpHeaders& headers,
                         std::optional<std::string>& selectedOut) const;
  Error negotiateExtensions(const http::HttpHeaders& headers,
                            std::vector<AcceptedExtension>& accepted) const;
  Error switchPipeline(Channel& channel, std::vector<AcceptedExtension>& accepted);

  int version_;
  std::string uri_;
  WebSocketClientHandshakerConfig config_;
  WebSocketUri target_;  // uri_'s parts
  // What the last handshake() offered, and asked.
  std::vector<std::shared_ptr<const WebSocketClientExtensionHandshaker>> offeredHandshakers_;
  std::vector<std::string> offeredExtensions_;
  bool handshakeComplete_ = false;
  std::optional<std::string> actualSubprotocol_;
  http::HttpHeaders responseHeaders_;
  std::vector<WebSocketExtensionData> acceptedExtensions_;
};

}  // namespace sluice::websocket
