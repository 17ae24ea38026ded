#include <sluice/codec/CodecError.h>
#include <sluice/codec/LineBasedFrameDecoder.h>

#include "support/DecoderHarness.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

using testing::DecodeResult;

class LineBasedFrameDecoderTest : public testing::SluiceTest {};

testing::DecoderFactory factory(LineBasedFrameDecoderConfig lines) {
  return [lines](ByteToMessageDecoderConfig config) -> std::unique_ptr<ByteToMessageDecoder> {
    return std::make_unique<LineBasedFrameDecoder>(lines, config);
  };
}

TEST_F(LineBasedFrameDecoderTest, SplitsAtLfAndCrLfAtEverySplit) {
  const DecodeResult r =
      testing::expectSameAtEverySplit(factory({.maxLength = 8}), "one\ntwo\r\n\nthree\r\nrest");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"one", "two", "", "three"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(LineBasedFrameDecoderTest, KeepsDelimiterWhenAsked) {
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory({.maxLength = 8, .stripDelimiter = false}), "a\r\nb\n");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"a\r\n", "b\n"}));
}

TEST_F(LineBasedFrameDecoderTest, SkipsTooLongLineAndReportsItAfterItsEnd) {
  const DecodeResult r =
      testing::expectSameAtEverySplit(factory({.maxLength = 4}), "ok\n0123456789\r\nnext\n");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"ok", "next"}));
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0], CodecErrc::TooLongFrame);
  EXPECT_EQ(r.errors[0], std::errc::message_size);
  EXPECT_EQ(r.messages[0], "frame length (10) exceeds the allowed maximum (4)");
}

TEST_F(LineBasedFrameDecoderTest, FailFastReportsAsSoonAsTheLimitIsPassed) {
  testing::DecodeResult r;
  EmbeddedChannel ch(std::make_unique<LineBasedFrameDecoder>(
                         LineBasedFrameDecoderConfig{.maxLength = 4, .failFast = true}),
                     std::make_unique<testing::DecodeRecorder>(&r));
  ch.writeInbound(Unpooled::copiedBuffer("0123456"));
  ASSERT_EQ(r.errors.size(), 1U);  // before the line's end has arrived
  EXPECT_EQ(r.messages[0], "frame length exceeds the allowed maximum (4): over 7 bytes");
  ch.writeInbound(Unpooled::copiedBuffer("89\nok\n"));
  EXPECT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.frames, (std::vector<std::string>{"ok"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(LineBasedFrameDecoderTest, LineOfExactlyMaxLengthIsAccepted) {
  const DecodeResult r =
      testing::expectSameAtEverySplit(factory({.maxLength = 4}), "abcd\r\nabcd\n");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"abcd", "abcd"}));
  EXPECT_TRUE(r.errors.empty());
}

}  // namespace
}  // namespace sluice
