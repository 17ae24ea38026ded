#include <sluice/codec/FixedLengthFrameDecoder.h>

#include "support/DecoderHarness.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

using testing::DecodeResult;

class FixedLengthFrameDecoderTest : public testing::SluiceTest {};

std::unique_ptr<ByteToMessageDecoder> make(ByteToMessageDecoderConfig config) {
  return std::make_unique<FixedLengthFrameDecoder>(3, config);
}

TEST_F(FixedLengthFrameDecoderTest, SplitsIntoFramesOfTheGivenLengthAtEverySplit) {
  const DecodeResult r = testing::expectSameAtEverySplit(make, "abcdefghi");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"abc", "def", "ghi"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(FixedLengthFrameDecoderTest, DropsATrailingPartialFrameOnClose) {
  const DecodeResult r = testing::expectSameAtEverySplit(make, "abcde");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"abc"}));
}

TEST_F(FixedLengthFrameDecoderTest, RejectsZeroLength) {
  EXPECT_THROW(FixedLengthFrameDecoder(0), std::invalid_argument);
}

TEST_F(FixedLengthFrameDecoderTest, FrameArrivingWholeIsASliceOfTheReadBuffer) {
  EmbeddedChannel ch(std::make_unique<FixedLengthFrameDecoder>(3));
  ByteBuf in = Unpooled::copiedBuffer("abc");
  const std::uint8_t* data = in.readableSpan().data();
  ASSERT_TRUE(ch.writeInbound(std::move(in)));
  auto frame = ch.readInbound<ByteBuf>();
  EXPECT_EQ(frame->readableSpan().data(), data);  // no copy
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
