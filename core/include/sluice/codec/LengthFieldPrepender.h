#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/codec/ByteOrder.h>
#include <sluice/codec/MessageToMessageEncoder.h>

#include <cstddef>
#include <cstdint>

namespace sluice {

/// Settings of a LengthFieldPrepender, with Netty's meanings.
struct LengthFieldPrependerConfig {
  /// 1, 2, 3, 4 or 8 bytes.
  std::size_t lengthFieldLength = 4;
  /// Added to the payload length before it is written.
  std::int64_t lengthAdjustment = 0;
  /// The length counts the length field too.
  bool lengthIncludesLengthFieldLength = false;
  ByteOrder byteOrder = ByteOrder::BigEndian;
};

/// Prepends the length of each outbound ByteBuf (Netty's LengthFieldPrepender): the
/// encoder matching a LengthFieldBasedFrameDecoder with lengthFieldOffset 0 and
/// initialBytesToStrip = lengthFieldLength.
///
/// A buffer with headroom it alone owns (ByteBufAllocator::bufferWithHeadroom) gets the
/// field written in place and travels as one buffer; otherwise the field goes out as a
/// buffer of its own, followed by the payload, with no copy either way. A length that does
/// not fit the field (or is negative after adjustment) fails the write with
/// CodecErrc::EncoderException ("length does not fit into a byte: N", "... a short integer",
/// "... a medium integer", "... an integer", "adjusted frame length (N) is less than zero").
/// Sharable: it keeps no state. Thread: any loop.
class LengthFieldPrepender : public MessageToMessageEncoder<ByteBuf> {
 public:
  /// Throws std::invalid_argument for a lengthFieldLength other than 1, 2, 3, 4 or 8.
  explicit LengthFieldPrepender(LengthFieldPrependerConfig config = {});

  bool isSharable() const noexcept override { return true; }

 protected:
  void encode(ChannelHandlerContext& ctx, ByteBuf& msg, Out& out) override;

 private:
  void writeLength(std::uint8_t* dst, std::uint64_t length) const;

  LengthFieldPrependerConfig config_;
};

}  // namespace sluice
