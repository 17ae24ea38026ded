#pragma once

#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/WebSocketClientExtensionHandshaker.h>

#include <cstddef>
#include <memory>
#include <string_view>

namespace sluice::websocket {

/// Settings of the client's permessage-deflate (RFC 7692), with Netty's defaults: level 6,
/// window 15, memLevel 8, offering client_max_window_bits and nothing else.
struct PerMessageDeflateClientConfig {
  /// 0 (store only) to 9.
  int compressionLevel = 6;
  /// zlib's memLevel for the client's compressor, 1 to 9.
  int memLevel = 8;
  /// Offer client_max_window_bits, letting the server limit the client's window (Netty's
  /// allowClientWindowSize). A server asking for 8 is refused: zlib cannot compress raw
  /// deflate with a 256-byte window.
  bool allowClientWindowSize = true;
  /// Ask the server to compress with at most this window, 8 to 15 (server_max_window_bits;
  /// Netty's requestedServerWindowSize). 15 asks nothing.
  int requestedServerWindowSize = 15;
  /// Ask the server not to take its window over (server_no_context_takeover; Netty's
  /// requestedServerNoContext), so the client keeps no inflate window between messages.
  bool requestedServerNoContext = false;
  /// Compress every message with an empty window, and say so in the offer
  /// (client_no_context_takeover): no compressor state kept between messages.
  bool clientNoContextTakeover = false;
  /// Whole messages shorter than this go out uncompressed.
  std::size_t compressionThreshold = 0;
  /// The inflated size limit of a message; 0 uses the frame decoder's maxMessageLength.
  std::size_t maxMessageLength = 0;
  DeflateEngineKind deflateEngine = DeflateEngineKind::Auto;
  DeflateEngineKind inflateEngine = DeflateEngineKind::Auto;
};

/// The client's side of permessage-deflate negotiation (RFC 7692 5, 7.1; Netty's
/// PerMessageDeflateClientExtensionHandshaker): offers one element built from the config and
/// checks the server's answer. The answer is refused (the handshake fails, RFC 7692 7: the
/// client MUST fail the connection) when it has a parameter not defined for responses, one
/// twice, an invalid value, client_max_window_bits that was not offered or is 8,
/// a server_max_window_bits larger than requested or missing when requested, or no
/// server_no_context_takeover when it was requested. client_no_context_takeover is always
/// accepted (RFC 7692 7.1.1.2: a client MUST support it).
///
/// Thread: any; immutable, shared by every connection.
class PerMessageDeflateClientExtensionHandshaker final : public WebSocketClientExtensionHandshaker {
 public:
  static constexpr std::string_view kExtensionName = "permessage-deflate";

  /// Throws std::invalid_argument for settings out of range.
  explicit PerMessageDeflateClientExtensionHandshaker(PerMessageDeflateClientConfig config = {});

  WebSocketExtensionData newRequestData() const override;
  std::unique_ptr<WebSocketClientExtension> handshakeExtension(
      const WebSocketExtensionData& response) const override;

  const PerMessageDeflateClientConfig& config() const noexcept { return config_; }

 private:
  PerMessageDeflateClientConfig config_;
};

}  // namespace sluice::websocket
