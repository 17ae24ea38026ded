#pragma once

#include <system_error>

namespace sluice {

/// Errors of the codec bases and framers (Netty's TooLongFrameException,
/// CorruptedFrameException, DecoderException, EncoderException and
/// MessageAggregationException). They reach exceptionCaught as an Error whose code is one of
/// these; each message is stable and tested.
enum class CodecErrc {
  /// A frame (or an aggregated message) is longer than the configured maximum. The decoder
  /// skips it and goes on with the next frame. Condition: std::errc::message_size.
  TooLongFrame = 1,
  /// The input cannot be framed (a negative or inconsistent length field). The decoder
  /// drops what it holds and every later byte. Condition: std::errc::bad_message.
  CorruptedFrame,
  /// A decoder threw, or broke the decode() contract (produced a message without reading).
  DecoderException,
  /// An encoder threw, or was given a message it cannot encode; the write's promise fails.
  EncoderException,
  /// Messages arrived in an order an aggregator cannot accept (a start inside a message).
  MessageAggregation,
  /// Compressed input is not a valid zlib, gzip or deflate stream (bad header, bad block,
  /// checksum mismatch, truncated). Condition: std::errc::bad_message.
  DecompressionFailed,
  /// Decompressed output would pass the configured limit (a decompression bomb). Nothing
  /// beyond the limit is allocated. Condition: std::errc::message_size.
  DecompressionLimitExceeded,
};

}  // namespace sluice

template <>
struct std::is_error_code_enum<sluice::CodecErrc> : std::true_type {};

namespace sluice {

/// The category of CodecErrc, named "sluice.codec".
const std::error_category& codecCategory() noexcept;

inline std::error_code make_error_code(CodecErrc e) noexcept {  // NOLINT: found by ADL
  return {static_cast<int>(e), codecCategory()};
}

}  // namespace sluice
