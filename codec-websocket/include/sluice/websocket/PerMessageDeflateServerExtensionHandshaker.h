#pragma once

#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/WebSocketServerExtensionHandshaker.h>

#include <cstddef>
#include <memory>

namespace sluice::websocket {

/// Settings of the server's permessage-deflate (RFC 7692), with Netty's defaults: level 6,
/// window 15, memLevel 8, every message compressed, context takeover both ways unless a
/// client asks otherwise.
///
/// Memory tiers (heap bytes a connection's permessage-deflate keeps, measured by
/// benchmarks/micro/PerMessageDeflateMemoryBenchmark; docs/websocket.md has the table):
/// - sharedTier(): no context takeover either way, so no compressor or decompressor state
///   is kept between messages; whole messages are compressed by libdeflate (shared per
///   thread) and inflated by pooled zlib state. About 2 KiB (the handlers).
/// - dedicatedTier() (the defaults): the windows are kept (best ratio for streams of similar
///   messages). About 300 KiB with zlib's default sizes.
/// - dedicatedSmallTier(): the windows kept but smaller (2^12, memLevel 5). About 50 KiB.
/// - dedicatedTinyTier(): 2^10 windows and memLevel 3. About 23 KiB.
struct PerMessageDeflateServerConfig {
  /// 0 (store only) to 9.
  int compressionLevel = 6;
  /// zlib's memLevel for the server's compressor, 1 to 9.
  int memLevel = 8;
  /// The largest window the server compresses with, 9 to 15. Below 15 the response carries
  /// server_max_window_bits (RFC 7692 7.1.2.1 lets a server add it unasked).
  int serverMaxWindowBits = 15;
  /// Never take the server's window over to the next message: the response always carries
  /// server_no_context_takeover (RFC 7692 7.1.1.1 lets a server add it unasked).
  bool serverNoContextTakeover = false;
  /// Accept offers with server_no_context_takeover (RFC 7692 7.1.1.1 RECOMMENDS it); false
  /// declines them (Netty's allowServerNoContext).
  bool allowServerNoContextTakeover = true;
  /// Accept offers with server_max_window_bits (Netty's allowServerWindowSize); false
  /// declines them. An offer of 8 is declined anyway: zlib cannot compress raw deflate with
  /// a 256-byte window, and the answer may not be larger than the offer.
  bool allowServerWindowSize = true;
  /// The window the server asks clients to compress with, 8 to 15, when they offer
  /// client_max_window_bits (RFC 7692 7.1.2.2; Netty's preferredClientWindowSize). 15 asks
  /// nothing; a client's smaller hint is followed anyway.
  int clientMaxWindowBits = 15;
  /// Ask clients not to take their window over (client_no_context_takeover in the response;
  /// Netty's preferredClientNoContext), so no inflate window is kept between messages. A
  /// client offering it gets it agreed either way.
  bool clientNoContextTakeover = false;
  /// Whole messages shorter than this go out uncompressed.
  std::size_t compressionThreshold = 0;
  /// The inflated size limit of a message; 0 uses the frame decoder's maxMessageLength.
  std::size_t maxMessageLength = 0;
  /// The engines (DeflateEngineKind::Auto: libdeflate for whole messages without context
  /// takeover, zlib otherwise).
  DeflateEngineKind deflateEngine = DeflateEngineKind::Auto;
  DeflateEngineKind inflateEngine = DeflateEngineKind::Auto;

  /// No context takeover either way: no per-connection compression state.
  static PerMessageDeflateServerConfig sharedTier() {
    return {.serverNoContextTakeover = true, .clientNoContextTakeover = true};
  }
  /// Netty's defaults: 32 KiB windows kept both ways, memLevel 8.
  static PerMessageDeflateServerConfig dedicatedTier() { return {}; }
  /// Windows kept, 4 KiB, memLevel 5.
  static PerMessageDeflateServerConfig dedicatedSmallTier() {
    return {.memLevel = 5, .serverMaxWindowBits = 12, .clientMaxWindowBits = 12};
  }
  /// Windows kept, 1 KiB (RFC 7692 7.3: the smallest useful one), memLevel 3.
  static PerMessageDeflateServerConfig dedicatedTinyTier() {
    return {.memLevel = 3, .serverMaxWindowBits = 10, .clientMaxWindowBits = 10};
  }
};

/// The server's side of permessage-deflate negotiation (RFC 7692 5, 7.1; Netty's
/// PerMessageDeflateServerExtensionHandshaker). For each offer named permessage-deflate it
/// either accepts, answering with the agreed parameters, or declines, so that the client's
/// next offer (or no compression) is used. An offer is declined, as RFC 7692 7 requires,
/// when it has a parameter not defined for offers, a parameter twice, or an invalid value
/// (a window outside 8 to 15, with a leading zero, or a value where none belongs); and when
/// the server does not support what it asks (see allowServerNoContextTakeover,
/// allowServerWindowSize, and server_max_window_bits=8).
///
/// The accepted extension installs a PerMessageDeflateDecoder and a PerMessageDeflateEncoder
/// configured with the agreed parameters. Usually used through
/// WebSocketServerCompressionHandler.
///
/// Thread: any; immutable, shared by every connection.
class PerMessageDeflateServerExtensionHandshaker final : public WebSocketServerExtensionHandshaker {
 public:
  /// The extension's registered name.
  static constexpr std::string_view kExtensionName = "permessage-deflate";

  /// Throws std::invalid_argument for settings out of range.
  explicit PerMessageDeflateServerExtensionHandshaker(PerMessageDeflateServerConfig config = {});

  std::unique_ptr<WebSocketServerExtension> handshakeExtension(
      const WebSocketExtensionData& offer) const override;

  const PerMessageDeflateServerConfig& config() const noexcept { return config_; }

 private:
  PerMessageDeflateServerConfig config_;
};

}  // namespace sluice::websocket
