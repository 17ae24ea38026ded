#include <sluice/websocket/WebSocketError.h>

#include <string>

namespace sluice::websocket {
namespace {

class WebSocketCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.websocket"; }
  std::string message(int value) const override {
    switch (static_cast<WebSocketErrc>(value)) {
      case WebSocketErrc::ReservedBitsSet:
        return "RSV bits set and no extension negotiated";
      case WebSocketErrc::ReservedOpcode:
        return "reserved opcode";
      case WebSocketErrc::FragmentedControlFrame:
        return "fragmented control frame";
      case WebSocketErrc::ControlFrameTooLarge:
        return "control frame payload longer than 125 bytes";
      case WebSocketErrc::UnexpectedContinuationFrame:
        return "continuation frame outside a fragmented message";
      case WebSocketErrc::UnexpectedDataFrame:
        return "data frame inside a fragmented message";
      case WebSocketErrc::MaskMismatch:
        return "frame not masked as expected";
      case WebSocketErrc::InvalidPayloadLength:
        return "invalid payload length";
      case WebSocketErrc::InvalidCloseFrame:
        return "close frame payload of one byte";
      case WebSocketErrc::InvalidCloseCode:
        return "invalid close status code";
      case WebSocketErrc::InvalidUtf8:
        return "invalid UTF-8";
      case WebSocketErrc::FrameTooLarge:
        return "frame payload too large";
      case WebSocketErrc::MessageTooLarge:
        return "message too large";
      case WebSocketErrc::CompressedControlFrame:
        return "compressed control frame";
      case WebSocketErrc::CompressedContinuationFrame:
        return "RSV1 set on a continuation frame";
      case WebSocketErrc::InvalidCompressedData:
        return "invalid compressed data";
    }
    return "unknown WebSocket error";
  }
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<WebSocketErrc>(value)) {
      case WebSocketErrc::FrameTooLarge:
      case WebSocketErrc::MessageTooLarge:
        return std::errc::message_size;
      case WebSocketErrc::InvalidUtf8:
        return std::errc::illegal_byte_sequence;
      default:
        return std::errc::protocol_error;
    }
  }
};

}  // namespace

const std::error_category& webSocketCategory() noexcept {
  static const WebSocketCategory category;
  return category;
}

WebSocketCloseStatus closeStatusOf(WebSocketErrc e) noexcept {
  switch (e) {
    case WebSocketErrc::InvalidUtf8:
      return WebSocketCloseStatus::kInvalidPayloadData;
    case WebSocketErrc::FrameTooLarge:
    case WebSocketErrc::MessageTooLarge:
      return WebSocketCloseStatus::kMessageTooBig;
    default:
      return WebSocketCloseStatus::kProtocolError;
  }
}

}  // namespace sluice::websocket
