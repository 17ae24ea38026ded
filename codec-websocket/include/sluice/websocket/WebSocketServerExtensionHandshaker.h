#pragma once

#include <sluice/channel/ChannelHandler.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::websocket {

/// One extension of a Sec-WebSocket-Extensions field: its name and parameters (Netty's
/// WebSocketExtensionData), as in `permessage-deflate; client_max_window_bits`.
struct WebSocketExtensionData {
  std::string name;
  /// The parameters in order; a parameter given without a value has an empty value.
  std::vector<std::pair<std::string, std::string>> parameters;

  /// Whether a parameter named `parameter` is present (names compare case-insensitively).
  bool hasParameter(std::string_view parameter) const noexcept;

  /// The extensions of a Sec-WebSocket-Extensions value (RFC 6455 9.1 grammar: a
  /// comma-separated list of `name *(";" param)`, a parameter value a token or a quoted
  /// string, unquoted here). Elements without a name are skipped; malformed input never
  /// throws. Thread: any.
  static std::vector<WebSocketExtensionData> parse(std::string_view header);

  /// The extension as it appears in a header: `name; a; b=1`.
  std::string toString() const;

  friend bool operator==(const WebSocketExtensionData&, const WebSocketExtensionData&) = default;
};

/// An extension the server accepted for one connection (Netty's WebSocketServerExtension):
/// what the 101 response says about it and the handlers that implement it.
class WebSocketServerExtension {
 public:
  /// The RSV bits an extension may claim (RFC 6455 5.2), for rsv().
  static constexpr int kRsv1 = 0x04;
  static constexpr int kRsv2 = 0x02;
  static constexpr int kRsv3 = 0x01;

  virtual ~WebSocketServerExtension() = default;

  /// The RSV bits the extension gives a meaning to (0 for none). Two extensions claiming the
  /// same bit are never both accepted; when any bit is claimed, the frame decoder accepts
  /// frames with RSV bits set (WebSocketDecoderConfig::allowExtensions).
  virtual int rsv() const = 0;
  /// The handler that transforms frames the application writes (after the application's
  /// handlers, before the frame encoder), or null.
  virtual std::unique_ptr<ChannelHandler> newExtensionEncoder() = 0;
  /// The handler that transforms received frames (after the frame decoder), or null.
  virtual std::unique_ptr<ChannelHandler> newExtensionDecoder() = 0;
  /// The element the 101 response's Sec-WebSocket-Extensions carries for it (RFC 6455 9.1).
  virtual WebSocketExtensionData newResponseData() const = 0;
};

/// Decides whether the server accepts an extension a client offers (Netty's
/// WebSocketServerExtensionHandshaker): permessage-deflate implements it. Registered in
/// WebSocketServerProtocolConfig::extensionHandshakers, on a handshaker, or through a
/// WebSocketServerExtensionHandler in the pipeline.
///
/// Thread: one instance is usually shared by every connection, so handshakeExtension() is
/// called on many loops at once and must not change shared state without synchronisation.
class WebSocketServerExtensionHandshaker {
 public:
  virtual ~WebSocketServerExtensionHandshaker() = default;

  /// The extension accepted for `offer`, one element of the client's
  /// Sec-WebSocket-Extensions, or null to decline it.
  virtual std::unique_ptr<WebSocketServerExtension> handshakeExtension(
      const WebSocketExtensionData& offer) const = 0;
};

}  // namespace sluice::websocket
