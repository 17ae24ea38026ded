#include <sluice/codec/CodecError.h>
#include <sluice/codec/LengthFieldBasedFrameDecoder.h>

#include <string>

#include "support/DecoderHarness.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

using testing::DecodeResult;

class LengthFieldBasedFrameDecoderTest : public testing::SluiceTest {};

testing::DecoderFactory factory(LengthFieldBasedFrameDecoderConfig frames) {
  return [frames](ByteToMessageDecoderConfig config) -> std::unique_ptr<ByteToMessageDecoder> {
    return std::make_unique<LengthFieldBasedFrameDecoder>(frames, config);
  };
}

std::string be16(std::size_t n) { return {static_cast<char>(n >> 8), static_cast<char>(n & 0xFF)}; }

TEST_F(LengthFieldBasedFrameDecoderTest, DecodesTwoByteLengthKeepingTheHeaderAtEverySplit) {
  // Netty's javadoc example: lengthFieldLength 2, nothing stripped.
  const std::string input = be16(5) + "HELLO" + be16(0) + be16(3) + "abc" + be16(9) + "par";
  const DecodeResult r = testing::expectSameAtEverySplit(factory({.lengthFieldLength = 2}), input);
  EXPECT_EQ(r.frames, (std::vector<std::string>{be16(5) + "HELLO", be16(0), be16(3) + "abc"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(LengthFieldBasedFrameDecoderTest, StripsHeaderAndAppliesAdjustment) {
  // Header: 1 byte tag, 2 byte length counting the whole frame, 1 byte flags; strip 4.
  const std::string frame = std::string("T") + be16(7) + "F" + "abc";
  const DecodeResult r = testing::expectSameAtEverySplit(factory({.lengthFieldOffset = 1,
                                                                  .lengthFieldLength = 2,
                                                                  .lengthAdjustment = -3,
                                                                  .initialBytesToStrip = 4}),
                                                         frame + frame);
  EXPECT_EQ(r.frames, (std::vector<std::string>{"abc", "abc"}));
}

TEST_F(LengthFieldBasedFrameDecoderTest, LittleEndianAndEightByteFields) {
  std::string le = {3, 0, 0, 0};
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory(
          {.lengthFieldLength = 4, .initialBytesToStrip = 4, .byteOrder = ByteOrder::LittleEndian}),
      le + "xyz");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"xyz"}));
  const std::string be8 = std::string(7, '\0') + "\x02";
  const DecodeResult r8 = testing::expectSameAtEverySplit(
      factory({.lengthFieldLength = 8, .initialBytesToStrip = 8}), be8 + "hi");
  EXPECT_EQ(r8.frames, (std::vector<std::string>{"hi"}));
}

TEST_F(LengthFieldBasedFrameDecoderTest, TooLongFrameIsDiscardedAndDecodingResumes) {
  const std::string input = be16(2) + "ok" + be16(10) + "0123456789" + be16(2) + "go";
  for (bool failFast : {true, false}) {
    const DecodeResult r = testing::expectSameAtEverySplit(factory({.maxFrameLength = 8,
                                                                    .lengthFieldLength = 2,
                                                                    .initialBytesToStrip = 2,
                                                                    .failFast = failFast}),
                                                           input);
    EXPECT_EQ(r.frames, (std::vector<std::string>{"ok", "go"}));
    ASSERT_EQ(r.errors.size(), 1U);
    EXPECT_EQ(r.errors[0], CodecErrc::TooLongFrame);
    EXPECT_EQ(r.messages[0], "Adjusted frame length exceeds 8: 12 - discarded");
  }
}

TEST_F(LengthFieldBasedFrameDecoderTest, FailFastReportsBeforeTheFrameHasArrived) {
  DecodeResult r;
  EmbeddedChannel ch(
      std::make_unique<LengthFieldBasedFrameDecoder>(
          LengthFieldBasedFrameDecoderConfig{.maxFrameLength = 8, .lengthFieldLength = 2}),
      std::make_unique<testing::DecodeRecorder>(&r));
  ch.writeInbound(Unpooled::copiedBuffer(be16(100) + "abc"));
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.messages[0], "Adjusted frame length exceeds 8: 102 - discarding");
  ch.writeInbound(Unpooled::copiedBuffer(std::string(97, 'x') + be16(1) + "!"));
  EXPECT_EQ(r.frames, (std::vector<std::string>{be16(1) + "!"}));
  EXPECT_EQ(r.errors.size(), 1U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(LengthFieldBasedFrameDecoderTest, CorruptLengthKeepsEarlierFramesAndDropsTheRest) {
  // The field counts the whole frame; a field of 1 adjusts to 1 - 2 + 2 = 1 < 2.
  const std::string input = be16(6) + "good" + be16(1) + "x" + be16(6) + "lost";
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory({.lengthFieldLength = 2, .lengthAdjustment = -2}), input);
  EXPECT_EQ(r.frames, (std::vector<std::string>{be16(6) + "good"}));
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0], CodecErrc::CorruptedFrame);
  EXPECT_EQ(r.errors[0], std::errc::bad_message);
  EXPECT_EQ(r.messages[0], "Adjusted frame length (1) is less than lengthFieldEndOffset: 2");
}

TEST_F(LengthFieldBasedFrameDecoderTest, NegativeEightByteLengthIsCorrupt) {
  const DecodeResult r = testing::expectSameAtEverySplit(factory({.lengthFieldLength = 8}),
                                                         std::string(8, '\xff') + "junk");
  EXPECT_TRUE(r.frames.empty());
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.messages[0], "negative pre-adjustment length field: -1");
}

TEST_F(LengthFieldBasedFrameDecoderTest, HugeEightByteLengthDoesNotOverflow) {
  const std::string huge = std::string("\x7f") + std::string(7, '\xff');
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory({.maxFrameLength = 64, .lengthFieldLength = 8, .lengthAdjustment = 100}),
      huge + "abc");
  EXPECT_TRUE(r.frames.empty());
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0], CodecErrc::TooLongFrame);
}

TEST_F(LengthFieldBasedFrameDecoderTest, StripLongerThanFrameIsCorrupt) {
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory({.lengthFieldLength = 1, .initialBytesToStrip = 4}), std::string("\x01") + "a");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.messages[0], "Adjusted frame length (2) is less than initialBytesToStrip: 4");
}

TEST_F(LengthFieldBasedFrameDecoderTest, RejectsBadConfiguration) {
  EXPECT_THROW(LengthFieldBasedFrameDecoder({.lengthFieldLength = 5}), std::invalid_argument);
  EXPECT_THROW(LengthFieldBasedFrameDecoder({.maxFrameLength = 3, .lengthFieldOffset = 2}),
               std::invalid_argument);
}

}  // namespace
}  // namespace sluice
