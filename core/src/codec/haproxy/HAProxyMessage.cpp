#include <sluice/codec/haproxy/HAProxyMessage.h>

namespace sluice {
namespace {

bool isInet(HAProxyProxiedProtocol p) {
  return p == HAProxyProxiedProtocol::Tcp4 || p == HAProxyProxiedProtocol::Tcp6 ||
         p == HAProxyProxiedProtocol::Udp4 || p == HAProxyProxiedProtocol::Udp6;
}

}  // namespace

std::optional<SocketAddress> HAProxyMessage::source() const {
  return isInet(proxiedProtocol) ? SocketAddress::parse(sourceAddress, sourcePort) : std::nullopt;
}

std::optional<SocketAddress> HAProxyMessage::destination() const {
  return isInet(proxiedProtocol) ? SocketAddress::parse(destinationAddress, destinationPort)
                                 : std::nullopt;
}

const HAProxyTLV* HAProxyMessage::tlv(std::uint8_t type) const noexcept {
  for (const HAProxyTLV& t : tlvs) {
    if (t.type == type) {
      return &t;
    }
  }
  return nullptr;
}

std::string_view toString(HAProxyProxiedProtocol protocol) noexcept {
  switch (protocol) {
    case HAProxyProxiedProtocol::Unknown:
      return "UNKNOWN";
    case HAProxyProxiedProtocol::Tcp4:
      return "TCP4";
    case HAProxyProxiedProtocol::Tcp6:
      return "TCP6";
    case HAProxyProxiedProtocol::Udp4:
      return "UDP4";
    case HAProxyProxiedProtocol::Udp6:
      return "UDP6";
    case HAProxyProxiedProtocol::UnixStream:
      return "UNIX_STREAM";
    case HAProxyProxiedProtocol::UnixDgram:
      return "UNIX_DGRAM";
  }
  return "UNKNOWN";
}

}  // namespace sluice
