#include <sluice/http/HttpDateFormat.h>
#include <sluice/http/cookie/ClientCookieDecoder.h>
#include <sluice/http/cookie/ServerCookieEncoder.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using ServerCookieEncoderTest = testing::SluiceTest;
using std::chrono::seconds;
using Strings = std::vector<std::string>;

// 2020-01-01T00:00:00.750Z: Expires counts from the second it falls in.
const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::time_point(seconds(1577836800)) + std::chrono::milliseconds(750);

std::string strict(const Cookie& c) { return ServerCookieEncoder::strict().encode(c, kNow); }

// The message of the std::invalid_argument that `f` throws, or "" when it does not throw.
template <typename F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// RFC 6265 3.1.
TEST_F(ServerCookieEncoderTest, EncodesTheExamplesOfRfc6265) {
  EXPECT_EQ(strict(Cookie("SID", "31d4d96e407aad42").setPath("/").setDomain("example.com")),
            "SID=31d4d96e407aad42; Path=/; Domain=example.com");
  EXPECT_EQ(
      strict(Cookie("SID", "31d4d96e407aad42").setPath("/").setSecure(true).setHttpOnly(true)),
      "SID=31d4d96e407aad42; Path=/; Secure; HttpOnly");
  EXPECT_EQ(ServerCookieEncoder::strict().encode("lang", "en-US"), "lang=en-US");
}

// Netty's testEncodingSingleCookieV0, on a fixed clock.
TEST_F(ServerCookieEncoderTest, EncodesEveryAttributeInOrder) {
  const Cookie c = Cookie("myCookie", "myValue")
                       .setDomain(".adomainsomewhere")
                       .setMaxAge(seconds(50))
                       .setPath("/apathsomewhere")
                       .setSecure(true)
                       .setHttpOnly(true)
                       .setSameSite(SameSite::Lax)
                       .setPartitioned(true);
  EXPECT_EQ(strict(c),
            "myCookie=myValue; Max-Age=50; Expires=Wed, 01 Jan 2020 00:00:50 GMT; "
            "Path=/apathsomewhere; Domain=.adomainsomewhere; Secure; HttpOnly; SameSite=Lax; "
            "Partitioned");
  EXPECT_EQ(strict(Cookie("a", "b").setSameSite(SameSite::Strict)), "a=b; SameSite=Strict");
  EXPECT_EQ(strict(Cookie("a", "b").setSameSite(SameSite::None).setSecure(true)),
            "a=b; Secure; SameSite=None");
}

TEST_F(ServerCookieEncoderTest, ExpiresFollowsTheSystemClockByDefault) {
  const std::string v =
      ServerCookieEncoder::strict().encode(Cookie("a", "b").setMaxAge(seconds(50)));
  const std::size_t at = v.find("Expires=");
  ASSERT_NE(at, std::string::npos);
  const auto expires = HttpDateFormat::parse(v.substr(at + 8));
  ASSERT_TRUE(expires);
  const auto now = std::chrono::floor<seconds>(std::chrono::system_clock::now());
  EXPECT_LE(*expires - now, seconds(50));
  EXPECT_GE(*expires - now, seconds(48));
}

TEST_F(ServerCookieEncoderTest, DeletesWithMaxAgeZero) {
  EXPECT_EQ(strict(Cookie("a", "").setMaxAge(seconds(0))),
            "a=; Max-Age=0; Expires=Wed, 01 Jan 2020 00:00:00 GMT");
  // RFC 6265 4.1.1 has no negative Max-Age.
  EXPECT_EQ(strict(Cookie("a", "").setMaxAge(seconds(-10))),
            "a=; Max-Age=0; Expires=Wed, 01 Jan 2020 00:00:00 GMT");
}

TEST_F(ServerCookieEncoderTest, AHugeMaxAgeExpiresInYear9999) {
  EXPECT_EQ(strict(Cookie("a", "b").setMaxAge(seconds::max())),
            "a=b; Max-Age=9223372036854775807; Expires=Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST_F(ServerCookieEncoderTest, QuotesAWrappedValueOnce) {
  EXPECT_EQ(strict(Cookie("a", "b").setWrap(true)), "a=\"b\"");
  EXPECT_EQ(strict(Cookie("a", "").setWrap(true)), "a=\"\"");
  // A value that carries its quotes already (as Netty allows) is written as it is, but not
  // quoted twice: with wrap() its quotes are characters a cookie-value cannot hold.
  EXPECT_EQ(strict(Cookie("a", "\"b\"")), "a=\"b\"");
  EXPECT_THROW(strict(Cookie("a", "\"b\"").setWrap(true)), std::invalid_argument);
}

TEST_F(ServerCookieEncoderTest, LeavesOutEmptyPathAndDomain) {
  EXPECT_EQ(strict(Cookie("a", "b").setPath("").setDomain("")), "a=b");
}

// Netty's testEncodingWithNoCookies.
TEST_F(ServerCookieEncoderTest, NoCookiesGiveNoValues) {
  EXPECT_TRUE(ServerCookieEncoder::strict().encode(std::span<const Cookie>()).empty());
}

// Netty's testEncodingMultipleCookiesStrict and ...Lax; RFC 6265 4.1.1.
TEST_F(ServerCookieEncoderTest, StrictKeepsTheLastCookieOfEachName) {
  const std::vector<Cookie> cookies{Cookie("cookie1", "value1"), Cookie("cookie2", "value2"),
                                    Cookie("cookie1", "value3")};
  EXPECT_EQ(ServerCookieEncoder::strict().encode(cookies, kNow),
            (Strings{"cookie2=value2", "cookie1=value3"}));
  EXPECT_EQ(ServerCookieEncoder::lax().encode(cookies, kNow),
            (Strings{"cookie1=value1", "cookie2=value2", "cookie1=value3"}));
  EXPECT_EQ(ServerCookieEncoder::strict().encode(cookies).size(), 2U);
}

// Netty's illegalCharInCookieNameMakesStrictEncoderThrowsException.
TEST_F(ServerCookieEncoderTest, StrictRefusesANameThatIsNotAToken) {
  std::string illegal;
  for (int c = 0; c <= 0x1F; ++c) {
    illegal.push_back(static_cast<char>(c));
  }
  illegal += "\x7f()<>@,;:\\\"/[]?={} \t\x80\xff";
  for (char c : illegal) {
    EXPECT_THROW(strict(Cookie(std::string("foo") + c + "bar", "value")), std::invalid_argument)
        << static_cast<int>(static_cast<unsigned char>(c));
  }
  EXPECT_EQ(refusal([] { strict(Cookie("", "value")); }), "cookie name is empty");
  EXPECT_EQ(refusal([] { strict(Cookie("a b", "value")); }),
            "cookie name contains an invalid character: 0x20");
}

// Netty's illegalCharInCookieValueMakesStrictEncoderThrowsException and
// illegalCharInWrappedValueAppearsInException.
TEST_F(ServerCookieEncoderTest, StrictRefusesAValueThatIsNotCookieOctets) {
  std::string illegal;
  for (int c = 0; c <= 0x1F; ++c) {
    illegal.push_back(static_cast<char>(c));
  }
  illegal += "\x7f \",;\\\x80\xff";
  for (char c : illegal) {
    EXPECT_THROW(strict(Cookie("name", std::string("value") + c)), std::invalid_argument)
        << static_cast<int>(static_cast<unsigned char>(c));
  }
  EXPECT_EQ(refusal([] { strict(Cookie("name", "\"value,\"")); }),
            "cookie value contains an invalid character: ','");
  EXPECT_EQ(refusal([] { strict(Cookie("name", "a\r\nSet-Cookie: evil=1")); }),
            "cookie value contains an invalid character: 0x0D");
  EXPECT_THROW(ServerCookieEncoder::strict().encode("a", "b c"), std::invalid_argument);
}

TEST_F(ServerCookieEncoderTest, StrictRefusesPathAndDomainThatBreakTheField) {
  EXPECT_EQ(refusal([] { strict(Cookie("a", "b").setPath("/x; Secure")); }),
            "cookie path contains an invalid character: ';'");
  EXPECT_EQ(refusal([] { strict(Cookie("a", "b").setDomain("x.com\n")); }),
            "cookie domain contains an invalid character: 0x0A");
  EXPECT_THROW(strict(Cookie("a", "b").setPath("/caf\xc3\xa9")), std::invalid_argument);
  // Spaces and commas break nothing in a path.
  EXPECT_EQ(strict(Cookie("a", "b").setPath("/a b,c")), "a=b; Path=/a b,c");
}

TEST_F(ServerCookieEncoderTest, LaxWritesWhatItIsGivenButControlCharacters) {
  const ServerCookieEncoder& lax = ServerCookieEncoder::lax();
  EXPECT_EQ(lax.encode(Cookie("a b", "c,d;e").setPath("/x;y").setDomain("caf\xc3\xa9"), kNow),
            "a b=c,d;e; Path=/x;y; Domain=caf\xc3\xa9");
  EXPECT_EQ(lax.encode(Cookie("", "v"), kNow), "=v");
  // Header injection is refused in either mode.
  EXPECT_THROW(lax.encode(Cookie("a", "b\r\nSet-Cookie: evil=1"), kNow), std::invalid_argument);
  EXPECT_THROW(lax.encode(Cookie("a\n", "b"), kNow), std::invalid_argument);
  EXPECT_THROW(lax.encode(Cookie("a", "b").setPath(std::string("/\0", 2)), kNow),
               std::invalid_argument);
  EXPECT_THROW(lax.encode(Cookie("a", "b").setDomain("x\x7f"), kNow), std::invalid_argument);
}

TEST_F(ServerCookieEncoderTest, WhatItWritesDecodesBackToTheSameCookie) {
  const std::vector<Cookie> cookies{
      Cookie("SID", "31d4d96e407aad42").setPath("/").setDomain("example.com"),
      Cookie("a", "b").setWrap(true).setMaxAge(seconds(3600)).setSecure(true),
      Cookie("x", "").setHttpOnly(true).setSameSite(SameSite::Strict).setPartitioned(true),
      Cookie("y", "!#$%&'()*+-./:<=>?@[]^_`{|}~").setSameSite(SameSite::None)};
  for (const Cookie& c : cookies) {
    const std::string encoded = strict(c);
    EXPECT_EQ(ClientCookieDecoder::strict().decode(encoded, kNow), c) << encoded;
  }
}

}  // namespace
}  // namespace sluice::http
