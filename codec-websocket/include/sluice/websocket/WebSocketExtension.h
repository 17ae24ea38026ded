#pragma once

#include <sluice/channel/ChannelHandler.h>

#include <memory>

namespace sluice::websocket {

/// An extension negotiated for one connection (Netty's WebSocketExtension): the RSV bits it
/// gives a meaning to and the handlers that implement it. WebSocketServerExtension and
/// WebSocketClientExtension derive from it; permessage-deflate is the common one.
///
/// The handshaker that accepted it installs its handlers right after the frame decoder
/// ("wsdecoder"), in the order the extensions are listed in the 101 response: received
/// frames pass the first-listed extension's decoder first, and frames the application writes
/// reach the first-listed extension's encoder last, right before the frame encoder.
///
/// Thread: made and used on the connection's loop.
class WebSocketExtension {
 public:
  /// The RSV bits an extension may claim (RFC 6455 5.2), for rsv().
  static constexpr int kRsv1 = 0x04;
  static constexpr int kRsv2 = 0x02;
  static constexpr int kRsv3 = 0x01;

  virtual ~WebSocketExtension() = default;

  /// The RSV bits the extension gives a meaning to (0 for none). Two extensions claiming the
  /// same bit are never both in use (RFC 6455 9); when any bit is claimed, the frame decoder
  /// accepts frames with RSV bits set (WebSocketDecoderConfig::allowExtensions).
  virtual int rsv() const = 0;
  /// The handler that transforms frames the application writes (after the application's
  /// handlers, before the frame encoder), or null.
  virtual std::unique_ptr<ChannelHandler> newExtensionEncoder() = 0;
  /// The handler that transforms received frames (after the frame decoder), or null.
  virtual std::unique_ptr<ChannelHandler> newExtensionDecoder() = 0;
};

}  // namespace sluice::websocket
