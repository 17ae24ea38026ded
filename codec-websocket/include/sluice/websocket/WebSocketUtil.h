#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::websocket {

/// Helpers of the WebSocket codecs (Netty's WebSocketUtil).
struct WebSocketUtil {
  /// The GUID RFC 6455 1.3 appends to the key.
  static constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /// Sec-WebSocket-Accept for `key` (RFC 6455 4.2.2 item 5.4, checked by the client in 4.1):
  /// base64(SHA-1(key + GUID)), computed with OpenSSL. Thread: any.
  static std::string acceptKey(std::string_view key);

  /// The base64 encoding of `data` (RFC 4648 4, padded). Thread: any.
  static std::string base64(std::span<const std::uint8_t> data);

  /// `n` bytes from OpenSSL's cryptographically strong generator (RAND_bytes), for nonces a
  /// script cannot predict (RFC 6455 4.1: Sec-WebSocket-Key; 10.3). Throws
  /// std::runtime_error if the generator fails (it is not seeded). Thread: any.
  static std::vector<std::uint8_t> randomBytes(std::size_t n);

  /// XORs `data` in place with the masking key (RFC 6455 5.3): byte i with key byte i % 4.
  /// `maskingKey` holds the four key bytes in wire order in memory, i.e. it is the 32-bit
  /// word loaded from the frame header as it is (no byte swap). Masking twice unmasks.
  /// Works 16 bytes at a time. Thread: any.
  static void mask(std::span<std::uint8_t> data, std::uint32_t maskingKey) noexcept;

  /// Writes `src` XOR the masking key to `dst` (src.size() bytes; the two must not overlap
  /// unless they are the same), for masking into a new buffer in one pass.
  static void maskCopy(std::uint8_t* dst, std::span<const std::uint8_t> src,
                       std::uint32_t maskingKey) noexcept;
};

}  // namespace sluice::websocket
