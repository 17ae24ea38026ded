#include <arpa/inet.h>
#include <fmt/format.h>
#include <sluice/codec/haproxy/HAProxyMessageEncoder.h>

#include <array>
#include <stdexcept>
#include <string>

#include "HAProxyConstants.h"

namespace sluice {
namespace {

using namespace detail;

std::array<std::uint8_t, 16> inetBytes(const std::string& text, int family) {
  std::array<std::uint8_t, 16> out{};
  if (inet_pton(family, text.c_str(), out.data()) != 1) {
    throw std::invalid_argument(
        fmt::format("'{}' is not an IPv{} address", text, family == AF_INET ? 4 : 6));
  }
  return out;
}

void encodeV1(const HAProxyMessage& msg, ByteBuf& out) {
  const bool v4 = msg.proxiedProtocol == HAProxyProxiedProtocol::Tcp4;
  if (msg.command == HAProxyCommand::Local ||
      (!v4 && msg.proxiedProtocol != HAProxyProxiedProtocol::Tcp6)) {
    out.writeBytes(std::string_view("PROXY UNKNOWN\r\n"));
    return;
  }
  inetBytes(msg.sourceAddress, v4 ? AF_INET : AF_INET6);  // validates
  inetBytes(msg.destinationAddress, v4 ? AF_INET : AF_INET6);
  out.writeBytes(fmt::format("PROXY {} {} {} {} {}\r\n", v4 ? "TCP4" : "TCP6", msg.sourceAddress,
                             msg.destinationAddress, msg.sourcePort, msg.destinationPort));
}

void encodeV2(const HAProxyMessage& msg, ByteBuf& out) {
  std::uint8_t af = kProxyAfUnspec;
  std::uint8_t transport = kProxyTransportUnspec;
  std::size_t addressLength = 0;
  switch (msg.proxiedProtocol) {
    case HAProxyProxiedProtocol::Tcp4:
    case HAProxyProxiedProtocol::Udp4:
      af = kProxyAfInet;
      addressLength = kProxyV2Inet4Length;
      break;
    case HAProxyProxiedProtocol::Tcp6:
    case HAProxyProxiedProtocol::Udp6:
      af = kProxyAfInet6;
      addressLength = kProxyV2Inet6Length;
      break;
    case HAProxyProxiedProtocol::UnixStream:
    case HAProxyProxiedProtocol::UnixDgram:
      af = kProxyAfUnix;
      addressLength = kProxyV2UnixLength;
      break;
    case HAProxyProxiedProtocol::Unknown:
      break;
  }
  if (af != kProxyAfUnspec) {
    const bool dgram = msg.proxiedProtocol == HAProxyProxiedProtocol::Udp4 ||
                       msg.proxiedProtocol == HAProxyProxiedProtocol::Udp6 ||
                       msg.proxiedProtocol == HAProxyProxiedProtocol::UnixDgram;
    transport = dgram ? kProxyTransportDgram : kProxyTransportStream;
  }
  std::size_t length = addressLength;
  for (const HAProxyTLV& tlv : msg.tlvs) {
    if (tlv.value.size() > 0xffff) {
      throw std::invalid_argument("a PROXY v2 TLV holds at most 65535 bytes");
    }
    length += 3 + tlv.value.size();
  }
  if (length > 0xffff) {
    throw std::invalid_argument("a PROXY v2 header holds at most 65535 bytes after its prefix");
  }
  out.writeBytes(kProxyV2Signature);
  out.writeByte(msg.command == HAProxyCommand::Local ? 0x20 : 0x21);
  out.writeByte(static_cast<std::uint8_t>(af << 4 | transport));
  out.writeShort(static_cast<std::uint16_t>(length));
  if (af == kProxyAfInet || af == kProxyAfInet6) {
    const int family = af == kProxyAfInet ? AF_INET : AF_INET6;
    const std::size_t size = af == kProxyAfInet ? 4 : 16;
    out.writeBytes(
        std::span<const std::uint8_t>(inetBytes(msg.sourceAddress, family).data(), size));
    out.writeBytes(
        std::span<const std::uint8_t>(inetBytes(msg.destinationAddress, family).data(), size));
    out.writeShort(msg.sourcePort);
    out.writeShort(msg.destinationPort);
  } else if (af == kProxyAfUnix) {
    for (const std::string* path : {&msg.sourceAddress, &msg.destinationAddress}) {
      if (path->size() >= kProxyV2UnixPathLength) {
        throw std::invalid_argument("a Unix socket path in a PROXY header is under 108 bytes");
      }
      out.writeBytes(std::string_view(*path));
      out.writeZero(kProxyV2UnixPathLength - path->size());
    }
  }
  for (const HAProxyTLV& tlv : msg.tlvs) {
    out.writeByte(tlv.type);
    out.writeShort(static_cast<std::uint16_t>(tlv.value.size()));
    out.writeBytes(std::string_view(tlv.value));
  }
}

}  // namespace

void HAProxyMessageEncoder::encode(const HAProxyMessage& msg, ByteBuf& out) {
  if (msg.protocolVersion == HAProxyProtocolVersion::V1) {
    encodeV1(msg, out);
  } else {
    encodeV2(msg, out);
  }
}

void HAProxyMessageEncoder::encode(ChannelHandlerContext&, HAProxyMessage& msg, ByteBuf& out) {
  encode(static_cast<const HAProxyMessage&>(msg), out);
}

}  // namespace sluice
