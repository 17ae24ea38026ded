#pragma once

#include <sluice/codec/ByteToMessageDecoder.h>

#include <cstddef>

namespace sluice {

/// Settings of a LineBasedFrameDecoder.
struct LineBasedFrameDecoderConfig {
  /// The longest line accepted, without its delimiter. Longer lines are skipped and
  /// reported as CodecErrc::TooLongFrame.
  std::size_t maxLength = 8192;
  /// Leave "\n" / "\r\n" off the frames.
  bool stripDelimiter = true;
  /// Report a too-long line as soon as it passes maxLength (true) or once its end has
  /// arrived and been skipped (false, Netty's default).
  bool failFast = false;
};

/// Splits the stream at "\n" and "\r\n" (Netty's LineBasedFrameDecoder). Each line is a
/// slice of the received bytes.
///
/// Too-long lines: once a line passes maxLength without an end, its bytes are discarded as
/// they arrive, and decoding resumes after its end. The error, CodecErrc::TooLongFrame, is
/// fired once: with failFast, when the line passes the limit ("frame length exceeds the
/// allowed maximum (M): over N bytes"); otherwise when its end arrives ("frame length (N)
/// exceeds the allowed maximum (M)", N without the delimiter). Lines before and after it
/// are delivered. Thread: the loop.
class LineBasedFrameDecoder : public ByteToMessageDecoder {
 public:
  explicit LineBasedFrameDecoder(LineBasedFrameDecoderConfig config = {},
                                 ByteToMessageDecoderConfig base = {});
  /// Netty's LineBasedFrameDecoder(maxLength).
  explicit LineBasedFrameDecoder(std::size_t maxLength)
      : LineBasedFrameDecoder(LineBasedFrameDecoderConfig{.maxLength = maxLength}) {}

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

 private:
  void failTooLong(std::size_t length);
  void failOver(std::size_t length);

  LineBasedFrameDecoderConfig config_;
  bool discarding_ = false;
  std::size_t discardedBytes_ = 0;
  std::size_t offset_ = 0;  // bytes already searched, so a long line is scanned once
};

}  // namespace sluice
