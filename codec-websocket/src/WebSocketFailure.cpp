#include "WebSocketFailure.h"

#include <system_error>

namespace sluice::websocket::detail {

std::string violatedRule(WebSocketErrc errc, bool serverSide) {
  switch (errc) {
    case WebSocketErrc::ReservedBitsSet:
      return "RFC 6455 5.2: RSV bits must be 0 unless an extension defines them";
    case WebSocketErrc::ReservedOpcode:
      return "RFC 6455 5.2: reserved opcodes must not be used";
    case WebSocketErrc::FragmentedControlFrame:
      return "RFC 6455 5.5: control frames must not be fragmented";
    case WebSocketErrc::ControlFrameTooLarge:
      return "RFC 6455 5.5: a control frame's payload must be 125 bytes or less";
    case WebSocketErrc::UnexpectedContinuationFrame:
      return "RFC 6455 5.4: a continuation frame must continue a fragmented message";
    case WebSocketErrc::UnexpectedDataFrame:
      return "RFC 6455 5.4: a fragmented message must not be interleaved with another";
    case WebSocketErrc::MaskMismatch:
      return serverSide ? "RFC 6455 5.1: a client frame must be masked"
                        : "RFC 6455 5.1: a server frame must not be masked";
    case WebSocketErrc::InvalidPayloadLength:
      return "RFC 6455 5.2: the payload length must use the minimal encoding";
    case WebSocketErrc::InvalidCloseFrame:
      return "RFC 6455 5.5.1: a close frame's body must start with a two-byte status code";
    case WebSocketErrc::InvalidCloseCode:
      return "RFC 6455 7.4: the close status code must be valid on the wire";
    case WebSocketErrc::InvalidUtf8:
      return "RFC 6455 8.1: text must be valid UTF-8";
    case WebSocketErrc::CompressedControlFrame:
      return "RFC 7692 6.1: control frames must not be compressed";
    case WebSocketErrc::CompressedContinuationFrame:
      return "RFC 7692 6.1: only a message's first frame may set RSV1";
    case WebSocketErrc::InvalidCompressedData:
      return "RFC 7692 7.2.2: a compressed message must be valid DEFLATE data";
    case WebSocketErrc::FrameTooLarge:
    case WebSocketErrc::MessageTooLarge:
      break;
  }
  return std::error_code(errc).message();
}

void recordFailure(Channel& channel, WebSocketErrc errc, std::string_view rule) {
  const bool limit = errc == WebSocketErrc::FrameTooLarge || errc == WebSocketErrc::MessageTooLarge;
  CloseReason& reason = channel.closeReason();
  reason.record(limit ? CloseInitiator::Limit : CloseInitiator::Protocol, rule);
  reason.recordSent(closeStatusOf(errc).code(), std::error_code(errc).message());
}

}  // namespace sluice::websocket::detail
