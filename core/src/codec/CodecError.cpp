#include <sluice/codec/CodecError.h>

#include <string>

namespace sluice {
namespace {

class CodecCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.codec"; }
  std::string message(int value) const override {
    switch (static_cast<CodecErrc>(value)) {
      case CodecErrc::TooLongFrame:
        return "frame too long";
      case CodecErrc::CorruptedFrame:
        return "corrupted frame";
      case CodecErrc::DecoderException:
        return "decoder failed";
      case CodecErrc::EncoderException:
        return "encoder failed";
      case CodecErrc::MessageAggregation:
        return "unexpected message while aggregating";
      case CodecErrc::DecompressionFailed:
        return "corrupted compressed data";
      case CodecErrc::DecompressionLimitExceeded:
        return "decompressed data exceeds the limit";
    }
    return "unknown codec error";
  }
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<CodecErrc>(value)) {
      case CodecErrc::TooLongFrame:
      case CodecErrc::DecompressionLimitExceeded:
        return std::errc::message_size;
      case CodecErrc::CorruptedFrame:
      case CodecErrc::DecompressionFailed:
        return std::errc::bad_message;
      default:
        return {value, *this};
    }
  }
};

}  // namespace

const std::error_category& codecCategory() noexcept {
  static const CodecCategory category;
  return category;
}

}  // namespace sluice
