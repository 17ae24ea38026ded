#include <sluice/http/cookie/ClientCookieEncoder.h>
#include <sluice/http/cookie/ServerCookieDecoder.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using ClientCookieEncoderTest = testing::SluiceTest;

// RFC 6265 5.4's example of a Cookie field.
TEST_F(ClientCookieEncoderTest, EncodesTheExampleOfRfc6265) {
  const std::vector<Cookie> cookies{Cookie("SID", "31d4d96e407aad42"), Cookie("lang", "en-US")};
  EXPECT_EQ(ClientCookieEncoder::strict().encode(cookies), "SID=31d4d96e407aad42; lang=en-US");
  EXPECT_EQ(ClientCookieEncoder::strict().encode("lang", "en-US"), "lang=en-US");
  EXPECT_EQ(ClientCookieEncoder::strict().encode(Cookie("lang", "en-US").setPath("/")),
            "lang=en-US");
}

// Netty's testEncodingMultipleClientCookies: RFC 6265 5.4 step 2.
TEST_F(ClientCookieEncoderTest, SortsByDecreasingPathLength) {
  const std::vector<Cookie> cookies{Cookie("myCookie", "myValue")
                                        .setDomain(".adomainsomewhere")
                                        .setMaxAge(std::chrono::seconds(50))
                                        .setPath("/apathsomewhere")
                                        .setSecure(true),
                                    Cookie("myCookie2", "myValue2")
                                        .setDomain(".anotherdomainsomewhere")
                                        .setPath("/anotherpathsomewhere"),
                                    Cookie("myCookie3", "myValue3")};
  // A cookie without a path comes first.
  EXPECT_EQ(ClientCookieEncoder::strict().encode(cookies),
            "myCookie3=myValue3; myCookie2=myValue2; myCookie=myValue");
}

// Netty's testComparatorForSamePathLength: equal lengths keep their order.
TEST_F(ClientCookieEncoderTest, EqualPathLengthsKeepTheGivenOrder) {
  const std::vector<Cookie> cookies{
      Cookie("test", "1").setPath("1"), Cookie("test", "2").setPath("2"),
      Cookie("x", "3").setPath("/long"), Cookie("y", "4").setPath("3")};
  EXPECT_EQ(ClientCookieEncoder::strict().encode(cookies), "x=3; test=1; test=2; y=4");
}

TEST_F(ClientCookieEncoderTest, NoCookiesGiveAnEmptyValue) {
  EXPECT_EQ(ClientCookieEncoder::strict().encode(std::span<const Cookie>()), "");
}

// Netty's testWrappedCookieValue.
TEST_F(ClientCookieEncoderTest, QuotesAWrappedValueOnce) {
  EXPECT_EQ(ClientCookieEncoder::strict().encode(Cookie("myCookie", "\"foo\"")),
            "myCookie=\"foo\"");
  EXPECT_EQ(ClientCookieEncoder::strict().encode(Cookie("myCookie", "foo").setWrap(true)),
            "myCookie=\"foo\"");
}

// Netty's testRejectCookieValueWithSemicolon.
TEST_F(ClientCookieEncoderTest, StrictRefusesInvalidNamesAndValues) {
  EXPECT_THROW(ClientCookieEncoder::strict().encode(Cookie("myCookie", "foo;bar")),
               std::invalid_argument);
  EXPECT_THROW(ClientCookieEncoder::strict().encode(Cookie("my Cookie", "foo")),
               std::invalid_argument);
  const std::vector<Cookie> oneBad{Cookie("a", "1"), Cookie("b", "\"")};
  EXPECT_THROW(ClientCookieEncoder::strict().encode(oneBad), std::invalid_argument);
  // Path and Domain are not sent, so not checked.
  EXPECT_EQ(ClientCookieEncoder::strict().encode(Cookie("a", "b").setPath("/;").setDomain(";")),
            "a=b");
}

TEST_F(ClientCookieEncoderTest, LaxRefusesOnlyControlCharacters) {
  EXPECT_EQ(ClientCookieEncoder::lax().encode(Cookie("my Cookie", "foo;bar")), "my Cookie=foo;bar");
  EXPECT_THROW(ClientCookieEncoder::lax().encode(Cookie("a", "b\r\nHost: evil")),
               std::invalid_argument);
}

TEST_F(ClientCookieEncoderTest, WhatItWritesDecodesBackOnTheServer) {
  const std::vector<Cookie> cookies{Cookie("a", "1"), Cookie("b", "x").setWrap(true),
                                    Cookie("c", ""), Cookie("a", "2")};
  EXPECT_EQ(ServerCookieDecoder::strict().decodeAll(ClientCookieEncoder::strict().encode(cookies)),
            cookies);
}

}  // namespace
}  // namespace sluice::http
