#include <sluice/http/QueryStringDecoder.h>
#include <sluice/http/QueryStringEncoder.h>

#include <string>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using QueryStringEncoderTest = testing::SluiceTest;

TEST_F(QueryStringEncoderTest, EncodesParametersAfterThePath) {
  QueryStringEncoder e("/foo");
  e.addParam("a", "b=c");
  EXPECT_EQ(e.toString(), "/foo?a=b%3Dc");

  QueryStringEncoder two("/foo");
  two.addParam("a", "1");
  two.addParam("b", "2");
  EXPECT_EQ(two.toString(), "/foo?a=1&b=2");
}

TEST_F(QueryStringEncoderTest, Utf8BecomesPercentEncodedBytesAndThePathIsLeftAlone) {
  QueryStringEncoder e("/foo/\xC2\xA5");
  e.addParam("a", "abc\xC2\xA5");
  EXPECT_EQ(e.toString(), "/foo/\xC2\xA5?a=abc%C2%A5");
}

TEST_F(QueryStringEncoderTest, EmptyAndMissingValues) {
  QueryStringEncoder e("/foo");
  e.addParam("a", "1");
  e.addParam("b", "");
  e.addParam("c");
  e.addParam("d");
  EXPECT_EQ(e.toString(), "/foo?a=1&b=&c&d");
}

TEST_F(QueryStringEncoderTest, SpaceIsPercent20NotPlus) {
  QueryStringEncoder e("/foo");
  e.addParam("a", "b c+d");
  EXPECT_EQ(e.toString(), "/foo?a=b%20c%2Bd");
}

TEST_F(QueryStringEncoderTest, OnlyUnreservedCharactersStayAsTheyAre) {
  // RFC 3986 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~" are never encoded.
  EXPECT_EQ(QueryStringEncoder::encodeComponent("AZaz09-._~"), "AZaz09-._~");
  // RFC 3986 2.2: every reserved character is, so it reads as data.
  EXPECT_EQ(QueryStringEncoder::encodeComponent(":/?#[]@!$&'()*+,;="),
            "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D");
  EXPECT_EQ(QueryStringEncoder::encodeComponent("%"), "%25");
  EXPECT_EQ(QueryStringEncoder::encodeComponent(std::string("\0\x7F\xFF", 3)), "%00%7F%FF");
}

TEST_F(QueryStringEncoderTest, AppendsToAnExistingQuery) {
  QueryStringEncoder e("/p?x=1");
  e.addParam("y", "2");
  EXPECT_EQ(e.toString(), "/p?x=1&y=2");

  QueryStringEncoder open("/p?");
  open.addParam("y", "2");
  EXPECT_EQ(open.toString(), "/p?y=2");
}

TEST_F(QueryStringEncoderTest, RoundTripsThroughTheDecoder) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"q", "C++ & Netty"},
      {"empty", ""},
      {"unicode", "caf\xC3\xA9 \xE2\x98\xBA"},
      {"a=b", "c&d;e#f"},
      {"q", "second"},
      {"%41", "%zz"},
      {std::string("nul\0", 4), std::string("\xFF\x00", 2)},
  };
  QueryStringEncoder e("/search");
  for (const auto& [name, value] : params) {
    e.addParam(name, value);
  }
  QueryStringDecoder d(e.toString());
  EXPECT_TRUE(d.valid());
  EXPECT_EQ(d.path(), "/search");
  ASSERT_EQ(d.parameters().valueCount(), params.size());
  EXPECT_EQ(d.parameters().get("q").size(), 2U);
  EXPECT_EQ(d.parameters().get("q")[0], "C++ & Netty");
  EXPECT_EQ(d.parameters().get("q")[1], "second");
  EXPECT_EQ(d.parameters().getFirst("empty"), "");
  EXPECT_EQ(d.parameters().getFirst("unicode"), "caf\xC3\xA9 \xE2\x98\xBA");
  EXPECT_EQ(d.parameters().getFirst("a=b"), "c&d;e#f");
  EXPECT_EQ(d.parameters().getFirst("%41"), "%zz");
  EXPECT_EQ(d.parameters().getFirst(std::string("nul\0", 4)), std::string("\xFF\x00", 2));
}

}  // namespace
}  // namespace sluice::http
