#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/codec/LengthFieldPrepender.h>

#include <stdexcept>

namespace sluice {

LengthFieldPrepender::LengthFieldPrepender(LengthFieldPrependerConfig config) : config_(config) {
  switch (config.lengthFieldLength) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 8:
      break;
    default:
      throw std::invalid_argument(fmt::format(
          "lengthFieldLength must be either 1, 2, 3, 4, or 8: {}", config.lengthFieldLength));
  }
}

void LengthFieldPrepender::writeLength(std::uint8_t* dst, std::uint64_t length) const {
  const std::size_t n = config_.lengthFieldLength;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t shift = config_.byteOrder == ByteOrder::BigEndian ? (n - 1 - i) * 8 : i * 8;
    dst[i] = static_cast<std::uint8_t>(length >> shift);
  }
}

void LengthFieldPrepender::encode(ChannelHandlerContext& ctx, ByteBuf& msg, Out& out) {
  std::int64_t length = static_cast<std::int64_t>(msg.readableBytes()) + config_.lengthAdjustment;
  if (config_.lengthIncludesLengthFieldLength) {
    length += static_cast<std::int64_t>(config_.lengthFieldLength);
  }
  if (length < 0) {
    throw std::invalid_argument(
        fmt::format("adjusted frame length ({}) is less than zero", length));
  }
  switch (config_.lengthFieldLength) {
    case 1:
      if (length >= 256) {
        throw std::invalid_argument(fmt::format("length does not fit into a byte: {}", length));
      }
      break;
    case 2:
      if (length >= 65536) {
        throw std::invalid_argument(
            fmt::format("length does not fit into a short integer: {}", length));
      }
      break;
    case 3:
      if (length >= 16777216) {
        throw std::invalid_argument(
            fmt::format("length does not fit into a medium integer: {}", length));
      }
      break;
    case 4:
      if (length >= 4294967296LL) {
        throw std::invalid_argument(fmt::format("length does not fit into an integer: {}", length));
      }
      break;
    default:
      break;
  }
  const auto value = static_cast<std::uint64_t>(length);
  if (msg.canPrepend(config_.lengthFieldLength)) {
    writeLength(msg.prepend(config_.lengthFieldLength).data(), value);
    out.emplace_back(std::move(msg));
    return;
  }
  ByteBuf header = ctx.alloc().buffer(config_.lengthFieldLength);
  header.writeZero(config_.lengthFieldLength);
  writeLength(header.memoryAddress() + header.readerIndex(), value);
  out.emplace_back(std::move(header));
  out.emplace_back(std::move(msg));
}

}  // namespace sluice
