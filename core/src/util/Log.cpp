#include <sluice/util/Assert.h>
#include <sluice/util/Log.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace sluice {
namespace {

// Process-wide log state: the level and the sink (DESIGN.md, "Process-wide state").
std::atomic<LogLevel> gLevel{LogLevel::Info};

std::mutex& sinkMutex() {
  static auto* mu = new std::mutex;  // never destroyed: logging may happen during exit
  return *mu;
}

Log::Sink& sinkSlot() {
  static auto* sink = new Log::Sink;
  return *sink;
}

void stderrSink(LogLevel level, std::string_view logger, std::string_view message) {
  auto line = fmt::format("[sluice] {:5} {}: {}\n", toString(level), logger, message);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

Log::Sink Log::setSink(Sink sink) {
  std::lock_guard lock(sinkMutex());
  Sink previous = std::move(sinkSlot());
  sinkSlot() = std::move(sink);
  return previous;
}

void Log::setLevel(LogLevel level) noexcept { gLevel.store(level, std::memory_order_relaxed); }

LogLevel Log::level() noexcept { return gLevel.load(std::memory_order_relaxed); }

void Log::write(LogLevel level, std::string_view logger, std::string_view message) {
  // The sink is called under the lock so that replacing it never races a call in flight.
  std::lock_guard lock(sinkMutex());
  if (sinkSlot()) {
    sinkSlot()(level, logger, message);
  } else {
    stderrSink(level, logger, message);
  }
}

std::string_view toString(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
    case LogLevel::Off:
      return "off";
  }
  return "?";
}

namespace detail {

void checkFailed(const char* expr, const char* message, const char* file, int line) noexcept {
  try {
    Log::write(LogLevel::Error, "check",
               fmt::format("{}:{}: check failed: {} ({})", file, line, expr, message));
  } catch (...) {
    std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", file, line, expr, message);
  }
  std::abort();
}

}  // namespace detail
}  // namespace sluice
