#pragma once

#include <sluice/channel/SocketAddress.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

/// An IPv4 or IPv6 address range in CIDR notation ("10.0.0.0/8", "2001:db8::/32", or one
/// address): what Netty's IpSubnetFilterRule matches. The trusted-proxy list of
/// HttpForwardedHandler is made of these. An IPv4-mapped IPv6 address (::ffff:10.1.2.3, how
/// a dual-stack socket reports an IPv4 peer) matches the IPv4 ranges that hold its IPv4
/// address. A plain value. Thread: any.
class IpSubnet {
 public:
  /// Parses "address" or "address/prefix"; throws std::invalid_argument for anything else (a
  /// host name, a prefix longer than the address). Bits beyond the prefix are ignored:
  /// "10.1.2.3/8" is 10.0.0.0/8.
  explicit IpSubnet(std::string_view cidr);

  bool contains(const SocketAddress& address) const noexcept;
  /// `ip` is a numeric address without a port; false for anything that does not parse.
  bool contains(std::string_view ip) const noexcept;

  /// "10.0.0.0/8", "2001:db8::/32".
  std::string toString() const;

  friend bool operator==(const IpSubnet&, const IpSubnet&) = default;

 private:
  bool containsBytes(const std::uint8_t* bytes, bool v6) const noexcept;

  std::array<std::uint8_t, 16> network_{};
  int prefix_ = 0;
  bool v6_ = false;
};

}  // namespace sluice
