#pragma once

#include <sluice/codec/ByteToMessageDecoder.h>

#include <cstddef>
#include <string>
#include <vector>

namespace sluice {

/// Settings of a DelimiterBasedFrameDecoder.
struct DelimiterBasedFrameDecoderConfig {
  /// The longest frame accepted, without its delimiter.
  std::size_t maxFrameLength = 8192;
  /// The delimiters, as bytes; a frame ends at whichever delimiter gives the shortest
  /// frame. Must not be empty, nor hold an empty delimiter.
  std::vector<std::string> delimiters;
  /// Leave the delimiter off the frames.
  bool stripDelimiter = true;
  /// Report a too-long frame as soon as it passes maxFrameLength (Netty's default, true),
  /// or once its delimiter has arrived and it has been skipped (false).
  bool failFast = true;
};

/// Netty's Delimiters: common delimiter sets.
struct Delimiters {
  /// "\0", for NUL-terminated frames (Flash XML sockets).
  static std::vector<std::string> nulDelimiter() { return {std::string(1, '\0')}; }
  /// "\r\n" and "\n".
  static std::vector<std::string> lineDelimiter() { return {"\r\n", "\n"}; }
};

/// Splits the stream at one or more delimiters (Netty's DelimiterBasedFrameDecoder). Each
/// frame is a slice of the received bytes.
///
/// Too-long frames are skipped as LineBasedFrameDecoder skips long lines, and reported once
/// with CodecErrc::TooLongFrame: "frame length exceeds M: N - discarded" after the frame
/// (failFast false, or the frame arrived whole), "frame length exceeds M - discarding" as
/// soon as it passes the limit (failFast). While discarding, the last bytes that may begin
/// a delimiter are kept, so a delimiter split across reads is still found. Thread: the loop.
class DelimiterBasedFrameDecoder : public ByteToMessageDecoder {
 public:
  /// Throws std::invalid_argument for an empty or invalid delimiter list.
  explicit DelimiterBasedFrameDecoder(DelimiterBasedFrameDecoderConfig config,
                                      ByteToMessageDecoderConfig base = {});

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

 private:
  // Index of the first byte of `delim` in `in`'s readable bytes, relative to readerIndex.
  static std::ptrdiff_t indexOf(const ByteBuf& in, const std::string& delim);
  void failTooLong(std::size_t length, bool discarded);

  DelimiterBasedFrameDecoderConfig config_;
  std::size_t maxDelimiterLength_ = 0;
  bool discarding_ = false;
  std::size_t tooLongFrameLength_ = 0;
};

}  // namespace sluice
