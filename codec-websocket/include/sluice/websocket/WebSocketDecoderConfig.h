#pragma once

#include <cstddef>

namespace sluice::websocket {

/// Settings of WebSocket13FrameDecoder (Netty's WebSocketDecoderConfig), with designated
/// initializers: `WebSocketDecoderConfig{.maxFramePayloadLength = 16384}`. Every limit has a
/// safe default.
struct WebSocketDecoderConfig {
  /// The longest frame payload accepted; a longer one fails the connection with 1009 as soon
  /// as its length field arrives, before its payload is buffered.
  std::size_t maxFramePayloadLength = 65536;
  /// The longest message accepted, counted over all of its frames (a fragmented text or
  /// binary message and its continuations), even with no aggregator; longer fails with 1009.
  std::size_t maxMessageLength = 1024 * 1024;
  /// Whether received frames must be masked: true on a server (RFC 6455 5.1: a client MUST
  /// mask every frame), false on a client (a server MUST NOT mask).
  bool expectMaskedFrames = true;
  /// Accept frames whose masking differs from expectMaskedFrames instead of failing.
  bool allowMaskMismatch = false;
  /// Accept the RSV bits set, because an extension that gives them a meaning was negotiated
  /// (permessage-deflate sets this).
  bool allowExtensions = false;
  /// On a protocol violation, send a close frame with the RFC's status and close the
  /// channel. When false the decoder only fires the error and discards further input.
  bool closeOnProtocolViolation = true;
  /// Check that text messages and close reasons are UTF-8 (RFC 6455 8.1), failing with 1007.
  bool withUTF8Validator = true;
};

}  // namespace sluice::websocket
