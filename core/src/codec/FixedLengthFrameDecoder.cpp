#include <sluice/codec/FixedLengthFrameDecoder.h>

#include <stdexcept>

namespace sluice {

FixedLengthFrameDecoder::FixedLengthFrameDecoder(std::size_t frameLength,
                                                 ByteToMessageDecoderConfig config)
    : ByteToMessageDecoder(config), frameLength_(frameLength) {
  if (frameLength == 0) {
    throw std::invalid_argument("frameLength must be a positive integer");
  }
}

void FixedLengthFrameDecoder::decode(ChannelHandlerContext&, ByteBuf& in, Out& out) {
  if (in.readableBytes() >= frameLength_) {
    out.emplace_back(in.readSlice(frameLength_));
  }
}

}  // namespace sluice
