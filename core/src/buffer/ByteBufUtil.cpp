#include <sluice/buffer/ByteBufUtil.h>

#include <stdexcept>

namespace sluice {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

std::string ByteBufUtil::hexDump(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0F];
  }
  return out;
}

std::vector<std::uint8_t> ByteBufUtil::decodeHexDump(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    throw std::invalid_argument("hex dump of odd length");
  }
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hexValue(hex[2 * i]);
    const int lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      throw std::invalid_argument(fmt::format("not a hex digit at offset {}", 2 * i));
    }
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string ByteBufUtil::prettyHexDump(std::span<const std::uint8_t> bytes) {
  std::string out =
      "         +-------------------------------------------------+\n"
      "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |\n"
      "+--------+-------------------------------------------------+----------------+\n";
  for (std::size_t row = 0; row < bytes.size(); row += 16) {
    fmt::format_to(std::back_inserter(out), "|{:08x}|", row);
    std::string ascii;
    for (std::size_t i = row; i < row + 16; ++i) {
      if (i < bytes.size()) {
        const std::uint8_t b = bytes[i];
        fmt::format_to(std::back_inserter(out), " {:02x}", b);
        ascii.push_back(b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '.');
      } else {
        out += "   ";
        ascii.push_back(' ');
      }
    }
    fmt::format_to(std::back_inserter(out), " |{}|\n", ascii);
  }
  out += "+--------+-------------------------------------------------+----------------+";
  return out;
}

}  // namespace sluice
