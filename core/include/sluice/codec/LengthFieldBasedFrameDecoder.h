#pragma once

#include <sluice/codec/ByteOrder.h>
#include <sluice/codec/ByteToMessageDecoder.h>

#include <cstddef>
#include <cstdint>

namespace sluice {

/// Settings of a LengthFieldBasedFrameDecoder, with Netty's meanings and defaults.
struct LengthFieldBasedFrameDecoderConfig {
  /// The longest frame accepted, counting every byte of it (header included) before
  /// initialBytesToStrip. Safe by default: 1 MiB.
  std::size_t maxFrameLength = 1024 * 1024;
  /// Where the length field starts.
  std::size_t lengthFieldOffset = 0;
  /// 1, 2, 3, 4 or 8 bytes; unsigned, except an 8-byte field, which is signed as in Netty.
  std::size_t lengthFieldLength = 4;
  /// Added to the field's value to get the length of what follows the field (negative when
  /// the field counts the header too).
  std::int64_t lengthAdjustment = 0;
  /// Bytes removed from the front of each frame (e.g. the header).
  std::size_t initialBytesToStrip = 0;
  /// Report a too-long frame as soon as its length field is read (true, the default), or
  /// once all its bytes have been skipped (false).
  bool failFast = true;
  ByteOrder byteOrder = ByteOrder::BigEndian;
};

/// Splits the stream by a length field in each frame's header (Netty's
/// LengthFieldBasedFrameDecoder). Each frame is a slice of the received bytes.
///
/// Too-long frames (CodecErrc::TooLongFrame, "Adjusted frame length exceeds M: N -
/// discarded" when skipped entirely, "... - discarding" when reported early) are skipped
/// byte by byte as they arrive, and decoding resumes with the next frame.
///
/// Corrupted input (CodecErrc::CorruptedFrame): a negative 8-byte length ("negative
/// pre-adjustment length field: N"), or a length that, adjusted, is shorter than the
/// header ("Adjusted frame length (N) is less than lengthFieldEndOffset: E") or than
/// initialBytesToStrip ("Adjusted frame length (N) is less than initialBytesToStrip: S").
/// The stream cannot be re-synchronised after that, so the decoder marks itself corrupt
/// and drops the bytes it holds and every later one; frames decoded before stay delivered.
///
/// Thread: the loop.
class LengthFieldBasedFrameDecoder : public ByteToMessageDecoder {
 public:
  /// Throws std::invalid_argument for a lengthFieldLength other than 1, 2, 3, 4 or 8, a
  /// zero maxFrameLength, or a length field that does not fit in maxFrameLength.
  explicit LengthFieldBasedFrameDecoder(LengthFieldBasedFrameDecoderConfig config,
                                        ByteToMessageDecoderConfig base = {});

  /// True once corrupted input was seen; every later byte is dropped.
  bool isCorrupted() const noexcept { return corrupted_; }

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

  /// The length field's raw value at `offset` (Netty's getUnadjustedFrameLength); override
  /// for unusual encodings.
  virtual std::int64_t unadjustedFrameLength(const ByteBuf& buf, std::size_t offset,
                                             std::size_t length, ByteOrder order) const;

 private:
  void discardTooLongFrame(ByteBuf& in);
  void exceededFrameLength(ByteBuf& in, std::int64_t frameLength);
  void failIfNecessary(bool firstDetection);
  void corrupt(ByteBuf& in, std::string message);

  LengthFieldBasedFrameDecoderConfig config_;
  std::size_t lengthFieldEndOffset_;
  bool discardingTooLongFrame_ = false;
  bool corrupted_ = false;
  std::int64_t tooLongFrameLength_ = 0;
  std::int64_t bytesToDiscard_ = 0;
};

}  // namespace sluice
