#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::detail {

// The PROXY protocol's fixed parts (HAProxy's "proxy-protocol.txt", sections 2.1 and 2.2).
inline constexpr std::string_view kProxyV1Prefix = "PROXY ";
inline constexpr std::string_view kProxyV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};
inline constexpr std::size_t kProxyV2HeaderLength = 16;  // signature, ver_cmd, fam, len
// Address block sizes per family: two addresses and two ports; Unix paths are 108 bytes.
inline constexpr std::size_t kProxyV2Inet4Length = 12;
inline constexpr std::size_t kProxyV2Inet6Length = 36;
inline constexpr std::size_t kProxyV2UnixLength = 216;
inline constexpr std::size_t kProxyV2UnixPathLength = 108;
// The high nibble of the family byte, and the low one.
inline constexpr std::uint8_t kProxyAfUnspec = 0x0, kProxyAfInet = 0x1, kProxyAfInet6 = 0x2,
                              kProxyAfUnix = 0x3;
inline constexpr std::uint8_t kProxyTransportUnspec = 0x0, kProxyTransportStream = 0x1,
                              kProxyTransportDgram = 0x2;

}  // namespace sluice::detail
