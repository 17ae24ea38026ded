#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandler.h>
#include <sluice/http/HttpHeaders.h>
#include <sluice/http/HttpObject.h>
#include <sluice/util/Error.h>
#include <sluice/websocket/WebSocketDecoderConfig.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketServerExtensionHandshaker.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
class Channel;
}  // namespace sluice

namespace sluice::websocket {

/// The server side of one WebSocket opening handshake (Netty's WebSocketServerHandshaker):
/// checks an upgrade request, answers it with 101 Switching Protocols, and turns the
/// channel's pipeline from HTTP into WebSocket frames. WebSocketServerHandshaker13 is the
/// version every client speaks (RFC 6455); WebSocketServerHandshakerFactory picks it.
///
/// Most servers never touch a handshaker: WebSocketServerProtocolHandler runs one for them.
/// A handler that upgrades by itself does what Netty users write:
///
/// ```cpp
/// WebSocketServerHandshakerFactory factory("ws://example.com/ws", {"chat"});
/// auto handshaker = factory.newHandshaker(request);
/// if (!handshaker) {
///   WebSocketServerHandshakerFactory::sendUnsupportedVersionResponse(ctx.channel());
/// } else {
///   handshaker->handshake(ctx.channel(), request);
/// }
/// ```
///
/// Pipeline. handshake() supports the two layouts Netty does: an HttpServerCodec, or an
/// HttpRequestDecoder and an HttpResponseEncoder. It removes the HTTP handlers that make no
/// sense on a WebSocket (HttpObjectAggregator, content compression and decompression,
/// HttpServerKeepAliveHandler, HttpServerExpectContinueHandler, and every
/// WebSocketServerExtensionHandler), adds "wsencoder" (WebSocket13FrameEncoder) and
/// "wsdecoder" (WebSocket13FrameDecoder, with the encoder before it so the close frames it
/// sends are encoded) where the HTTP decoder was, writes the 101 through the HTTP encoder,
/// and removes the HTTP codec. Bytes the HTTP decoder held after the request (a client that
/// sent its first frame without waiting) go to "wsdecoder". Accepted extensions put their
/// decoder and encoder right after "wsdecoder".
///
/// A handshaker serves one connection (it remembers the subprotocol it selected). Thread:
/// the channel's loop; handshake() and close() called elsewhere hop to it.
class WebSocketServerHandshaker {
 public:
  /// In the subprotocols a server supports, "*" selects whatever the client asks first.
  static constexpr std::string_view kSubprotocolWildcard = "*";

  virtual ~WebSocketServerHandshaker();
  WebSocketServerHandshaker(const WebSocketServerHandshaker&) = delete;
  WebSocketServerHandshaker& operator=(const WebSocketServerHandshaker&) = delete;

  /// The protocol version, 13.
  int version() const noexcept { return version_; }
  /// The WebSocket URL this handshaker serves (informational; Netty's uri()).
  const std::string& uri() const noexcept { return uri_; }
  /// The subprotocols the server supports, in its order of preference-free listing.
  const std::vector<std::string>& subprotocols() const noexcept { return subprotocols_; }
  /// The settings of the frame decoder handshake() installs (allowExtensions is turned on
  /// when an accepted extension claims RSV bits).
  const WebSocketDecoderConfig& decoderConfig() const noexcept { return decoderConfig_; }
  /// The subprotocol the last handshake selected; nullopt when none was (no match, or the
  /// client asked for none).
  const std::optional<std::string>& selectedSubprotocol() const noexcept { return selected_; }
  /// The extensions the last handshake accepted, as the 101 response lists them.
  const std::vector<WebSocketExtensionData>& acceptedExtensions() const noexcept {
    return acceptedExtensions_;
  }

  /// Asks `handshaker` about the client's extension offers at the next handshake, after
  /// those added before it.
  void addExtensionHandshaker(std::shared_ptr<const WebSocketServerExtensionHandshaker> handshaker);

  /// Checks `request` against RFC 6455 4.2.1 and the version's rules; an empty Error when it
  /// is a valid opening handshake, otherwise a WebSocketHandshakeErrc error.
  Error validateRequest(const http::HttpRequest& request) const { return validate(request); }

  /// The first subprotocol of the client's Sec-WebSocket-Protocol list (`requested`,
  /// comma-separated) that this server supports, or nullopt. RFC 6455 4.2.2 item 5.4: the
  /// server selects one of the client's values, or none; no match is not an error.
  std::optional<std::string> selectSubprotocol(std::string_view requested) const;

  /// Performs the handshake: validates `request`, writes the 101 response (with
  /// `responseHeaders` added) and switches the pipeline to WebSocket frames (see the class
  /// comment). The returned future completes when the 101 has been written; it fails, with
  /// nothing written and the pipeline untouched, when the request is not a valid handshake
  /// (the caller answers it: see newRefusalResponse). `request` is borrowed.
  ChannelFuture handshake(Channel& channel, const http::FullHttpRequest& request);
  ChannelFuture handshake(Channel& channel, const http::FullHttpRequest& request,
                          const http::HttpHeaders& responseHeaders);
  ChannelFuture handshake(Channel& channel, const http::FullHttpRequest& request,
                          const http::HttpHeaders& responseHeaders, ChannelPromise promise);

  /// Starts the closing handshake: writes `frame` and closes the channel once it is written
  /// (Netty's close()). WebSocketServerProtocolHandler waits for the peer's close frame
  /// instead; this is for pipelines without it.
  ChannelFuture close(Channel& channel, CloseWebSocketFrame frame);

  /// The answer to a request `error` (from validateRequest) refuses: the error's status
  /// (400, 403, 405 with "Allow: GET", 426 with "Sec-WebSocket-Version: 13"), the error's
  /// message as a text body, and "Connection: close".
  static http::FullHttpResponse newRefusalResponse(const Error& error);

 protected:
  WebSocketServerHandshaker(int version, std::string uri, std::vector<std::string> subprotocols,
                            WebSocketDecoderConfig decoderConfig);

  /// Checks a request (see validateRequest).
  virtual Error validate(const http::HttpRequest& request) const = 0;
  /// The 101 response to a valid `request`, with `responseHeaders` added and the selected
  /// subprotocol set (through setSelectedSubprotocol).
  virtual http::FullHttpResponse newHandshakeResponse(const http::HttpRequest& request,
                                                      const http::HttpHeaders& responseHeaders) = 0;
  /// The frame decoder to install, with `config`.
  virtual std::unique_ptr<ChannelHandler> newWebsocketDecoder(
      const WebSocketDecoderConfig& config) = 0;
  /// The frame encoder to install.
  virtual std::unique_ptr<ChannelHandler> newWebSocketEncoder() = 0;

  void setSelectedSubprotocol(std::optional<std::string> subprotocol) {
    selected_ = std::move(subprotocol);
  }

 private:
  struct AcceptedExtension;

  void handshakeOnLoop(Channel& channel, const http::FullHttpRequest& request,
                       const http::HttpHeaders& responseHeaders, const ChannelPromise& promise);
  std::vector<AcceptedExtension> negotiateExtensions(Channel& channel,
                                                     const http::HttpRequest& request);

  int version_;
  std::string uri_;
  std::vector<std::string> subprotocols_;
  WebSocketDecoderConfig decoderConfig_;
  std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>> extensionHandshakers_;
  std::optional<std::string> selected_;
  std::vector<WebSocketExtensionData> acceptedExtensions_;
};

}  // namespace sluice::websocket
