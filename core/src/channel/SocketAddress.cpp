#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sluice/channel/SocketAddress.h>

#include <cstring>

namespace sluice {

std::optional<SocketAddress> SocketAddress::parse(std::string_view ip, std::uint16_t port) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') {
    ip = ip.substr(1, ip.size() - 2);
  }
  const std::string text(ip);
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length_ = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length_ = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

SocketAddress SocketAddress::fromSockaddr(const sockaddr* address, socklen_t length) noexcept {
  SocketAddress a;
  if (address == nullptr) {
    return a;
  }
  if ((address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) ||
      (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6))) {
    a.length_ = address->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    std::memcpy(&a.storage_, address, a.length_);
  }
  return a;
}

bool SocketAddress::isIPv6() const noexcept { return family() == AF_INET6; }

int SocketAddress::family() const noexcept { return length_ == 0 ? AF_UNSPEC : storage_.ss_family; }

std::uint16_t SocketAddress::port() const noexcept {
  switch (family()) {
    case AF_INET:
      return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    case AF_INET6:
      return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    default:
      return 0;
  }
}

std::string SocketAddress::ip() const {
  char text[INET6_ADDRSTRLEN] = {};
  switch (family()) {
    case AF_INET:
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text,
                sizeof(text));
      return text;
    case AF_INET6:
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text,
                sizeof(text));
      return text;
    default:
      return {};
  }
}

std::string SocketAddress::toString() const {
  switch (family()) {
    case AF_INET:
      return fmt::format("{}:{}", ip(), port());
    case AF_INET6:
      return fmt::format("[{}]:{}", ip(), port());
    default:
      return "unspecified";
  }
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
  return a.length_ == b.length_ && std::memcmp(&a.storage_, &b.storage_, a.length_) == 0;
}

}  // namespace sluice
