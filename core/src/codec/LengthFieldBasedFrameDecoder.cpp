#include <fmt/format.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/LengthFieldBasedFrameDecoder.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sluice {

LengthFieldBasedFrameDecoder::LengthFieldBasedFrameDecoder(
    LengthFieldBasedFrameDecoderConfig config, ByteToMessageDecoderConfig base)
    : ByteToMessageDecoder(base),
      config_(config),
      lengthFieldEndOffset_(config.lengthFieldOffset + config.lengthFieldLength) {
  switch (config.lengthFieldLength) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 8:
      break;
    default:
      throw std::invalid_argument(
          fmt::format("unsupported lengthFieldLength: {} (expected: 1, 2, 3, 4, or 8)",
                      config.lengthFieldLength));
  }
  if (config.maxFrameLength == 0 || config.maxFrameLength > ByteBuf::kMaxCapacity) {
    throw std::invalid_argument("maxFrameLength must be a positive integer that fits a ByteBuf");
  }
  if (lengthFieldEndOffset_ > config.maxFrameLength) {
    throw std::invalid_argument(
        fmt::format("maxFrameLength ({}) must be equal to or greater than lengthFieldOffset ({}) + "
                    "lengthFieldLength ({})",
                    config.maxFrameLength, config.lengthFieldOffset, config.lengthFieldLength));
  }
}

std::int64_t LengthFieldBasedFrameDecoder::unadjustedFrameLength(const ByteBuf& buf,
                                                                 std::size_t offset,
                                                                 std::size_t length,
                                                                 ByteOrder order) const {
  const bool be = order == ByteOrder::BigEndian;
  switch (length) {
    case 1:
      return buf.getUnsignedByte(offset);
    case 2:
      return be ? buf.getUnsignedShort(offset) : buf.getUnsignedShortLE(offset);
    case 3:
      return be ? buf.getUnsignedMedium(offset) : buf.getUnsignedMediumLE(offset);
    case 4:
      return be ? buf.getUnsignedInt(offset) : buf.getUnsignedIntLE(offset);
    default:
      return be ? buf.getLong(offset) : buf.getLongLE(offset);
  }
}

void LengthFieldBasedFrameDecoder::decode(ChannelHandlerContext&, ByteBuf& in, Out& out) {
  if (corrupted_) {
    in.skipBytes(in.readableBytes());
    return;
  }
  if (discardingTooLongFrame_) {
    // Return either way, so that the error (if due) comes before the next frame.
    discardTooLongFrame(in);
    return;
  }
  if (in.readableBytes() < lengthFieldEndOffset_) {
    return;
  }
  const std::size_t fieldOffset = in.readerIndex() + config_.lengthFieldOffset;
  std::int64_t frameLength =
      unadjustedFrameLength(in, fieldOffset, config_.lengthFieldLength, config_.byteOrder);
  if (frameLength < 0) {
    corrupt(in, fmt::format("negative pre-adjustment length field: {}", frameLength));
    return;
  }
  const auto endOffset = static_cast<std::int64_t>(lengthFieldEndOffset_);
  std::int64_t adjusted = 0;
  if (__builtin_add_overflow(frameLength, config_.lengthAdjustment, &adjusted) ||
      __builtin_add_overflow(adjusted, endOffset, &adjusted)) {
    // Only a huge field (8 bytes) with a positive adjustment can overflow: it is too long.
    exceededFrameLength(in, INT64_MAX);
    return;
  }
  frameLength = adjusted;
  if (frameLength < endOffset) {
    corrupt(in, fmt::format("Adjusted frame length ({}) is less than lengthFieldEndOffset: {}",
                            frameLength, lengthFieldEndOffset_));
    return;
  }
  if (frameLength > static_cast<std::int64_t>(config_.maxFrameLength)) {
    exceededFrameLength(in, frameLength);
    return;
  }
  const auto frameLengthInt = static_cast<std::size_t>(frameLength);
  if (in.readableBytes() < frameLengthInt) {
    return;
  }
  if (config_.initialBytesToStrip > frameLengthInt) {
    corrupt(in, fmt::format("Adjusted frame length ({}) is less than initialBytesToStrip: {}",
                            frameLength, config_.initialBytesToStrip));
    return;
  }
  in.skipBytes(config_.initialBytesToStrip);
  out.emplace_back(in.readSlice(frameLengthInt - config_.initialBytesToStrip));
}

void LengthFieldBasedFrameDecoder::corrupt(ByteBuf& in, std::string message) {
  corrupted_ = true;
  in.skipBytes(in.readableBytes());
  fail(Error(CodecErrc::CorruptedFrame, std::move(message)));
}

void LengthFieldBasedFrameDecoder::discardTooLongFrame(ByteBuf& in) {
  const std::int64_t local =
      std::min(bytesToDiscard_, static_cast<std::int64_t>(in.readableBytes()));
  in.skipBytes(static_cast<std::size_t>(local));
  bytesToDiscard_ -= local;
  failIfNecessary(false);
}

void LengthFieldBasedFrameDecoder::exceededFrameLength(ByteBuf& in, std::int64_t frameLength) {
  const auto readable = static_cast<std::int64_t>(in.readableBytes());
  const std::int64_t discard = frameLength - readable;
  tooLongFrameLength_ = frameLength;
  if (discard < 0) {
    // The whole frame is here: skip it at once.
    in.skipBytes(static_cast<std::size_t>(frameLength));
  } else {
    discardingTooLongFrame_ = true;
    bytesToDiscard_ = discard;
    in.skipBytes(in.readableBytes());
  }
  failIfNecessary(true);
}

void LengthFieldBasedFrameDecoder::failIfNecessary(bool firstDetection) {
  if (bytesToDiscard_ == 0) {
    const std::int64_t length = tooLongFrameLength_;
    tooLongFrameLength_ = 0;
    discardingTooLongFrame_ = false;
    if (!config_.failFast || firstDetection) {
      fail(Error(CodecErrc::TooLongFrame,
                 fmt::format("Adjusted frame length exceeds {}: {} - discarded",
                             config_.maxFrameLength, length)));
    }
  } else if (config_.failFast && firstDetection) {
    fail(Error(CodecErrc::TooLongFrame,
               fmt::format("Adjusted frame length exceeds {}: {} - discarding",
                           config_.maxFrameLength, tooLongFrameLength_)));
  }
}

}  // namespace sluice
