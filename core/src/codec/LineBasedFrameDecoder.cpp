#include <fmt/format.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/LineBasedFrameDecoder.h>

namespace sluice {

LineBasedFrameDecoder::LineBasedFrameDecoder(LineBasedFrameDecoderConfig config,
                                             ByteToMessageDecoderConfig base)
    : ByteToMessageDecoder(base), config_(config) {}

void LineBasedFrameDecoder::failTooLong(std::size_t length) {
  fail(Error(CodecErrc::TooLongFrame,
             fmt::format("frame length ({}) exceeds the allowed maximum ({})", length,
                         config_.maxLength)));
}

void LineBasedFrameDecoder::failOver(std::size_t length) {
  fail(Error(CodecErrc::TooLongFrame,
             fmt::format("frame length exceeds the allowed maximum ({}): over {} bytes",
                         config_.maxLength, length)));
}

void LineBasedFrameDecoder::decode(ChannelHandlerContext&, ByteBuf& in, Out& out) {
  const std::size_t reader = in.readerIndex();
  const std::ptrdiff_t nl = in.indexOf(reader + offset_, in.writerIndex(), '\n');
  if (nl < 0) {
    const std::size_t readable = in.readableBytes();
    // A trailing '\r' may be the first half of "\r\n": it stays, so that the line length
    // does not depend on how the bytes were split.
    const std::size_t keep = in.getUnsignedByte(in.writerIndex() - 1) == '\r' ? 1 : 0;
    if (!discarding_) {
      if (readable > config_.maxLength + keep) {
        discardedBytes_ = readable - keep;
        in.skipBytes(readable - keep);
        discarding_ = true;
        offset_ = 0;
        if (config_.failFast) {
          failOver(discardedBytes_);
        }
      } else {
        offset_ = readable;
      }
    } else {
      discardedBytes_ += readable - keep;
      in.skipBytes(readable - keep);
      offset_ = 0;
    }
    return;
  }
  const auto eolIndex = static_cast<std::size_t>(nl);
  const bool crlf = eolIndex > reader && in.getUnsignedByte(eolIndex - 1) == '\r';
  const std::size_t eol = crlf ? eolIndex - 1 : eolIndex;
  const std::size_t delimLength = crlf ? 2 : 1;
  const std::size_t length = eol - reader;
  offset_ = 0;
  if (discarding_) {
    const std::size_t total = discardedBytes_ + length;
    in.readerIndex(eol + delimLength);
    discardedBytes_ = 0;
    discarding_ = false;
    if (!config_.failFast) {
      failTooLong(total);
    }
    return;
  }
  if (length > config_.maxLength) {
    in.readerIndex(eol + delimLength);
    failTooLong(length);
    return;
  }
  if (config_.stripDelimiter) {
    out.emplace_back(in.readSlice(length));
    in.skipBytes(delimLength);
  } else {
    out.emplace_back(in.readSlice(length + delimLength));
  }
}

}  // namespace sluice
