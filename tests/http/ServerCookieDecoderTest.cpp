#include <sluice/http/cookie/ServerCookieDecoder.h>

#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using ServerCookieDecoderTest = testing::SluiceTest;

// "name=value" of each cookie, to compare a whole result at once.
std::vector<std::string> pairs(const std::vector<Cookie>& cookies) {
  std::vector<std::string> out;
  for (const Cookie& c : cookies) {
    out.push_back(c.name() + "=" + c.value() + (c.wrap() ? " (wrapped)" : ""));
  }
  return out;
}

using Pairs = std::vector<std::string>;

// A value of `n` cookie-octets (RFC 6265 4.1.1), every one of them used.
std::string longValue(std::size_t n) {
  std::string chars;
  for (int c = 0x21; c <= 0x7E; ++c) {
    if (c != '"' && c != ',' && c != ';' && c != '\\') {
      chars.push_back(static_cast<char>(c));
    }
  }
  std::string v;
  for (std::size_t i = 0; i < n; ++i) {
    v.push_back(chars[i % chars.size()]);
  }
  return v;
}

// RFC 6265 3.1 and 5.4: what a user agent sends back.
TEST_F(ServerCookieDecoderTest, DecodesTheExampleOfRfc6265) {
  const auto cookies = ServerCookieDecoder::strict().decodeAll("SID=31d4d96e407aad42; lang=en-US");
  EXPECT_EQ(pairs(cookies), (Pairs{"SID=31d4d96e407aad42", "lang=en-US"}));
  // Only names and values travel in a Cookie field.
  EXPECT_FALSE(cookies[0].path());
  EXPECT_FALSE(cookies[0].domain());
  EXPECT_FALSE(cookies[0].maxAge());
}

TEST_F(ServerCookieDecoderTest, DecodesASingleCookie) {
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decode("myCookie=myValue")),
            (Pairs{"myCookie=myValue"}));
}

TEST_F(ServerCookieDecoderTest, DecodesSeveralCookiesWithTrailingSemicolons) {
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decode(
                "myCookie=myValue;myCookie2=myValue2;myCookie3=myValue3;")),
            (Pairs{"myCookie=myValue", "myCookie2=myValue2", "myCookie3=myValue3"}));
}

TEST_F(ServerCookieDecoderTest, DecodeSortsByNameAndKeepsTheFirstOfEachName) {
  const std::string header = "b=1; a=2; b=3; A=4; a=5";
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decode(header)), (Pairs{"A=4", "a=2", "b=1"}));
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decodeAll(header)),
            (Pairs{"b=1", "a=2", "b=3", "A=4", "a=5"}));
}

// Netty's testCaseSensitiveNames.
TEST_F(ServerCookieDecoderTest, NamesAreCaseSensitive) {
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decode("session_id=a; Session_id=b;")),
            (Pairs{"Session_id=b", "session_id=a"}));
}

// Netty's testDecodingGoogleAnalyticsCookie.
TEST_F(ServerCookieDecoderTest, DecodesGoogleAnalyticsCookies) {
  const std::string source =
      "ARPT=LWUKQPSWRTUN04CKKJI; "
      "kw-2E343B92-B097-442c-BFA5-BE371E0325A2=unfinished_furniture; "
      "__utma=48461872.1094088325.1258140131.1258140131.1258140131.1; "
      "__utmb=48461872.13.10.1258140131; __utmc=48461872; "
      "__utmz=48461872.1258140131.1.1.utmcsr=overstock.com|utmccn=(referral)|"
      "utmcmd=referral|utmcct=/Home-Garden/Furniture/Clearance/clearance/32/dept.html";
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decode(source)),
            (Pairs{"ARPT=LWUKQPSWRTUN04CKKJI",
                   "__utma=48461872.1094088325.1258140131.1258140131.1258140131.1",
                   "__utmb=48461872.13.10.1258140131", "__utmc=48461872",
                   "__utmz=48461872.1258140131.1.1.utmcsr=overstock.com|utmccn=(referral)|"
                   "utmcmd=referral|utmcct=/Home-Garden/Furniture/Clearance/clearance/32/dept.html",
                   "kw-2E343B92-B097-442c-BFA5-BE371E0325A2=unfinished_furniture"}));
}

TEST_F(ServerCookieDecoderTest, UnwrapsQuotedValues) {
  const auto cookies = ServerCookieDecoder::strict().decodeAll("a=\"1\"; b=\"\"; c=2");
  EXPECT_EQ(pairs(cookies), (Pairs{"a=1 (wrapped)", "b= (wrapped)", "c=2"}));
  EXPECT_TRUE(cookies[0].wrap());
  EXPECT_FALSE(cookies[2].wrap());
}

// Netty's testDecodingLongValue: a quoted value of every cookie-octet.
TEST_F(ServerCookieDecoderTest, DecodesALongQuotedValue) {
  const std::string value = longValue(5000);
  const auto cookies = ServerCookieDecoder::strict().decode("bh=\"" + value + "\";");
  ASSERT_EQ(cookies.size(), 1U);
  EXPECT_EQ(cookies[0].name(), "bh");
  EXPECT_EQ(cookies[0].value(), value);
}

TEST_F(ServerCookieDecoderTest, EmptyValues) {
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decodeAll("a=; b=\"\"; c=")),
            (Pairs{"a=", "b= (wrapped)", "c="}));
}

TEST_F(ServerCookieDecoderTest, TrimsSpacesAndTabsAroundNamesAndValues) {
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decodeAll("  a = 1 ;\tb=2\t;;; c=3 ")),
            (Pairs{"a=1", "b=2", "c=3"}));
}

// Netty's testDecodingOldRFC2965Cookies and its two variants with commas.
TEST_F(ServerCookieDecoderTest, DecodesRfc2965CookiesAndSkipsTheirAttributes) {
  const Pairs expected{"Part_Number1=Riding_Rocket_0023 (wrapped)",
                       "Part_Number2=Rocket_Launcher_0001 (wrapped)"};
  for (const char* source :
       {"$Version=\"1\"; Part_Number1=\"Riding_Rocket_0023\"; $Path=\"/acme/ammo\"; "
        "Part_Number2=\"Rocket_Launcher_0001\"; $Path=\"/acme\"",
        "$Version=\"1\", Part_Number1=\"Riding_Rocket_0023\"; $Path=\"/acme/ammo\", "
        "Part_Number2=\"Rocket_Launcher_0001\"; $Path=\"/acme\"",
        "$Version=\"1\"; Part_Number1=\"Riding_Rocket_0023\"; $Path=\"/acme/ammo\", "
        "Part_Number2=\"Rocket_Launcher_0001\"; $Domain=\"x\"; $Port=\"80\""}) {
    EXPECT_EQ(pairs(ServerCookieDecoder::strict().decodeAll(source)), expected) << source;
  }
}

TEST_F(ServerCookieDecoderTest, OnlyRfc2965AttributesAreSkippedAndCommasSeparateOnlyThere) {
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decodeAll("$Path=1; $x=2; a=3; $PORT=4")),
            (Pairs{"$x=2", "a=3"}));
  EXPECT_EQ(pairs(ServerCookieDecoder::lax().decodeAll("a=1, b=2; $Versions=1, c=3")),
            (Pairs{"a=1, b=2", "$Versions=1, c=3"}));
  EXPECT_EQ(pairs(ServerCookieDecoder::lax().decodeAll(" $version = 1, a=1, b=2")),
            (Pairs{"a=1", "b=2"}));
}

// Netty's testRejectCookieValueWithSemicolon: ";" ends a pair even inside quotes, so both
// halves are malformed.
TEST_F(ServerCookieDecoderTest, SemicolonInsideQuotesEndsThePair) {
  EXPECT_TRUE(ServerCookieDecoder::strict().decode("name=\"foo;bar\";").empty());
  EXPECT_TRUE(ServerCookieDecoder::lax().decode("name=\"foo;bar\";").empty());
}

TEST_F(ServerCookieDecoderTest, StrictDropsInvalidCookiesAndKeepsTheOthers) {
  const std::string header =
      "a=b c; ok1=1; f\"g=h; i=j\\k; =x; novalue; l=\"unbalanced; m=\x01; n=a,b; "
      "o(p=1; q=\"x\"y\"; ok2=2";
  EXPECT_EQ(pairs(ServerCookieDecoder::strict().decodeAll(header)), (Pairs{"ok1=1", "ok2=2"}));
}

TEST_F(ServerCookieDecoderTest, LaxKeepsAnyNameAndValueButNotMalformedPairs) {
  const std::string header =
      "a=b c; ok1=1; f\"g=h; i=j\\k; =x; novalue; l=\"unbalanced; m=\x01; n=a,b; ok2=2";
  EXPECT_EQ(pairs(ServerCookieDecoder::lax().decodeAll(header)),
            (Pairs{"a=b c", "ok1=1", "f\"g=h", "i=j\\k", "m=\x01", "n=a,b", "ok2=2"}));
}

TEST_F(ServerCookieDecoderTest, KeepsAtMostMaxCookies) {
  std::string header;
  for (int i = 0; i < 10000; ++i) {
    header += "c" + std::to_string(i) + "=v; ";
  }
  const auto all = ServerCookieDecoder::strict().decodeAll(header);
  ASSERT_EQ(all.size(), CookieDecoderConfig::kDefaultMaxCookies);
  EXPECT_EQ(all.front().name(), "c0");
  EXPECT_EQ(all.back().name(), "c255");

  const ServerCookieDecoder three(CookieDecoderConfig{.maxCookies = 3});
  EXPECT_EQ(pairs(three.decodeAll("a=1; bad name=2; b=3; c=4; d=5")), (Pairs{"a=1", "b=3", "c=4"}));
  EXPECT_EQ(three.decode(header).size(), 3U);
}

TEST_F(ServerCookieDecoderTest, HostileInputDecodesToNothingOrToWhatIsValid) {
  const ServerCookieDecoder* decoders[] = {&ServerCookieDecoder::strict(),
                                           &ServerCookieDecoder::lax()};
  for (const ServerCookieDecoder* d : decoders) {
    EXPECT_TRUE(d->decodeAll("").empty());
    EXPECT_TRUE(d->decodeAll(std::string(100000, ';')).empty());
    EXPECT_TRUE(d->decodeAll(std::string(100000, '=')).empty());
    EXPECT_TRUE(d->decodeAll(std::string(100000, '"')).empty());
    EXPECT_TRUE(d->decodeAll("\"").empty());
    EXPECT_TRUE(d->decodeAll("a=\"").empty());
    EXPECT_TRUE(d->decodeAll("=;=;=").empty());
    EXPECT_TRUE(d->decodeAll(std::string("\0\0\0", 3)).empty());
    EXPECT_TRUE(d->decodeAll("$Version").empty());
    // A megabyte value is kept whole: the HTTP decoder's maxHeaderSize bounds a real field.
    const std::string huge = longValue(1 << 20);
    const auto cookies = d->decodeAll("big=" + huge);
    ASSERT_EQ(cookies.size(), 1U);
    EXPECT_EQ(cookies[0].value().size(), huge.size());
  }
}

}  // namespace
}  // namespace sluice::http
