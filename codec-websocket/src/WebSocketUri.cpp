#include <sluice/websocket/WebSocketUri.h>

#include <charconv>

namespace sluice::websocket {

namespace {

char toLower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = toLower(c);
  }
  return out;
}

// Space, controls, DEL and bytes above 0x7F are not URL characters (RFC 3986 2); "#" starts
// a fragment, which RFC 6455 3 forbids.
bool isForbidden(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u >= 0x7F || c == '#';
}

}  // namespace

std::optional<WebSocketUri> WebSocketUri::parse(std::string_view url) {
  for (char c : url) {
    if (isForbidden(c)) {
      return std::nullopt;
    }
  }
  std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  WebSocketUri uri;
  uri.scheme_ = lower(url.substr(0, colon));
  if (uri.scheme_ != "ws" && uri.scheme_ != "wss") {
    return std::nullopt;
  }
  std::string_view rest = url.substr(colon + 3);
  std::size_t authorityEnd = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authorityEnd);
  std::string_view target =
      authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);
  if (authority.find('@') != std::string_view::npos) {
    return std::nullopt;  // credentials in the URL: send an Authorization header instead
  }

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return std::nullopt;
      }
      port = after.substr(1);
      if (port.empty()) {
        return std::nullopt;
      }
    }
    if (host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return std::nullopt;
    }
  } else {
    std::size_t portColon = authority.rfind(':');
    host = authority.substr(0, portColon);
    if (portColon != std::string_view::npos) {
      port = authority.substr(portColon + 1);
      if (port.empty()) {
        return std::nullopt;
      }
    }
    if (host.find_first_of("[]:") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  if (host.empty()) {
    return std::nullopt;
  }
  uri.host_ = lower(host);

  if (port.empty()) {
    uri.port_ = uri.isSecure() ? 443 : 80;
  } else {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    uri.port_ = static_cast<std::uint16_t>(value);
  }

  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  uri.path_ = path.empty() ? std::string("/") : std::string(path);
  if (question != std::string_view::npos) {
    uri.query_ = std::string(target.substr(question + 1));
  }
  return uri;
}

std::string WebSocketUri::requestTarget() const {
  return query_.empty() ? path_ : path_ + '?' + query_;
}

std::string WebSocketUri::hostHeader() const {
  std::string out = host_.find(':') != std::string::npos ? '[' + host_ + ']' : host_;
  if (!isDefaultPort()) {
    out += ':';
    out += std::to_string(port_);
  }
  return out;
}

std::string WebSocketUri::origin() const {
  return (isSecure() ? "https://" : "http://") + hostHeader();
}

std::string WebSocketUri::toString() const {
  return scheme_ + "://" + hostHeader() + requestTarget();
}

}  // namespace sluice::websocket
