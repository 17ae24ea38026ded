#include <sluice/http/HttpDateFormat.h>

#include <array>
#include <cstdint>

namespace sluice::http {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms, which
// are exact for every year an int64 holds and need no tables or time-zone database).
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};

constexpr Civil civilFromDays(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

static_assert(daysFromCivil(1970, 1, 1) == 0);
static_assert(civilFromDays(daysFromCivil(2000, 2, 29)).day == 29);

constexpr bool isLeapYear(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned daysInMonth(std::int64_t y, unsigned m) noexcept {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeapYear(y) ? 29 : kDays[m - 1];
}

constexpr std::int64_t kSecondsPerDay = 86400;
// The range an IMF-fixdate can spell: 0001-01-01T00:00:00 to 9999-12-31T23:59:59.
constexpr std::int64_t kMinSeconds = daysFromCivil(1, 1, 1) * kSecondsPerDay;
constexpr std::int64_t kMaxSeconds = (daysFromCivil(9999, 12, 31) + 1) * kSecondsPerDay - 1;

void appendTwoDigits(unsigned v, std::string& out) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

// RFC 6265 5.1.1: delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
constexpr bool isDelimiter(unsigned char c) noexcept {
  return c == 0x09 || (c >= 0x20 && c <= 0x2F) || (c >= 0x3B && c <= 0x40) ||
         (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

constexpr bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads 1 to maxDigits digits at the front of `s`; returns how many (0 when none).
std::size_t readDigits(std::string_view s, std::size_t maxDigits, unsigned& value) noexcept {
  std::size_t n = 0;
  value = 0;
  while (n < s.size() && n < maxDigits && isDigit(s[n])) {
    value = value * 10 + static_cast<unsigned>(s[n] - '0');
    ++n;
  }
  return n;
}

// "N*MDIGIT [ non-digit *OCTET ]": at least minDigits and at most maxDigits digits, and the
// token does not continue with a further digit. (RFC 6265 errata 4148 makes the tail optional:
// as printed, "( non-digit *OCTET )" would refuse a plain "06".)
bool matchNumber(std::string_view token, std::size_t minDigits, std::size_t maxDigits,
                 unsigned& value) noexcept {
  const std::size_t n = readDigits(token, maxDigits, value);
  return n >= minDigits && (n == token.size() || !isDigit(token[n]));
}

// time = hms-time [ non-digit *OCTET ]; hms-time = time-field ":" time-field ":" time-field;
// time-field = 1*2DIGIT.
bool matchTime(std::string_view token, unsigned& h, unsigned& m, unsigned& s) noexcept {
  std::size_t n = readDigits(token, 2, h);
  if (n == 0 || n == token.size() || token[n] != ':') {
    return false;
  }
  token.remove_prefix(n + 1);
  n = readDigits(token, 2, m);
  if (n == 0 || n == token.size() || token[n] != ':') {
    return false;
  }
  token.remove_prefix(n + 1);
  return matchNumber(token, 1, 2, s);
}

// month = ( "jan" / ... / "dec" ) *OCTET, case-insensitively.
bool matchMonth(std::string_view token, unsigned& month) noexcept {
  if (token.size() < 3) {
    return false;
  }
  char lower[3];
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = token[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  static constexpr std::array<std::string_view, 12> kLower = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (std::size_t i = 0; i < kLower.size(); ++i) {
    if (std::string_view(lower, 3) == kLower[i]) {
      month = static_cast<unsigned>(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

void HttpDateFormat::append(std::chrono::sys_seconds time, std::string& out) {
  std::int64_t secs = time.time_since_epoch().count();
  secs = secs < kMinSeconds ? kMinSeconds : (secs > kMaxSeconds ? kMaxSeconds : secs);
  // Floor division, so that times before 1970 land on the right day.
  std::int64_t days = secs / kSecondsPerDay;
  std::int64_t secOfDay = secs % kSecondsPerDay;
  if (secOfDay < 0) {
    secOfDay += kSecondsPerDay;
    --days;
  }
  const Civil date = civilFromDays(days);
  // 1970-01-01 was a Thursday (4, counting Sunday as 0).
  const auto weekday = static_cast<std::size_t>(((days % 7) + 7 + 4) % 7);
  const auto sod = static_cast<unsigned>(secOfDay);
  const auto year = static_cast<unsigned>(date.year);

  out.reserve(out.size() + kFormattedLength);
  out.append(kDayNames[weekday]);
  out.append(", ");
  appendTwoDigits(date.day, out);
  out.push_back(' ');
  out.append(kMonthNames[date.month - 1]);
  out.push_back(' ');
  appendTwoDigits(year / 100, out);
  appendTwoDigits(year % 100, out);
  out.push_back(' ');
  appendTwoDigits(sod / 3600, out);
  out.push_back(':');
  appendTwoDigits(sod / 60 % 60, out);
  out.push_back(':');
  appendTwoDigits(sod % 60, out);
  out.append(" GMT");
}

std::string HttpDateFormat::format(std::chrono::sys_seconds time) {
  std::string out;
  append(time, out);
  return out;
}

std::string HttpDateFormat::format(std::chrono::system_clock::time_point time) {
  return format(std::chrono::floor<std::chrono::seconds>(time));
}

std::optional<std::chrono::sys_seconds> HttpDateFormat::parse(std::string_view text) noexcept {
  bool foundTime = false;
  bool foundDay = false;
  bool foundMonth = false;
  bool foundYear = false;
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  unsigned day = 0;
  unsigned month = 0;
  unsigned year = 0;

  // RFC 6265 5.1.1 step 1: split into date-tokens at delimiters; step 2: give each token to
  // the first part it matches that is still missing, in the order time, day, month, year.
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isDelimiter(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !isDelimiter(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (start == i) {
      break;
    }
    const std::string_view token = text.substr(start, i - start);
    unsigned a = 0;
    unsigned b = 0;
    unsigned c = 0;
    if (!foundTime && matchTime(token, a, b, c)) {
      foundTime = true;
      hour = a;
      minute = b;
      second = c;
    } else if (!foundDay && matchNumber(token, 1, 2, a)) {
      foundDay = true;
      day = a;
    } else if (!foundMonth && matchMonth(token, a)) {
      foundMonth = true;
      month = a;
    } else if (!foundYear && matchNumber(token, 2, 4, a)) {
      foundYear = true;
      year = a;
    }
  }

  // Steps 3 and 4: two-digit years.
  if (year >= 70 && year <= 99) {
    year += 1900;
  } else if (year <= 69) {
    year += 2000;
  }
  // Step 5: every part present and in range.
  if (!foundTime || !foundDay || !foundMonth || !foundYear || day < 1 || day > 31 || year < 1601 ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  // Step 6: a date that does not exist (31 Apr, 29 Feb of a common year) fails too.
  if (day > daysInMonth(year, month)) {
    return std::nullopt;
  }
  const std::int64_t days = daysFromCivil(year, month, day);
  return std::chrono::sys_seconds(std::chrono::seconds(
      days * kSecondsPerDay + static_cast<std::int64_t>(hour) * 3600 + minute * 60 + second));
}

}  // namespace sluice::http
