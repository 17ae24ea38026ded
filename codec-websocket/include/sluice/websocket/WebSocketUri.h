#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::websocket {

/// A ws:// or wss:// URL taken apart (RFC 6455 3): what a client connects to and what its
/// opening handshake sends.
///
/// ```cpp
/// auto uri = WebSocketUri::parse("ws://[::1]:8080/chat?room=1");
/// // uri->host() == "::1", uri->port() == 8080, uri->requestTarget() == "/chat?room=1",
/// // uri->hostHeader() == "[::1]:8080"
/// ```
///
/// Thread: any (a value).
class WebSocketUri {
 public:
  /// The parts of `url`, or nullopt when it is not a ws/wss URL: another scheme, no host, a
  /// port outside 1..65535, a fragment (RFC 6455 3: fragment identifiers MUST NOT be
  /// used), or a character outside the URL's grammar (space, control characters). The
  /// scheme and host compare case-insensitively and are kept lower-case.
  static std::optional<WebSocketUri> parse(std::string_view url);

  /// "ws" or "wss".
  const std::string& scheme() const noexcept { return scheme_; }
  /// Whether the scheme is wss (TLS).
  bool isSecure() const noexcept { return scheme_ == "wss"; }
  /// The host, without the brackets of an IPv6 literal: what to resolve or connect to.
  const std::string& host() const noexcept { return host_; }
  /// The port given, or 80 (ws) and 443 (wss).
  std::uint16_t port() const noexcept { return port_; }
  /// Whether the URL names the scheme's default port, given or not.
  bool isDefaultPort() const noexcept { return port_ == (isSecure() ? 443 : 80); }
  /// The path, "/" when the URL has none.
  const std::string& path() const noexcept { return path_; }
  /// The query without its "?", empty when there is none.
  const std::string& query() const noexcept { return query_; }

  /// The request line's target: path and query ("/chat?room=1"; RFC 6455 4.1 item 3).
  std::string requestTarget() const;
  /// The Host header: the host (an IPv6 literal in brackets), with ":port" unless it is the
  /// default (RFC 6455 4.1 item 4; RFC 9110 7.2).
  std::string hostHeader() const;
  /// The origin a browser would send for a page of this server: http or https, host, port
  /// unless default (RFC 6454).
  std::string origin() const;
  /// The whole URL, normalised ("ws://example.com/chat?room=1").
  std::string toString() const;

 private:
  WebSocketUri() = default;

  std::string scheme_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string path_;
  std::string query_;
};

}  // namespace sluice::websocket
