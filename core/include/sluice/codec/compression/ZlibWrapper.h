#pragma once

#include <cstdint>

namespace sluice {

/// The framing around a deflate stream (RFC 1951), with Netty's names.
enum class ZlibWrapper : std::uint8_t {
  /// The zlib format (RFC 1950): a 2-byte header and an Adler-32 trailer. HTTP's "deflate"
  /// content coding (RFC 9110 8.4.1.2).
  Zlib,
  /// The gzip format (RFC 1952): a 10-byte header and a CRC-32 and length trailer. HTTP's
  /// "gzip" and "x-gzip" content codings (RFC 9110 8.4.1.3).
  Gzip,
  /// Raw deflate with no framing, as WebSocket permessage-deflate uses it (RFC 7692 7.2).
  None,
  /// For decompression only: zlib when the first two bytes are a valid zlib header, raw
  /// deflate otherwise. Some servers send raw deflate as HTTP's "deflate"; browsers accept
  /// both, and so does an Inflater with this wrapper.
  ZlibOrNone,
};

}  // namespace sluice
