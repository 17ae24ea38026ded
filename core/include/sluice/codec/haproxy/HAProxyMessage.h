#pragma once

#include <sluice/channel/SocketAddress.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// The version of a PROXY protocol header (Netty's HAProxyProtocolVersion).
enum class HAProxyProtocolVersion : std::uint8_t { V1 = 1, V2 = 2 };

/// What a PROXY header says about the connection (Netty's HAProxyCommand).
enum class HAProxyCommand : std::uint8_t {
  /// The balancer's own connection (a health check): no client addresses; use the real ones.
  Local,
  /// A relayed client connection: the addresses are the client's and the balancer's.
  Proxy,
};

/// The relayed connection's transport and address family (Netty's HAProxyProxiedProtocol).
enum class HAProxyProxiedProtocol : std::uint8_t {
  Unknown,
  Tcp4,
  Tcp6,
  Udp4,
  Udp6,
  UnixStream,
  UnixDgram,
};

/// A type-length-value extension of a v2 header (Netty's HAProxyTLV).
struct HAProxyTLV {
  /// PP2_TYPE_* values of the specification; others are passed on as they came.
  enum Type : std::uint8_t {
    kAlpn = 0x01,
    kAuthority = 0x02,
    kCrc32c = 0x03,
    kNoop = 0x04,
    kUniqueId = 0x05,
    kSsl = 0x20,
    kNetns = 0x30,
  };
  std::uint8_t type = 0;
  /// The value's bytes as they came (PP2_TYPE_SSL keeps its sub-TLVs inside).
  std::string value;

  friend bool operator==(const HAProxyTLV&, const HAProxyTLV&) = default;
};

/// A decoded PROXY protocol header, v1 or v2 (Netty's HAProxyMessage): who the client
/// really is when a TCP balancer (HAProxy, AWS NLB, Envoy...) relays its connection.
/// HAProxyMessageDecoder fires one as the first message of a connection;
/// HAProxyMessageEncoder writes one. A plain value.
struct HAProxyMessage {
  HAProxyProtocolVersion protocolVersion = HAProxyProtocolVersion::V1;
  HAProxyCommand command = HAProxyCommand::Proxy;
  HAProxyProxiedProtocol proxiedProtocol = HAProxyProxiedProtocol::Unknown;
  /// Numeric addresses ("192.0.2.1", "2001:db8::1") or, for Unix sockets, paths. Empty for
  /// Local and Unknown.
  std::string sourceAddress;
  std::string destinationAddress;
  std::uint16_t sourcePort = 0;
  std::uint16_t destinationPort = 0;
  /// v2 only.
  std::vector<HAProxyTLV> tlvs;

  /// The client's address and port, for TCP and UDP over IPv4 and IPv6; nullopt otherwise.
  std::optional<SocketAddress> source() const;
  /// The address the client connected to (the balancer's), likewise.
  std::optional<SocketAddress> destination() const;
  /// The first TLV of `type`, or null.
  const HAProxyTLV* tlv(std::uint8_t type) const noexcept;

  friend bool operator==(const HAProxyMessage&, const HAProxyMessage&) = default;
};

/// "TCP4", "TCP6", "UDP4", "UDP6", "UNIX_STREAM", "UNIX_DGRAM" or "UNKNOWN".
std::string_view toString(HAProxyProxiedProtocol protocol) noexcept;

}  // namespace sluice
