#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::websocket {

/// One extension of a Sec-WebSocket-Extensions field: its name and parameters (Netty's
/// WebSocketExtensionData), as in `permessage-deflate; client_max_window_bits`. Both sides
/// use it: a client's offer, a server's answer. Thread: any (a value).
struct WebSocketExtensionData {
  std::string name;
  /// The parameters in order; a parameter given without a value has an empty value.
  std::vector<std::pair<std::string, std::string>> parameters;

  /// Whether a parameter named `parameter` is present (names compare case-insensitively).
  bool hasParameter(std::string_view parameter) const noexcept;

  /// The extensions of a Sec-WebSocket-Extensions value (RFC 6455 9.1 grammar: a
  /// comma-separated list of `name *(";" param)`, a parameter value a token or a quoted
  /// string, unquoted here). Elements without a name are skipped; malformed input never
  /// throws. Thread: any.
  static std::vector<WebSocketExtensionData> parse(std::string_view header);

  /// The extension as it appears in a header: `name; a; b=1`.
  std::string toString() const;

  friend bool operator==(const WebSocketExtensionData&, const WebSocketExtensionData&) = default;
};

}  // namespace sluice::websocket
