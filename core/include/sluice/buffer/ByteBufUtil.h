#pragma once

#include <fmt/format.h>
#include <sluice/buffer/ByteBuf.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// Helpers over ByteBuf that are not part of its contract (Netty's ByteBufUtil).
class ByteBufUtil {
 public:
  ByteBufUtil() = delete;

  /// The readable bytes as lower-case hex, two digits a byte, no separators.
  static std::string hexDump(const ByteBuf& buf) { return hexDump(buf.readableSpan()); }
  static std::string hexDump(std::span<const std::uint8_t> bytes);
  /// Parses hex as hexDump writes it (either case); throws std::invalid_argument on odd
  /// length or a non-hex digit. Handy for tests that spell out wire bytes.
  static std::vector<std::uint8_t> decodeHexDump(std::string_view hex);
  /// A table of the readable bytes, 16 a row, with offsets and printable characters, as
  /// Netty's prettyHexDump. For test failure messages and trace logs.
  static std::string prettyHexDump(const ByteBuf& buf) { return prettyHexDump(buf.readableSpan()); }
  static std::string prettyHexDump(std::span<const std::uint8_t> bytes);
};

}  // namespace sluice

/// Formats a ByteBuf as Netty's toString does: "ByteBuf(ridx: 0, widx: 5, cap: 64/2147483647)".
template <>
struct fmt::formatter<sluice::ByteBuf> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const sluice::ByteBuf& buf, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "ByteBuf(ridx: {}, widx: {}, cap: {}/{})", buf.readerIndex(),
                          buf.writerIndex(), buf.capacity(), buf.maxCapacity());
  }
};
