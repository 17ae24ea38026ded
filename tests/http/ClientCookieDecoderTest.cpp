#include <sluice/http/HttpDateFormat.h>
#include <sluice/http/cookie/ClientCookieDecoder.h>

#include <chrono>
#include <string>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using ClientCookieDecoderTest = testing::SluiceTest;
using std::chrono::seconds;

// A fixed clock reading, half a second after 2020-01-01T00:00:00Z.
const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::time_point(seconds(1577836800)) + std::chrono::milliseconds(500);

std::optional<Cookie> strict(std::string_view header) {
  return ClientCookieDecoder::strict().decode(header, kNow);
}
std::optional<Cookie> lax(std::string_view header) {
  return ClientCookieDecoder::lax().decode(header, kNow);
}

std::string inSeconds(int s) {
  return HttpDateFormat::format(std::chrono::floor<seconds>(kNow) + seconds(s));
}

// RFC 6265 3.1: the examples of a server's Set-Cookie fields.
TEST_F(ClientCookieDecoderTest, DecodesTheExamplesOfRfc6265) {
  auto c = strict("SID=31d4d96e407aad42; Path=/; Domain=example.com");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name(), "SID");
  EXPECT_EQ(c->value(), "31d4d96e407aad42");
  EXPECT_EQ(c->path(), "/");
  EXPECT_EQ(c->domain(), "example.com");
  EXPECT_FALSE(c->maxAge());
  EXPECT_FALSE(c->isSecure());

  c = strict("SID=31d4d96e407aad42; Path=/; Secure; HttpOnly");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->isSecure());
  EXPECT_TRUE(c->isHttpOnly());
  EXPECT_FALSE(c->domain());

  c = strict("lang=en-US; Path=/; Domain=example.com");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(), "en-US");

  // A persistent cookie: seconds from now to its Expires.
  c = strict("lang=en-US; Expires=" + inSeconds(3600));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->maxAge(), seconds(3600));

  // Deleting a cookie: an Expires in the past.
  c = strict("lang=; Expires=Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(), "");
  EXPECT_EQ(c->maxAge(), seconds(0));
}

// Netty's testDecodingSingleCookieV0, Domain per RFC 6265 5.2.3.
TEST_F(ClientCookieDecoderTest, DecodesEveryAttribute) {
  const auto c = strict("myCookie=myValue;expires=" + inSeconds(50) +
                        ";path=/apathsomewhere;domain=.adomainsomewhere;secure;SameSite=None;"
                        "HTTPOnly;partitioned");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(), "myValue");
  EXPECT_EQ(c->domain(), "adomainsomewhere");
  EXPECT_EQ(c->maxAge(), seconds(50));
  EXPECT_EQ(c->path(), "/apathsomewhere");
  EXPECT_TRUE(c->isSecure());
  EXPECT_TRUE(c->isHttpOnly());
  EXPECT_TRUE(c->isPartitioned());
  EXPECT_EQ(c->sameSite(), SameSite::None);
  EXPECT_FALSE(c->wrap());
}

// Netty's V0, V1, V2 and complex cases: the attributes of RFC 2109 and 2965 are ignored.
TEST_F(ClientCookieDecoderTest, IgnoresUnknownAttributes) {
  for (const char* source :
       {"myCookie=myValue;max-age=50;path=/apathsomewhere;domain=.adomainsomewhere;secure;"
        "comment=this is a comment;version=0;commentURL=http://aurl.com;port=\"80,8080\";"
        "discard;",
        "myCookie=myValue;max-age=50;path=/apathsomewhere;domain=.adomainsomewhere;secure;"
        "comment=this is a comment;version=1;",
        "myCookie=myValue;max-age=50;path=/apathsomewhere;domain=.adomainsomewhere;secure;"
        "comment=this is a comment;version=2;commentURL=\"http://aurl.com\";port='80,8080';"
        "discard;"}) {
    const auto c = strict(source);
    ASSERT_TRUE(c) << source;
    EXPECT_EQ(c->value(), "myValue");
    EXPECT_EQ(c->domain(), "adomainsomewhere");
    EXPECT_EQ(c->maxAge(), seconds(50));
    EXPECT_EQ(c->path(), "/apathsomewhere");
    EXPECT_TRUE(c->isSecure());
  }
}

// RFC 6265 5.3 step 3.
TEST_F(ClientCookieDecoderTest, MaxAgeTakesPrecedenceOverExpires) {
  EXPECT_EQ(strict("a=b; Max-Age=10; Expires=" + inSeconds(100))->maxAge(), seconds(10));
  EXPECT_EQ(strict("a=b; Expires=" + inSeconds(100) + "; Max-Age=10")->maxAge(), seconds(10));
  // An invalid Max-Age is ignored, so Expires counts.
  EXPECT_EQ(strict("a=b; Max-Age=ten; Expires=" + inSeconds(100))->maxAge(), seconds(100));
}

TEST_F(ClientCookieDecoderTest, TheLastValidAttributeOfANameWins) {
  const auto c = strict(
      "a=b; Max-Age=1; Max-Age=2; Max-Age=x; Domain=one.com; Domain=TWO.com; Domain=; "
      "SameSite=Strict; SameSite=bogus; Path=/one; Path=/two");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->maxAge(), seconds(2));
  EXPECT_EQ(c->domain(), "two.com");
  EXPECT_EQ(c->sameSite(), SameSite::Strict);
  EXPECT_EQ(c->path(), "/two");
  // 5.2.4: a Path that does not start with "/" resets to the default path.
  EXPECT_FALSE(strict("a=b; Path=/one; Path=relative")->path());
}

// RFC 6265 5.2.2.
TEST_F(ClientCookieDecoderTest, ReadsMaxAgeAsRfc6265Says) {
  EXPECT_EQ(strict("a=b; Max-Age=0")->maxAge(), seconds(0));
  EXPECT_EQ(strict("a=b; Max-Age=-5")->maxAge(), seconds(0));
  EXPECT_EQ(strict("a=b; Max-Age=007")->maxAge(), seconds(7));
  EXPECT_EQ(strict("a=b; Max-Age = 7 ")->maxAge(), seconds(7));
  EXPECT_EQ(strict("a=b; Max-Age=99999999999999999999999")->maxAge(), seconds::max());
  for (const char* bad : {"a=b; Max-Age=", "a=b; Max-Age", "a=b; Max-Age=-", "a=b; Max-Age=+5",
                          "a=b; Max-Age=1a", "a=b; Max-Age=1.5", "a=b; Max-Age=--1"}) {
    EXPECT_FALSE(strict(bad)->maxAge()) << bad;
  }
}

TEST_F(ClientCookieDecoderTest, ReadsExpiresAsRfc6265Says) {
  // Rounded up to the whole second (now is half a second past one).
  EXPECT_EQ(strict("a=b; Expires=" + inSeconds(1))->maxAge(), seconds(1));
  EXPECT_EQ(strict("a=b; Expires=" + inSeconds(0))->maxAge(), seconds(0));
  EXPECT_EQ(strict("a=b; Expires=" + inSeconds(-10))->maxAge(), seconds(0));
  // The lenient date algorithm of 5.1.1.
  EXPECT_EQ(strict("a=b; expires=Wed, 1-Jan-20 01:00:00 GMT")->maxAge(), seconds(3600));
  // An unreadable date is ignored: a session cookie.
  EXPECT_FALSE(strict("a=b; Expires=tomorrow")->maxAge());
  EXPECT_FALSE(strict("a=b; Expires=")->maxAge());
}

// Netty's testDecodingLongDates: past the range of the clock's nanoseconds.
TEST_F(ClientCookieDecoderTest, DecodesDatesInYear9999) {
  const auto c = strict("Format=EU; expires=Fri, 31-Dec-9999 23:59:59 GMT; path=/");
  ASSERT_TRUE(c);
  const auto end = *HttpDateFormat::parse("Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(c->maxAge(), end - std::chrono::floor<seconds>(kNow));
}

// RFC 6265 5.2.3.
TEST_F(ClientCookieDecoderTest, DropsTheLeadingDotOfADomainAndLowerCasesIt) {
  EXPECT_EQ(strict("a=b; Domain=.Example.COM")->domain(), "example.com");
  EXPECT_EQ(strict("a=b; Domain=example.com")->domain(), "example.com");
  EXPECT_FALSE(strict("a=b; Domain=.")->domain());
  EXPECT_FALSE(strict("a=b; Domain=..example.com")->domain());
  EXPECT_EQ(strict("a=b; Domain=x.com; Domain=..y.com")->domain(), "x.com");
}

// Netty's testIgnoreEmptyDomain and testIgnoreEmptyPath.
TEST_F(ClientCookieDecoderTest, IgnoresEmptyDomainAndPath) {
  auto c = strict("sessionid=OTY4ZDllNTgtYjU3OC00MWRjLTkzMWMtNGUwNzk4MTY0MTUw;Domain=;Path=/");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->domain());
  EXPECT_EQ(c->path(), "/");
  c = strict("sessionid=OTY4ZDllNTgtYjU3OC00MWRjLTkzMWMtNGUwNzk4MTY0MTUw;Domain=;Path=");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->path());
}

TEST_F(ClientCookieDecoderTest, SameSiteIsCaseInsensitiveAndUnknownValuesAreIgnored) {
  EXPECT_EQ(strict("a=b; SameSite=lax")->sameSite(), SameSite::Lax);
  EXPECT_EQ(strict("a=b; samesite=STRICT")->sameSite(), SameSite::Strict);
  EXPECT_EQ(strict("a=b; SameSite=None")->sameSite(), SameSite::None);
  EXPECT_FALSE(strict("a=b; SameSite=Sometimes")->sameSite());
  EXPECT_FALSE(strict("a=b; SameSite")->sameSite());
}

// Netty's testDecodingQuotedCookie: a trailing "," of an old folded field is dropped.
TEST_F(ClientCookieDecoderTest, UnwrapsQuotedValues) {
  auto c = strict("a=\"\",");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name(), "a");
  EXPECT_EQ(c->value(), "");
  EXPECT_TRUE(c->wrap());
  c = strict("b=\"1\",");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(), "1");
  EXPECT_TRUE(c->wrap());
  c = strict("c=2, ; Path=/");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(), "2");
  EXPECT_FALSE(c->wrap());
}

// Netty's testDecodingGoogleAnalyticsCookie: one cookie per field, the rest read as
// attributes no one knows.
TEST_F(ClientCookieDecoderTest, ReadsOnlyTheFirstPair) {
  const auto c = strict(
      "ARPT=LWUKQPSWRTUN04CKKJI; kw-2E343B92-B097-442c-BFA5-BE371E0325A2=unfinished furniture; "
      "__utma=48461872.1094088325.1258140131.1258140131.1258140131.1; "
      "__utmb=48461872.13.10.1258140131; __utmc=48461872; "
      "__utmz=48461872.1258140131.1.1.utmcsr=overstock.com|utmccn=(referral)|"
      "utmcmd=referral|utmcct=/Home-Garden/Furniture/Clearance,/clearance,/32/dept.html");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name(), "ARPT");
  EXPECT_EQ(c->value(), "LWUKQPSWRTUN04CKKJI");
}

// Netty's testDecodingValueWithCommaFails and testDecodingValuesWithCommasAndEqualsFails.
TEST_F(ClientCookieDecoderTest, StrictRefusesValuesThatAreNotCookieOctets) {
  const std::string moscow =
      "UserCookie=timeZoneName=(GMT+04:00) Moscow, St. Petersburg, Volgograd&promocode=&"
      "region=BE; expires=Sat, 01-Dec-2012 10:53:31 GMT; path=/";
  EXPECT_FALSE(strict(moscow));
  EXPECT_FALSE(strict("A=v=1&lg=en-US,it-IT,it&intl=it&np=1;T=z=E"));
  EXPECT_FALSE(strict("a=b\\c"));
  EXPECT_FALSE(strict("a b=c"));
  EXPECT_FALSE(strict("a=\"b\"c\""));
  // Lax keeps them.
  const auto c = lax(moscow);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(),
            "timeZoneName=(GMT+04:00) Moscow, St. Petersburg, Volgograd&promocode=&region=BE");
  EXPECT_EQ(c->path(), "/");
  EXPECT_EQ(lax("A=v=1&lg=en-US,it-IT,it&intl=it&np=1;T=z=E")->value(),
            "v=1&lg=en-US,it-IT,it&intl=it&np=1");
}

// Netty's testDecodingInvalidValuesWithCommaAtStart, and RFC 6265 5.2 steps 2 and 5.
TEST_F(ClientCookieDecoderTest, IgnoresAFieldWithoutANameValuePair) {
  for (const ClientCookieDecoder* d :
       {&ClientCookieDecoder::strict(), &ClientCookieDecoder::lax()}) {
    for (const char* bad : {"", " ", ";", ",", ",a", ",a=a", "abc", "abc; Path=/", "=abc", " = abc",
                            "a=\"b", "a=\""}) {
      EXPECT_FALSE(d->decode(bad, kNow)) << bad;
    }
  }
  EXPECT_FALSE(strict("a=b\"; Path=/\""));
  EXPECT_EQ(lax("a=b\"; Path=/\"")->value(), "b\"");
}

// Netty's testDecodingWeirdNames1 and 2: attribute names are fine cookie names.
TEST_F(ClientCookieDecoderTest, AttributeNamesAreValidCookieNames) {
  auto c = strict("path=; expires=Mon, 01-Jan-1990 00:00:00 GMT; path=/; domain=.www.google.com");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name(), "path");
  EXPECT_EQ(c->value(), "");
  EXPECT_EQ(c->path(), "/");
  EXPECT_EQ(c->domain(), "www.google.com");
  c = strict("HTTPOnly=");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name(), "HTTPOnly");
  EXPECT_EQ(c->value(), "");
  EXPECT_FALSE(c->isHttpOnly());
}

// Netty's testDecodingLongValue, and hostile inputs.
TEST_F(ClientCookieDecoderTest, HostileInputNeitherThrowsNorCrashes) {
  const std::string value(1 << 20, 'x');
  auto c = strict("bh=\"" + value + "\";");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value(), value);

  std::string manyAttributes = "a=b";
  for (int i = 0; i < 20000; ++i) {
    manyAttributes += "; Max-Age=" + std::to_string(i);
  }
  EXPECT_EQ(strict(manyAttributes)->maxAge(), seconds(19999));

  for (const ClientCookieDecoder* d :
       {&ClientCookieDecoder::strict(), &ClientCookieDecoder::lax()}) {
    EXPECT_FALSE(d->decode(std::string(100000, ';'), kNow));
    EXPECT_FALSE(d->decode(std::string(100000, '"'), kNow));
    EXPECT_TRUE(d->decode("a=b" + std::string(100000, ';'), kNow));
    EXPECT_TRUE(d->decode("a=b; Expires=" + std::string(100000, '1'), kNow));
    EXPECT_TRUE(d->decode(std::string("a=b; Path=/\0\x01\x7f", 14), kNow));
  }
  EXPECT_FALSE(strict(std::string("a=b\0", 4)));
}

TEST_F(ClientCookieDecoderTest, DecodeWithoutAClockUsesTheSystemClock) {
  const auto in50 = HttpDateFormat::format(std::chrono::system_clock::now() + seconds(50));
  const auto c = ClientCookieDecoder::strict().decode("a=b; Expires=" + in50);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->maxAge());
  EXPECT_GE(c->maxAge()->count(), 40);
  EXPECT_LE(c->maxAge()->count(), 51);
}

}  // namespace
}  // namespace sluice::http
