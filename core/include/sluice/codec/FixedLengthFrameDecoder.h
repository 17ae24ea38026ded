#pragma once

#include <sluice/codec/ByteToMessageDecoder.h>

#include <cstddef>

namespace sluice {

/// Splits the stream into frames of a fixed number of bytes (Netty's
/// FixedLengthFrameDecoder). Each frame is a slice of the received bytes (no copy when a
/// frame arrives within one read). Bytes of a last, partial frame are dropped when the
/// channel closes. Thread: the loop.
class FixedLengthFrameDecoder : public ByteToMessageDecoder {
 public:
  /// Throws std::invalid_argument unless frameLength > 0.
  explicit FixedLengthFrameDecoder(std::size_t frameLength, ByteToMessageDecoderConfig config = {});

  std::size_t frameLength() const noexcept { return frameLength_; }

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

 private:
  std::size_t frameLength_;
};

}  // namespace sluice
