#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sluice/handler/ipfilter/IpSubnet.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace sluice {
namespace {

// Parses a numeric address into `out` (4 or 16 bytes); false if it is neither family.
bool parseIp(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v6) {
  char z[INET6_ADDRSTRLEN] = {};
  if (text.empty() || text.size() >= sizeof(z)) {
    return false;
  }
  text.copy(z, text.size());
  if (inet_pton(AF_INET, z, out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, z, out.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

// ::ffff:a.b.c.d, the IPv4-mapped form (RFC 4291 2.5.5.2).
bool isV4Mapped(const std::uint8_t* b) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(b, kPrefix, sizeof(kPrefix)) == 0;
}

}  // namespace

IpSubnet::IpSubnet(std::string_view cidr) {
  const std::size_t slash = cidr.find('/');
  if (!parseIp(cidr.substr(0, slash), network_, v6_)) {
    throw std::invalid_argument(fmt::format("'{}' is not an IP address or CIDR range", cidr));
  }
  const int bits = v6_ ? 128 : 32;
  prefix_ = bits;
  if (slash != std::string_view::npos) {
    const std::string_view p = cidr.substr(slash + 1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix_);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || prefix_ < 0 ||
        prefix_ > bits) {
      throw std::invalid_argument(fmt::format("'{}' has an invalid prefix length", cidr));
    }
  }
  // Clear the host bits, so equal ranges compare equal and contains() compares whole bytes.
  for (int i = 0; i < 16; ++i) {
    const int keep = std::min(8, std::max(0, prefix_ - 8 * i));
    network_[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(0xff00 >> keep);
  }
}

bool IpSubnet::containsBytes(const std::uint8_t* bytes, bool v6) const noexcept {
  if (v6 && !v6_ && isV4Mapped(bytes)) {
    bytes += 12;
    v6 = false;
  }
  if (v6 != v6_) {
    return false;
  }
  const int whole = prefix_ / 8;
  if (std::memcmp(bytes, network_.data(), static_cast<std::size_t>(whole)) != 0) {
    return false;
  }
  const int rest = prefix_ % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xff00 >> rest);
  return (bytes[whole] & mask) == network_[static_cast<std::size_t>(whole)];
}

bool IpSubnet::contains(const SocketAddress& address) const noexcept {
  if (address.isUnspecified()) {
    return false;
  }
  if (address.isIPv6()) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address.sockaddrPtr());
    return containsBytes(in6->sin6_addr.s6_addr, true);
  }
  const auto* in4 = reinterpret_cast<const sockaddr_in*>(address.sockaddrPtr());
  return containsBytes(reinterpret_cast<const std::uint8_t*>(&in4->sin_addr.s_addr), false);
}

bool IpSubnet::contains(std::string_view ip) const noexcept {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;
  return parseIp(ip, bytes, v6) && containsBytes(bytes.data(), v6);
}

std::string IpSubnet::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, network_.data(), text, sizeof(text));
  return fmt::format("{}/{}", text, prefix_);
}

}  // namespace sluice
