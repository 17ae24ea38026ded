#pragma once

#include <sluice/websocket/WebSocketCloseStatus.h>

#include <system_error>

namespace sluice::websocket {

/// Why WebSocket13FrameDecoder failed the connection (RFC 6455 7.1.7). Each has a stable
/// message and the close status the decoder sends for it (closeStatusOf). The conditions are
/// std::errc::message_size (a limit), std::errc::illegal_byte_sequence (invalid UTF-8) and
/// std::errc::protocol_error (everything else).
enum class WebSocketErrc {
  /// RSV1-3 set with no extension negotiated (RFC 6455 5.2). 1002.
  ReservedBitsSet = 1,
  /// Opcode 3-7 or 0xB-0xF (RFC 6455 5.2). 1002.
  ReservedOpcode,
  /// A control frame without FIN (RFC 6455 5.5). 1002.
  FragmentedControlFrame,
  /// A control frame with more than 125 payload bytes (RFC 6455 5.5). 1002.
  ControlFrameTooLarge,
  /// A continuation frame with no message to continue (RFC 6455 5.4). 1002.
  UnexpectedContinuationFrame,
  /// A text or binary frame inside a fragmented message (RFC 6455 5.4). 1002.
  UnexpectedDataFrame,
  /// An unmasked frame where masked ones are expected, or the reverse (RFC 6455 5.1). 1002.
  MaskMismatch,
  /// A 64-bit payload length with its most significant bit set, or a length not in its
  /// minimal encoding (RFC 6455 5.2). 1002.
  InvalidPayloadLength,
  /// A close frame whose payload is one byte (RFC 6455 5.5.1). 1002.
  InvalidCloseFrame,
  /// A close frame carrying a status code not valid on the wire (RFC 6455 7.4). 1002.
  InvalidCloseCode,
  /// A text message or close reason that is not UTF-8 (RFC 6455 8.1). 1007.
  InvalidUtf8,
  /// A frame payload longer than maxFramePayloadLength. 1009.
  FrameTooLarge,
  /// A message (all its fragments) longer than maxMessageLength; for a compressed message,
  /// its inflated length (RFC 7692 8). 1009.
  MessageTooLarge,
  /// A control frame with the permessage-deflate "Per-Message Compressed" bit (RSV1) set
  /// (RFC 7692 6.1). 1002.
  CompressedControlFrame,
  /// A continuation frame with RSV1 set: only a message's first frame carries it (RFC 7692
  /// 6.1). 1002.
  CompressedContinuationFrame,
  /// A compressed message that is not valid DEFLATE data (RFC 7692 7.2.2). 1002.
  InvalidCompressedData,
};

/// The category of WebSocketErrc, named "sluice.websocket".
const std::error_category& webSocketCategory() noexcept;

inline std::error_code make_error_code(WebSocketErrc e) noexcept {  // NOLINT: found by ADL
  return {static_cast<int>(e), webSocketCategory()};
}

/// The status of the close frame sent when the connection fails with `e`: 1007 for invalid
/// UTF-8 (RFC 6455 7.4.1), 1009 for the limits, 1002 for the rest.
WebSocketCloseStatus closeStatusOf(WebSocketErrc e) noexcept;

}  // namespace sluice::websocket

template <>
struct std::is_error_code_enum<sluice::websocket::WebSocketErrc> : std::true_type {};
