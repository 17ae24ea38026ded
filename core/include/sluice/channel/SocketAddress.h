#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

/// An IPv4 or IPv6 address and port (Netty's InetSocketAddress), or "unspecified" for
/// channels with no network address (EmbeddedChannel). Host names are resolved by the
/// transport's Bootstrap, not here.
class SocketAddress {
 public:
  /// Unspecified.
  SocketAddress() noexcept = default;

  /// Parses a numeric IPv4 ("127.0.0.1") or IPv6 ("::1", "[::1]") address; nullopt if it is
  /// neither.
  static std::optional<SocketAddress> parse(std::string_view ip, std::uint16_t port);
  /// Copies a socket API address; unspecified for families other than AF_INET and AF_INET6.
  static SocketAddress fromSockaddr(const sockaddr* address, socklen_t length) noexcept;

  bool isUnspecified() const noexcept { return length_ == 0; }
  bool isIPv6() const noexcept;
  int family() const noexcept;
  std::uint16_t port() const noexcept;
  /// The address without the port ("127.0.0.1", "::1"); empty when unspecified.
  std::string ip() const;
  /// "127.0.0.1:8080", "[::1]:8080", or "unspecified".
  std::string toString() const;

  const sockaddr* sockaddrPtr() const noexcept {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  socklen_t length() const noexcept { return length_; }

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace sluice
