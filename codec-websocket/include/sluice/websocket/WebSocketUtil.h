#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::websocket {

/// Helpers of the WebSocket codecs (Netty's WebSocketUtil).
struct WebSocketUtil {
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
