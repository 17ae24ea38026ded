#include <arpa/inet.h>
#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/haproxy/HAProxyMessage.h>
#include <sluice/codec/haproxy/HAProxyMessageDecoder.h>

#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include "HAProxyConstants.h"

namespace sluice {
namespace {

using namespace detail;

// True when `seen` (what has arrived) is the start of `prefix`, or starts with all of it.
bool mayStartWith(std::string_view seen, std::string_view prefix) {
  const std::size_t n = std::min(seen.size(), prefix.size());
  return seen.substr(0, n) == prefix.substr(0, n);
}

// A v1 address as the protocol writes it: dotted quad for TCP4, RFC 4291 text for TCP6.
bool isAddress(std::string_view text, int family) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return false;
  }
  std::array<char, INET6_ADDRSTRLEN> z{};
  text.copy(z.data(), text.size());
  std::array<unsigned char, sizeof(in6_addr)> out{};
  return inet_pton(family, z.data(), out.data()) == 1;
}

// A v1 port: 1 to 5 decimal digits, at most 65535, no sign or leading zero.
bool parsePort(std::string_view text, std::uint16_t& port) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) {
    return false;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

std::string inetToString(const std::uint8_t* bytes, int family) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(family, bytes, text.data(), text.size());
  return std::string(text.data());
}

// A Unix socket path: the bytes up to the first NUL of its 108-byte field.
std::string unixPath(std::string_view field) {
  const std::size_t nul = field.find('\0');
  return std::string(field.substr(0, nul));
}

}  // namespace

HAProxyMessageDecoder::HAProxyMessageDecoder(HAProxyMessageDecoderConfig config)
    : ByteToMessageDecoder(ByteToMessageDecoderConfig{.singleDecode = true}), config_(config) {}

void HAProxyMessageDecoder::decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  if (done_) {
    in.skipBytes(in.readableBytes());  // refused: nothing more is read before the close
    return;
  }
  const std::string_view seen = in.toStringView();
  if (seen.empty()) {
    return;
  }
  if (mayStartWith(seen, kProxyV1Prefix)) {
    if (seen.size() >= kProxyV1Prefix.size()) {
      decodeV1(ctx, in, out);
    }
  } else if (mayStartWith(seen, kProxyV2Signature)) {
    if (seen.size() >= kProxyV2HeaderLength) {
      decodeV2(ctx, in, out);
    }
  } else if (config_.required) {
    refuse(ctx, in, "the connection does not start with a PROXY protocol header");
  } else {
    finish(ctx);  // a direct client: its bytes pass on untouched
  }
}

// Version 1 (section 2.1): "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n", at most
// 107 bytes; "PROXY UNKNOWN ...\r\n" for anything else.
void HAProxyMessageDecoder::decodeV1(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  const std::string_view seen = in.toStringView();
  const std::size_t lf = seen.substr(0, kV1MaxLength).find('\n');
  if (lf == std::string_view::npos) {
    if (seen.size() >= kV1MaxLength) {
      refuse(ctx, in, "a v1 header is longer than 107 bytes");
    }
    return;
  }
  if (lf == 0 || seen[lf - 1] != '\r') {
    refuse(ctx, in, "a v1 header must end with CRLF");
    return;
  }
  const std::string_view line = seen.substr(0, lf - 1);
  std::array<std::string_view, 7> fields{};
  std::size_t count = 0;
  for (std::size_t start = 0; count < fields.size();) {
    const std::size_t space = line.find(' ', start);
    fields[count++] = line.substr(start, space - start);
    if (space == std::string_view::npos) {
      break;
    }
    start = space + 1;
  }
  HAProxyMessage msg;
  msg.protocolVersion = HAProxyProtocolVersion::V1;
  msg.command = HAProxyCommand::Proxy;
  const std::string_view protocol = count > 1 ? fields[1] : std::string_view{};
  if (protocol == "UNKNOWN") {
    // The rest of the line may hold anything; the receiver ignores it.
    msg.proxiedProtocol = HAProxyProxiedProtocol::Unknown;
  } else if (protocol == "TCP4" || protocol == "TCP6") {
    const bool v4 = protocol == "TCP4";
    const int family = v4 ? AF_INET : AF_INET6;
    if (count != 6) {
      refuse(ctx, in, fmt::format("a v1 {} header has 6 fields separated by one space", protocol));
      return;
    }
    if (!isAddress(fields[2], family) || !isAddress(fields[3], family)) {
      refuse(ctx, in, fmt::format("a v1 {} header has an invalid address", protocol));
      return;
    }
    if (!parsePort(fields[4], msg.sourcePort) || !parsePort(fields[5], msg.destinationPort)) {
      refuse(ctx, in, "a v1 header has an invalid port");
      return;
    }
    msg.proxiedProtocol = v4 ? HAProxyProxiedProtocol::Tcp4 : HAProxyProxiedProtocol::Tcp6;
    msg.sourceAddress = std::string(fields[2]);
    msg.destinationAddress = std::string(fields[3]);
  } else {
    refuse(ctx, in, "a v1 header names TCP4, TCP6 or UNKNOWN");
    return;
  }
  in.skipBytes(lf + 1);
  relayed(ctx, msg);
  out.emplace_back(std::move(msg));
  finish(ctx);
}

// Version 2 (section 2.2): the 12-byte signature, version and command, family and
// transport, the length of what follows, the addresses, then TLVs.
void HAProxyMessageDecoder::decodeV2(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  const std::size_t base = in.readerIndex();
  const std::uint8_t verCmd = in.getUnsignedByte(base + 12);
  const std::uint8_t family = in.getUnsignedByte(base + 13);
  const std::size_t length = in.getUnsignedShort(base + 14);
  if ((verCmd >> 4) != 2) {
    refuse(ctx, in, fmt::format("a v2 header has version {}, not 2", verCmd >> 4));
    return;
  }
  const std::uint8_t command = verCmd & 0x0f;
  if (command > 1) {
    refuse(ctx, in, fmt::format("a v2 header has an unknown command {}", command));
    return;
  }
  const std::uint8_t af = family >> 4;
  const std::uint8_t transport = family & 0x0f;
  if (af > kProxyAfUnix || transport > kProxyTransportDgram) {
    // "Other values are unspecified and must be rejected as invalid by receivers."
    refuse(ctx, in, fmt::format("a v2 header has an unknown family 0x{:02x}", family));
    return;
  }
  if (kProxyV2HeaderLength + length > config_.maxV2Length) {
    refuse(ctx, in,
           fmt::format("a v2 header of {} bytes exceeds the limit of {}",
                       kProxyV2HeaderLength + length, config_.maxV2Length));
    return;
  }
  if (in.readableBytes() < kProxyV2HeaderLength + length) {
    return;  // wait for the whole header
  }
  const std::string_view block = in.toStringView().substr(kProxyV2HeaderLength, length);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(block.data());
  HAProxyMessage msg;
  msg.protocolVersion = HAProxyProtocolVersion::V2;
  msg.command = command == 0 ? HAProxyCommand::Local : HAProxyCommand::Proxy;
  std::size_t addressLength = 0;
  if (msg.command == HAProxyCommand::Local) {
    // The balancer's own connection: the receiver uses the real endpoints and discards the
    // whole block, family included.
    in.skipBytes(kProxyV2HeaderLength + length);
    out.emplace_back(std::move(msg));
    finish(ctx);
    return;
  }
  if (af != kProxyAfUnspec && transport != kProxyTransportUnspec) {
    const bool stream = transport == kProxyTransportStream;
    if (af == kProxyAfInet) {
      addressLength = kProxyV2Inet4Length;
      msg.proxiedProtocol = stream ? HAProxyProxiedProtocol::Tcp4 : HAProxyProxiedProtocol::Udp4;
    } else if (af == kProxyAfInet6) {
      addressLength = kProxyV2Inet6Length;
      msg.proxiedProtocol = stream ? HAProxyProxiedProtocol::Tcp6 : HAProxyProxiedProtocol::Udp6;
    } else {
      addressLength = kProxyV2UnixLength;
      msg.proxiedProtocol =
          stream ? HAProxyProxiedProtocol::UnixStream : HAProxyProxiedProtocol::UnixDgram;
    }
    if (length < addressLength) {
      refuse(ctx, in,
             fmt::format("a v2 {} header needs {} address bytes, has {}",
                         toString(msg.proxiedProtocol), addressLength, length));
      return;
    }
    if (af == kProxyAfUnix) {
      msg.sourceAddress = unixPath(block.substr(0, kProxyV2UnixPathLength));
      msg.destinationAddress =
          unixPath(block.substr(kProxyV2UnixPathLength, kProxyV2UnixPathLength));
    } else {
      const int inet = af == kProxyAfInet ? AF_INET : AF_INET6;
      const std::size_t size = af == kProxyAfInet ? 4 : 16;
      msg.sourceAddress = inetToString(bytes, inet);
      msg.destinationAddress = inetToString(bytes + size, inet);
      msg.sourcePort = static_cast<std::uint16_t>(bytes[2 * size] << 8 | bytes[2 * size + 1]);
      msg.destinationPort =
          static_cast<std::uint16_t>(bytes[2 * size + 2] << 8 | bytes[2 * size + 3]);
    }
  }
  // AF_UNSPEC or an unspecified transport: accepted, the addresses ignored (section 2.2).
  for (std::size_t at = addressLength; at < length;) {
    if (length - at < 3) {
      refuse(ctx, in, "a v2 TLV is cut short by the end of the header");
      return;
    }
    const std::size_t valueLength = static_cast<std::size_t>(bytes[at + 1] << 8 | bytes[at + 2]);
    if (length - at - 3 < valueLength) {
      refuse(ctx, in, "a v2 TLV overruns the header");
      return;
    }
    msg.tlvs.push_back(HAProxyTLV{bytes[at], std::string(block.substr(at + 3, valueLength))});
    at += 3 + valueLength;
  }
  in.skipBytes(kProxyV2HeaderLength + length);
  relayed(ctx, msg);
  out.emplace_back(std::move(msg));
  finish(ctx);
}

void HAProxyMessageDecoder::refuse(ChannelHandlerContext& ctx, ByteBuf& in, std::string_view why) {
  done_ = true;
  in.skipBytes(in.readableBytes());
  std::string rule = fmt::format("PROXY protocol: {}", why);
  fail(Error(CodecErrc::CorruptedFrame, rule));
  ctx.channel().closeReason().record(CloseInitiator::Protocol, rule);
  ctx.close();
}

void HAProxyMessageDecoder::relayed(ChannelHandlerContext& ctx, const HAProxyMessage& msg) {
  if (std::optional<SocketAddress> client = msg.source()) {
    ctx.channel().setClientAddress(*client);
  }
}

void HAProxyMessageDecoder::finish(ChannelHandlerContext& ctx) {
  done_ = true;
  ctx.pipeline().remove(*this);
}

}  // namespace sluice
