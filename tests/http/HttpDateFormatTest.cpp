#include <sluice/http/HttpDateFormat.h>

#include <chrono>
#include <string>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpDateFormatTest = testing::SluiceTest;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// "Sun, 06 Nov 1994 08:49:37 GMT", the example of RFC 9110 5.6.7.
constexpr sys_seconds kExample{seconds(784111777)};

std::optional<sys_seconds> parse(std::string_view s) { return HttpDateFormat::parse(s); }

TEST_F(HttpDateFormatTest, FormatsAnImfFixdate) {
  EXPECT_EQ(HttpDateFormat::format(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(HttpDateFormat::format(sys_seconds(seconds(0))), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDateFormat::format(sys_seconds(seconds(951782400))),
            "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(HttpDateFormat::format(sys_seconds(seconds(-1))), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(HttpDateFormat::format(kExample).size(), HttpDateFormat::kFormattedLength);
}

TEST_F(HttpDateFormatTest, FormatsAClockReadingTruncatedToTheSecond) {
  const std::chrono::system_clock::time_point t =
      std::chrono::system_clock::time_point(kExample) + std::chrono::milliseconds(999);
  EXPECT_EQ(HttpDateFormat::format(t), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_F(HttpDateFormatTest, AppendsToAString) {
  std::string out = "Date: ";
  HttpDateFormat::append(kExample, out);
  EXPECT_EQ(out, "Date: Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_F(HttpDateFormatTest, ClampsToFourDigitYears) {
  const sys_seconds end = *parse("Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(HttpDateFormat::format(end), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(HttpDateFormat::format(end + std::chrono::hours(24 * 365 * 100)),
            "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(HttpDateFormat::format(sys_seconds::min()), "Mon, 01 Jan 0001 00:00:00 GMT");
  EXPECT_EQ(HttpDateFormat::format(sys_seconds::max()), "Fri, 31 Dec 9999 23:59:59 GMT");
}

// RFC 9110 5.6.7: a recipient MUST accept all three formats.
TEST_F(HttpDateFormatTest, ParsesTheThreeFormatsOfRfc9110) {
  EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
  EXPECT_EQ(parse("Sunday, 06-Nov-94 08:49:37 GMT"), kExample);
  EXPECT_EQ(parse("Sun Nov  6 08:49:37 1994"), kExample);
}

TEST_F(HttpDateFormatTest, RoundTrips) {
  for (std::int64_t s : {std::int64_t{0}, std::int64_t{784111777}, std::int64_t{951868799},
                         std::int64_t{4102444800}, std::int64_t{253402300799}}) {
    const sys_seconds t{seconds(s)};
    EXPECT_EQ(parse(HttpDateFormat::format(t)), t) << s;
  }
}

// The cases of Netty's DateFormatterTest, whose parser follows RFC 6265 5.1.1 too.
TEST_F(HttpDateFormatTest, ParsesLenientCookieDates) {
  EXPECT_EQ(parse("Sun, 6 Nov 1994 08:49:37 GMT"), kExample);
  EXPECT_EQ(parse("Sunday, 6-Nov-94 08:49:37 GMT"), kExample);
  EXPECT_EQ(parse("Sun Nov 06 08:49:37 1994"), kExample);
  EXPECT_EQ(parse("Sun Nov 06 08:49:37 1994 -0000"), kExample);
  EXPECT_EQ(parse("Sunday, 06-Nov-94 8:49:37 GMT"), kExample);
  EXPECT_EQ(parse("Sunday, 06 Nov 1994 8:49:37 GMT"), kExample);
  EXPECT_EQ(parse("Sunday, 06 Nov 1994 8:9:37 GMT"), kExample - seconds(40 * 60));
  EXPECT_EQ(parse("Sunday, 06 Nov 1994 8:09:37 GMT"), kExample - seconds(40 * 60));
  EXPECT_EQ(parse("Sunday, 06 Nov 1994 8:9:7 GMT"), kExample - seconds(40 * 60 + 30));
  EXPECT_EQ(parse("Sunday, 06 Nov 1994 8:9:07 GMT"), kExample - seconds(40 * 60 + 30));
  EXPECT_EQ(parse("Sunday, 06 Nov 1994 00:00:00 GMT"), sys_seconds(seconds(784080000)));
  // Case-insensitive month names, of any length; any order of the parts; the time zone and
  // the day of the week are ignored.
  EXPECT_EQ(parse("06 NOVEMBER 1994 08:49:37"), kExample);
  EXPECT_EQ(parse("1994 08:49:37 Nov 06"), kExample);
  EXPECT_EQ(parse("Mon, 06 Nov 1994 08:49:37 PST"), kExample);
  EXPECT_EQ(parse("  ,Sun, 06 Nov 1994 08:49:37 GMT;;"), kExample);
}

TEST_F(HttpDateFormatTest, ParsesEveryMonth) {
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int m = 0; m < 12; ++m) {
    const auto t = parse(std::string("06 ") + months[m] + " 1994 08:49:37 GMT");
    ASSERT_TRUE(t.has_value()) << months[m];
    EXPECT_EQ(HttpDateFormat::format(*t).substr(8, 3), months[m]);
  }
}

// RFC 6265 5.1.1 steps 3 and 4.
TEST_F(HttpDateFormatTest, TwoDigitYearsPivotAt70) {
  EXPECT_EQ(HttpDateFormat::format(*parse("01 Jan 70 00:00:00")), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDateFormat::format(*parse("01 Jan 69 00:00:00")), "Tue, 01 Jan 2069 00:00:00 GMT");
  EXPECT_EQ(HttpDateFormat::format(*parse("01 Jan 00 00:00:00")), "Sat, 01 Jan 2000 00:00:00 GMT");
}

TEST_F(HttpDateFormatTest, RefusesMissingParts) {
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse("   ,;"));
  EXPECT_FALSE(parse("Sun, Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 08:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 :49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08::37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08:49: GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08:49 GMT"));
}

TEST_F(HttpDateFormatTest, RefusesValuesOutOfRange) {
  EXPECT_FALSE(parse("Sun, 06 FOO 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 36 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 00 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 28:49:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08:69:37 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08:49:67 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 1994 08:49:60 GMT"));  // no leap seconds
  EXPECT_FALSE(parse("Sun, 06 Nov 1600 08:49:37 GMT"));
  // Too many digits in a part of the time.
  EXPECT_FALSE(parse("Sunday, 06 Nov 1994 0:0:000 GMT"));
  EXPECT_FALSE(parse("Sunday, 06 Nov 1994 0:000:0 GMT"));
  EXPECT_FALSE(parse("Sunday, 06 Nov 1994 000:0:0 GMT"));
  EXPECT_FALSE(parse("Sun, 06 Nov 19945 08:49:37 GMT"));
}

// RFC 6265 5.1.1 step 6: "If the parsed-cookie-date would be ... no such date, abort".
TEST_F(HttpDateFormatTest, RefusesDaysThatDoNotExist) {
  EXPECT_FALSE(parse("30 Feb 2000 00:00:00"));
  EXPECT_FALSE(parse("29 Feb 1900 00:00:00"));
  EXPECT_TRUE(parse("29 Feb 2000 00:00:00"));
  EXPECT_FALSE(parse("31 Apr 2020 00:00:00"));
}

TEST_F(HttpDateFormatTest, HostileInputNeitherCrashesNorMatches) {
  EXPECT_FALSE(parse(std::string(100000, '9')));
  EXPECT_FALSE(parse(std::string(100000, ':')));
  EXPECT_FALSE(parse(std::string("\0\0\0", 3)));
  std::string noisy(5000, ' ');
  noisy += "06 Nov 1994 08:49:37";
  EXPECT_EQ(parse(noisy), kExample);
}

}  // namespace
}  // namespace sluice::http
