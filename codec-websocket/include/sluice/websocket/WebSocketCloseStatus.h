#pragma once

#include <string_view>

namespace sluice::websocket {

/// A close status code with its default reason (Netty's WebSocketCloseStatus), for close
/// frames (RFC 6455 7.4).
///
/// The constants are the codes RFC 6455 7.4.1 defines and those IANA registered since. Three
/// of them, kEmpty (1005), kAbnormalClosure (1006) and kTlsHandshakeFailed (1015), describe a
/// closure to the application and MUST NOT be sent in a close frame (RFC 6455 7.4.1);
/// isValidStatusCode() is false for them. Thread: any (immutable values).
class WebSocketCloseStatus {
 public:
  constexpr WebSocketCloseStatus(int code, std::string_view reasonText) noexcept
      : code_(code), reasonText_(reasonText) {}

  /// The status code.
  constexpr int code() const noexcept { return code_; }
  /// The default reason text (not sent unless a close frame is made from this status).
  constexpr std::string_view reasonText() const noexcept { return reasonText_; }

  /// Whether `code` may appear in a close frame on the wire (RFC 6455 7.4.1, 7.4.2): 1000-1003,
  /// 1007-1011, the IANA-registered 1012-1014, and 3000-4999 (libraries, frameworks and
  /// applications). 1004, 1005, 1006, 1015, anything below 1000 and the unassigned 1016-2999
  /// are not, nor is anything from 5000 up.
  static constexpr bool isValidStatusCode(int code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
  }

  /// The constant with `code`, or a status with that code and an empty reason text.
  static WebSocketCloseStatus valueOf(int code) noexcept;

  /// 1000: the purpose of the connection has been fulfilled.
  static const WebSocketCloseStatus kNormalClosure;
  /// 1001: the endpoint is going away (a server going down, a browser leaving the page).
  static const WebSocketCloseStatus kEndpointUnavailable;
  /// 1002: the peer broke the protocol.
  static const WebSocketCloseStatus kProtocolError;
  /// 1003: a data type the endpoint cannot accept (text to a binary-only endpoint).
  static const WebSocketCloseStatus kInvalidMessageType;
  /// 1007: data inconsistent with the message type (invalid UTF-8 in a text message).
  static const WebSocketCloseStatus kInvalidPayloadData;
  /// 1008: a message that violates the endpoint's policy.
  static const WebSocketCloseStatus kPolicyViolation;
  /// 1009: a message too big to process.
  static const WebSocketCloseStatus kMessageTooBig;
  /// 1010: (client) the server did not negotiate an extension the client requires.
  static const WebSocketCloseStatus kMandatoryExtension;
  /// 1011: (server) an unexpected condition prevented fulfilling the request.
  static const WebSocketCloseStatus kInternalServerError;
  /// 1012: the service is restarting (IANA registry).
  static const WebSocketCloseStatus kServiceRestart;
  /// 1013: try again later (IANA registry).
  static const WebSocketCloseStatus kTryAgainLater;
  /// 1014: a gateway or proxy got an invalid response upstream (IANA registry).
  static const WebSocketCloseStatus kBadGateway;
  /// 1005: no status code was present. Never sent.
  static const WebSocketCloseStatus kEmpty;
  /// 1006: the connection closed without a close frame. Never sent.
  static const WebSocketCloseStatus kAbnormalClosure;
  /// 1015: the TLS handshake failed. Never sent.
  static const WebSocketCloseStatus kTlsHandshakeFailed;

  /// Statuses compare by code, as Netty's do.
  friend constexpr bool operator==(const WebSocketCloseStatus& a,
                                   const WebSocketCloseStatus& b) noexcept {
    return a.code_ == b.code_;
  }

 private:
  int code_;
  std::string_view reasonText_;
};

inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kNormalClosure{1000, "Bye"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kEndpointUnavailable{
    1001, "Endpoint unavailable"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kProtocolError{1002, "Protocol error"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kInvalidMessageType{
    1003, "Invalid message type"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kInvalidPayloadData{
    1007, "Invalid payload data"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kPolicyViolation{1008,
                                                                             "Policy violation"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kMessageTooBig{1009, "Message too big"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kMandatoryExtension{
    1010, "Mandatory extension"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kInternalServerError{
    1011, "Internal server error"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kServiceRestart{1012,
                                                                            "Service Restart"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kTryAgainLater{1013, "Try Again Later"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kBadGateway{1014, "Bad Gateway"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kEmpty{1005, "Empty"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kAbnormalClosure{1006,
                                                                             "Abnormal closure"};
inline constexpr WebSocketCloseStatus WebSocketCloseStatus::kTlsHandshakeFailed{
    1015, "TLS handshake failed"};

}  // namespace sluice::websocket
