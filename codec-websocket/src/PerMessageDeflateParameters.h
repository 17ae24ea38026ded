#pragma once

#include <sluice/websocket/WebSocketExtensionData.h>

#include <optional>
#include <string_view>

namespace sluice::websocket::detail {

/// The four parameters of a permessage-deflate offer or response (RFC 7692 7.1), parsed.
struct PerMessageDeflateParameters {
  bool serverNoContextTakeover = false;
  bool clientNoContextTakeover = false;
  int serverMaxWindowBits = 0;       // 0: absent
  bool clientMaxWindowBits = false;  // present
  int clientMaxWindowBitsValue = 0;  // 0: present without a value (offers only)
};

/// A window-bits value: a decimal integer 8 to 15 without leading zeroes (RFC 7692 7.1.2).
inline int parseWindowBits(std::string_view v) noexcept {
  if (v.empty() || v.size() > 2 || v.front() == '0') {
    return 0;
  }
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') {
      return 0;
    }
    n = n * 10 + (c - '0');
  }
  return n >= 8 && n <= 15 ? n : 0;
}

/// The parameters of `data`, or nullopt when RFC 7692 7 says to decline the offer (or fail
/// on the response): an unknown parameter, one given twice, or an invalid value.
/// client_max_window_bits may lack a value in an offer only.
inline std::optional<PerMessageDeflateParameters> parsePerMessageDeflateParameters(
    const WebSocketExtensionData& data, bool response) {
  PerMessageDeflateParameters p;
  bool seen[4] = {};
  for (const auto& [name, value] : data.parameters) {
    int index = -1;
    if (name == "server_no_context_takeover") {
      index = 0;
      if (!value.empty()) {
        return std::nullopt;  // RFC 7692 7.1.1.1: no value
      }
      p.serverNoContextTakeover = true;
    } else if (name == "client_no_context_takeover") {
      index = 1;
      if (!value.empty()) {
        return std::nullopt;  // RFC 7692 7.1.1.2: no value
      }
      p.clientNoContextTakeover = true;
    } else if (name == "server_max_window_bits") {
      index = 2;
      p.serverMaxWindowBits = parseWindowBits(value);
      if (p.serverMaxWindowBits == 0) {
        return std::nullopt;  // RFC 7692 7.1.2.1: a value 8 to 15 is required
      }
    } else if (name == "client_max_window_bits") {
      index = 3;
      p.clientMaxWindowBits = true;
      if (!value.empty() || response) {
        // RFC 7692 7.1.2.2: optional in an offer, required in a response.
        p.clientMaxWindowBitsValue = parseWindowBits(value);
        if (p.clientMaxWindowBitsValue == 0) {
          return std::nullopt;
        }
      }
    } else {
      return std::nullopt;  // RFC 7692 7: a parameter not defined for this extension
    }
    if (seen[index]) {
      return std::nullopt;  // RFC 7692 7: the same parameter twice
    }
    seen[index] = true;
  }
  return p;
}

}  // namespace sluice::websocket::detail
