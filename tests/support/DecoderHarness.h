#pragma once

#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/ByteToMessageDecoder.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::testing {

/// What a decoder produced: frames as strings, and the errors it fired, in order.
struct DecodeResult {
  std::vector<std::string> frames;
  std::vector<std::error_code> errors;
  std::vector<std::string> messages;
  friend bool operator==(const DecodeResult& a, const DecodeResult& b) {
    return a.frames == b.frames && a.errors == b.errors;
  }
};

/// The last handler of a decoder test: records frames (ByteBufs) and errors.
class DecodeRecorder : public ChannelInboundHandler {
 public:
  explicit DecodeRecorder(DecodeResult* result) : result_(result) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    result_->frames.push_back(msg.get<ByteBuf>().toString());
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    result_->errors.push_back(error.code());
    result_->messages.push_back(error.message());
  }

 private:
  DecodeResult* result_;
};

// Returns the decoder as a ByteToMessageDecoder: the pipeline reads which events a handler
// takes from the static type it is given.
using DecoderFactory =
    std::function<std::unique_ptr<ByteToMessageDecoder>(ByteToMessageDecoderConfig)>;

/// Feeds `chunks` to a fresh decoder, one read each, then closes the channel.
inline DecodeResult decodeChunks(const DecoderFactory& make, ByteToMessageDecoderConfig config,
                                 const std::vector<std::string_view>& chunks) {
  DecodeResult result;
  EmbeddedChannel ch(make(config), std::make_unique<DecodeRecorder>(&result));
  for (std::string_view c : chunks) {
    ch.writeInbound(Unpooled::copiedBuffer(c));
  }
  ch.finish();
  return result;
}

/// Feeds `input` whole, split in two at every byte boundary, and one byte per read, with
/// both cumulators; expects the same frames and errors every time (`expected` when given).
inline DecodeResult expectSameAtEverySplit(const DecoderFactory& make, std::string_view input) {
  const DecodeResult whole = decodeChunks(make, {}, {input});
  for (Cumulator cumulator : {Cumulator::Merge, Cumulator::Composite}) {
    const ByteToMessageDecoderConfig config{.cumulator = cumulator};
    for (std::size_t i = 0; i <= input.size(); ++i) {
      EXPECT_EQ(decodeChunks(make, config, {input.substr(0, i), input.substr(i)}), whole)
          << "split at " << i << (cumulator == Cumulator::Merge ? " (merge)" : " (composite)");
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) {
      bytes.push_back(input.substr(i, 1));
    }
    EXPECT_EQ(decodeChunks(make, config, bytes), whole) << "byte by byte";
  }
  return whole;
}

}  // namespace sluice::testing
