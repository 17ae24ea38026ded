#include <fmt/format.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/DelimiterBasedFrameDecoder.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace sluice {

DelimiterBasedFrameDecoder::DelimiterBasedFrameDecoder(DelimiterBasedFrameDecoderConfig config,
                                                       ByteToMessageDecoderConfig base)
    : ByteToMessageDecoder(base), config_(std::move(config)) {
  if (config_.delimiters.empty()) {
    throw std::invalid_argument("delimiters is empty");
  }
  for (const std::string& d : config_.delimiters) {
    if (d.empty()) {
      throw std::invalid_argument("empty delimiter");
    }
    maxDelimiterLength_ = std::max(maxDelimiterLength_, d.size());
  }
  if (config_.maxFrameLength == 0) {
    throw std::invalid_argument("maxFrameLength must be a positive integer");
  }
}

std::ptrdiff_t DelimiterBasedFrameDecoder::indexOf(const ByteBuf& in, const std::string& delim) {
  const std::string_view haystack = in.toStringView();
  const std::size_t at = haystack.find(delim);
  return at == std::string_view::npos ? -1 : static_cast<std::ptrdiff_t>(at);
}

void DelimiterBasedFrameDecoder::failTooLong(std::size_t length, bool discarded) {
  if (discarded) {
    fail(Error(CodecErrc::TooLongFrame, fmt::format("frame length exceeds {}: {} - discarded",
                                                    config_.maxFrameLength, length)));
  } else {
    fail(Error(CodecErrc::TooLongFrame,
               fmt::format("frame length exceeds {} - discarding", config_.maxFrameLength)));
  }
}

void DelimiterBasedFrameDecoder::decode(ChannelHandlerContext&, ByteBuf& in, Out& out) {
  std::size_t minFrameLength = std::numeric_limits<std::size_t>::max();
  std::size_t minDelimLength = 0;
  for (const std::string& delim : config_.delimiters) {
    const std::ptrdiff_t frameLength = indexOf(in, delim);
    if (frameLength >= 0 && static_cast<std::size_t>(frameLength) < minFrameLength) {
      minFrameLength = static_cast<std::size_t>(frameLength);
      minDelimLength = delim.size();
    }
  }
  if (minDelimLength != 0) {
    if (discarding_) {
      // The end of a frame already reported (failFast) or still to report: skip it.
      discarding_ = false;
      const std::size_t total = tooLongFrameLength_ + minFrameLength;
      tooLongFrameLength_ = 0;
      in.skipBytes(minFrameLength + minDelimLength);
      if (!config_.failFast) {
        failTooLong(total, true);
      }
      return;
    }
    if (minFrameLength > config_.maxFrameLength) {
      in.skipBytes(minFrameLength + minDelimLength);
      failTooLong(minFrameLength, true);
      return;
    }
    if (config_.stripDelimiter) {
      out.emplace_back(in.readSlice(minFrameLength));
      in.skipBytes(minDelimLength);
    } else {
      out.emplace_back(in.readSlice(minFrameLength + minDelimLength));
    }
    return;
  }
  // No delimiter yet. Keep the bytes that may begin one, so a split delimiter is found.
  const std::size_t readable = in.readableBytes();
  const std::size_t keep = std::min(readable, maxDelimiterLength_ - 1);
  if (!discarding_) {
    if (readable > config_.maxFrameLength + keep) {
      tooLongFrameLength_ = readable - keep;
      in.skipBytes(readable - keep);
      discarding_ = true;
      if (config_.failFast) {
        failTooLong(tooLongFrameLength_, false);
      }
    }
  } else {
    tooLongFrameLength_ += readable - keep;
    in.skipBytes(readable - keep);
  }
}

}  // namespace sluice
