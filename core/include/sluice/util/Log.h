#pragma once

#include <fmt/format.h>

#include <functional>
#include <string_view>

namespace sluice {

/// Severity of a log record, lowest first. `Off` as a level silences everything.
enum class LogLevel { Trace, Debug, Info, Warn, Error, Off };

/// Where sluice's log records go. An application routes them into its own logging by
/// installing a sink; the default writes one line per record to stderr.
///
/// Process-wide state (DESIGN.md, "Process-wide state"): one sink and one level for the
/// process. Thread: any; the sink itself is called on whichever thread logs, concurrently,
/// so it must be thread-safe.
class Log {
 public:
  /// A sink receives the level, the logger name (the area, e.g. "buffer") and the text.
  using Sink = std::function<void(LogLevel, std::string_view logger, std::string_view message)>;

  /// Installs `sink`, or restores the stderr sink when it is empty. Returns the previous sink.
  static Sink setSink(Sink sink);
  /// Records below `level` are dropped before they are formatted.
  static void setLevel(LogLevel level) noexcept;
  static LogLevel level() noexcept;
  static bool isEnabled(LogLevel level) noexcept { return level >= Log::level(); }

  /// Formats with fmt and hands the record to the sink, if `level` is enabled.
  template <typename... Args>
  static void log(LogLevel level, std::string_view logger, fmt::format_string<Args...> format,
                  Args&&... args) {
    if (isEnabled(level)) {
      write(level, logger, fmt::vformat(format, fmt::make_format_args(args...)));
    }
  }

  /// Hands an already formatted record to the sink (no level check).
  static void write(LogLevel level, std::string_view logger, std::string_view message);
};

/// The lower-case name of a level ("trace" ... "off").
std::string_view toString(LogLevel level) noexcept;

}  // namespace sluice
