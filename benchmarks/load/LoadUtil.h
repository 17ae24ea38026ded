#pragma once

// What the load tools (sluice-load, ws-load) share: parsing numbers from the command line,
// the CPU time of the server under test and of the tool itself, and the descriptor limit.

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace loadutil {

template <typename T>
bool parseNumber(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

// The user + system CPU time of process `pid` (all its threads) in seconds, from
// /proc/PID/stat fields 14 and 15. Resolution is one clock tick (usually 10 ms).
inline std::optional<double> processCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) {
    return std::nullopt;
  }
  // Field 2, the command name, is in parentheses and may hold spaces or ')': skip to the last
  // ')'. Field 3 (state) follows it, so utime and stime are the 12th and 13th fields after.
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if ((i == 14 && !parseNumber(field, utime)) || (i == 15 && !parseNumber(field, stime))) {
      return std::nullopt;
    }
  }
  const long ticksPerSecond = sysconf(_SC_CLK_TCK);
  if (ticksPerSecond <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(ticksPerSecond);
}

// This process's own user + system CPU time in seconds.
inline double selfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Makes room for one descriptor per connection, raising the soft limit up to the hard one.
// `tool` names the program in the message when the hard limit is too low.
inline bool ensureDescriptors(std::size_t connections, std::string_view tool) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return true;  // Let the connect report the problem if there is one.
  }
  const rlim_t needed = connections + 16;
  if (limit.rlim_cur >= needed) {
    return true;
  }
  if (limit.rlim_max < needed) {
    fmt::print(stderr, "{}: {} connections need {} descriptors; the hard limit is {}\n", tool,
               connections, needed, limit.rlim_max);
    return false;
  }
  limit.rlim_cur = needed;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

}  // namespace loadutil
