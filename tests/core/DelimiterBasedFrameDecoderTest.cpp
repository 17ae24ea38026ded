#include <sluice/codec/CodecError.h>
#include <sluice/codec/DelimiterBasedFrameDecoder.h>

#include "support/DecoderHarness.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

using testing::DecodeResult;

class DelimiterBasedFrameDecoderTest : public testing::SluiceTest {};

testing::DecoderFactory factory(DelimiterBasedFrameDecoderConfig frames) {
  return [frames](ByteToMessageDecoderConfig config) -> std::unique_ptr<ByteToMessageDecoder> {
    return std::make_unique<DelimiterBasedFrameDecoder>(frames, config);
  };
}

TEST_F(DelimiterBasedFrameDecoderTest, SplitsAtTheDelimiterGivingTheShortestFrame) {
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory({.maxFrameLength = 16, .delimiters = {"||", "#"}}), "a||bb#c#||d||tail");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"a", "bb", "c", "", "d"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(DelimiterBasedFrameDecoderTest, NulAndLineDelimiters) {
  const DecodeResult nul = testing::expectSameAtEverySplit(
      factory({.delimiters = Delimiters::nulDelimiter()}), std::string_view("x\0yy\0", 5));
  EXPECT_EQ(nul.frames, (std::vector<std::string>{"x", "yy"}));
  const DecodeResult lines = testing::expectSameAtEverySplit(
      factory({.delimiters = Delimiters::lineDelimiter(), .stripDelimiter = false}), "a\r\nb\n");
  EXPECT_EQ(lines.frames, (std::vector<std::string>{"a\r\n", "b\n"}));
}

TEST_F(DelimiterBasedFrameDecoderTest, TooLongFrameIsSkippedAndReportedAfterIt) {
  const DecodeResult r = testing::expectSameAtEverySplit(
      factory({.maxFrameLength = 3, .delimiters = {"\r\n"}, .failFast = false}),
      "ab\r\n0123456\r\ncd\r\n");
  EXPECT_EQ(r.frames, (std::vector<std::string>{"ab", "cd"}));
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0], CodecErrc::TooLongFrame);
  EXPECT_EQ(r.messages[0], "frame length exceeds 3: 7 - discarded");
}

TEST_F(DelimiterBasedFrameDecoderTest, FailFastReportsBeforeTheDelimiterArrives) {
  DecodeResult r;
  EmbeddedChannel ch(std::make_unique<DelimiterBasedFrameDecoder>(DelimiterBasedFrameDecoderConfig{
                         .maxFrameLength = 3, .delimiters = {"\r\n"}}),
                     std::make_unique<testing::DecodeRecorder>(&r));
  ch.writeInbound(Unpooled::copiedBuffer("012345\r"));
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.messages[0], "frame length exceeds 3 - discarding");
  ch.writeInbound(Unpooled::copiedBuffer("\nok\r\n"));  // the split delimiter is still found
  EXPECT_EQ(r.frames, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(r.errors.size(), 1U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(DelimiterBasedFrameDecoderTest, RejectsEmptyDelimiters) {
  EXPECT_THROW(DelimiterBasedFrameDecoder({.delimiters = {}}), std::invalid_argument);
  EXPECT_THROW(DelimiterBasedFrameDecoder({.delimiters = {""}}), std::invalid_argument);
}

}  // namespace
}  // namespace sluice
