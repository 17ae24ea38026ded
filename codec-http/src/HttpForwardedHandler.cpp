#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/http/HttpForwardedHandler.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpObject.h>
#include <sluice/util/AttributeKey.h>

#include <charconv>

namespace sluice::http {
namespace {

// Who sent the connection's first request: the peer, or the client a PROXY protocol header
// named. Later requests are judged by it, not by the client an earlier request named.
const AttributeKey<SocketAddress> kSender{"sluice.http.forwarded.sender"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits every field of `name` at commas into hops, in order. No hop holds a comma: neither
// an address nor a Forwarded element can (quoted strings with commas are not node names).
std::vector<std::string_view> hops(const HttpHeaders& headers, HttpHeaderName name) {
  std::vector<std::string_view> out;
  for (std::string_view field : headers.getAll(name)) {
    for (std::size_t start = 0;;) {
      const std::size_t comma = field.find(',', start);
      out.push_back(trim(field.substr(start, comma - start)));
      if (comma == std::string_view::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  return out;
}

// The `for` parameter of one Forwarded element (RFC 7239 4: "for=192.0.2.60;proto=http"),
// unquoted; empty if it has none.
std::string_view forParameter(std::string_view element) {
  for (std::size_t start = 0; start <= element.size();) {
    const std::size_t semi = element.find(';', start);
    const std::string_view pair = trim(element.substr(start, semi - start));
    if (pair.size() > 4 && (pair[0] == 'f' || pair[0] == 'F') &&
        (pair[1] == 'o' || pair[1] == 'O') && (pair[2] == 'r' || pair[2] == 'R') &&
        pair[3] == '=') {
      std::string_view value = pair.substr(4);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    if (semi == std::string_view::npos) {
      break;
    }
    start = semi + 1;
  }
  return {};
}

// A node as the headers write it: "192.0.2.60", "192.0.2.60:8080", "[2001:db8::1]",
// "[2001:db8::1]:4711", or a bare IPv6 address (X-Forwarded-For). The port is 0 when absent.
std::optional<SocketAddress> parseNode(std::string_view node) {
  std::uint16_t port = 0;
  std::string_view ip = node;
  const auto parsePort = [&port](std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) {
      return false;
    }
    port = static_cast<std::uint16_t>(value);
    return true;
  };
  if (!node.empty() && node.front() == '[') {
    const std::size_t close = node.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    ip = node.substr(1, close - 1);
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !parsePort(rest.substr(1)))) {
      return std::nullopt;
    }
  } else if (node.find(':') == node.rfind(':') && node.find(':') != std::string_view::npos) {
    // One colon: IPv4 with a port. More than one: a bare IPv6 address.
    const std::size_t colon = node.find(':');
    ip = node.substr(0, colon);
    if (!parsePort(node.substr(colon + 1))) {
      return std::nullopt;
    }
  }
  return SocketAddress::parse(ip, port);
}

}  // namespace

HttpForwardedHandler::HttpForwardedHandler(HttpForwardedConfig config)
    : config_(std::move(config)) {}

bool HttpForwardedHandler::isTrusted(const SocketAddress& address) const noexcept {
  for (const IpSubnet& subnet : config_.trustedProxies) {
    if (subnet.contains(address)) {
      return true;
    }
  }
  return false;
}

std::optional<SocketAddress> HttpForwardedHandler::resolveClient(const SocketAddress& sender,
                                                                 const HttpHeaders& headers) const {
  if (!isTrusted(sender)) {
    return std::nullopt;  // anyone may write these headers; only a trusted proxy is believed
  }
  std::vector<std::string_view> nodes;
  if (config_.useForwarded && headers.contains(HttpHeaderNames::kForwarded)) {
    for (std::string_view element : hops(headers, HttpHeaderNames::kForwarded)) {
      nodes.push_back(forParameter(element));
    }
  } else if (config_.useXForwardedFor && headers.contains(HttpHeaderNames::kXForwardedFor)) {
    nodes = hops(headers, HttpHeaderNames::kXForwardedFor);
  }
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    std::optional<SocketAddress> node = parseNode(*it);
    if (!node) {
      return std::nullopt;  // "unknown", obfuscated or malformed: nothing further is known
    }
    if (!isTrusted(*node)) {
      return node;
    }
  }
  return std::nullopt;  // every hop was a trusted proxy: the connection's own address stays
}

void HttpForwardedHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (const auto* request = msg.getIf<HttpRequest>()) {
    Channel& ch = ctx.channel();
    const SocketAddress& sender = ch.attr(kSender).setIfAbsent(ch.clientAddress());
    if (std::optional<SocketAddress> client = resolveClient(sender, request->headers())) {
      ch.setClientAddress(*client);
    }
  }
  ctx.fireChannelRead(std::move(msg));
}

}  // namespace sluice::http
