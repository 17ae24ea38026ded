#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::http {

/// HTTP dates: Date, Last-Modified, If-Modified-Since, Expires and a cookie's Expires
/// attribute (Netty's DateFormatter). All functions are pure. Thread: any.
///
/// Dates are whole seconds in UTC (`std::chrono::sys_seconds`), which reach from year 1 to
/// year 9999 without overflow; a `system_clock::time_point` counts nanoseconds in libstdc++
/// and ends in 2262, before the "Fri, 31 Dec 9999 23:59:59 GMT" that cookies use for "never".
struct HttpDateFormat {
  /// The length of every formatted date: "Sun, 06 Nov 1994 08:49:37 GMT".
  static constexpr std::size_t kFormattedLength = 29;

  /// Formats `time` as an IMF-fixdate (RFC 9110 5.6.7), the one format a sender MUST
  /// generate: "Sun, 06 Nov 1994 08:49:37 GMT". Times before year 1 or after year 9999 are
  /// clamped to the first or last second of that range, as the format has four year digits.
  static std::string format(std::chrono::sys_seconds time);
  /// The same for a clock reading, truncated to the second (toward the past).
  static std::string format(std::chrono::system_clock::time_point time);
  /// Appends the IMF-fixdate of `time` to `out` (kFormattedLength bytes).
  static void append(std::chrono::sys_seconds time, std::string& out);

  /// Parses an HTTP or cookie date, or returns nullopt. Accepts the three formats a recipient
  /// MUST accept (RFC 9110 5.6.7: IMF-fixdate, rfc850-date, asctime-date) through the lenient
  /// cookie-date algorithm of RFC 6265 5.1.1, which also reads what servers send in practice
  /// ("Sun, 6-Nov-1994 8:49:37 GMT", "06 Nov 1994 08:49:37 +0000"). As that algorithm says:
  /// the day of the week and the time zone are ignored (the time is taken as UTC); a two-digit
  /// year 70-99 means 19xx and 00-69 means 20xx; the date fails when a part is missing or out of
  /// range (day 1-31, year >= 1601, 23:59:59 at most) or names no real day (30 Feb).
  /// Never throws; runs in time linear in the input.
  static std::optional<std::chrono::sys_seconds> parse(std::string_view text) noexcept;
};

}  // namespace sluice::http
