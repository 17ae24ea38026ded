#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <sluice/util/Log.h>
#include <sluice/util/ResourceLeakDetector.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace sluice {
namespace {

constexpr int kShallowFrames = 8;
constexpr int kDeepFrames = 32;
// backtrace() returns the detector's own frames first: maybeTrack's, and in sanitizer builds
// the interceptor's of backtrace() itself. At most this many are captured on top of a stack.
constexpr int kMaxOwnFrames = 4;

struct Entry {
  std::size_t capacity = 0;
  int first = 0;  // frames[first] is maybeTrack's caller; those before it are the detector's
  int depth = 0;
  std::array<void*, kDeepFrames + kMaxOwnFrames> frames{};
};

// The registry of tracked buffers (DESIGN.md, "Process-wide state"). Never destroyed, so
// buffers released during static destruction can still find it.
struct Registry {
  std::mutex mutex;
  std::unordered_map<const detail::ByteBufStorage*, Entry> entries;
};
Registry& registry() {
  static auto* r = new Registry;
  return *r;
}

std::atomic<std::uint32_t> gSamplingInterval{128};
thread_local std::uint32_t tlsSampleCounter = 0;

constexpr int defaultLevel() {
#if SLUICE_DCHECK_IS_ON
  return static_cast<int>(LeakDetectionLevel::Simple);
#else
  return static_cast<int>(LeakDetectionLevel::Disabled);
#endif
}

int levelFromEnvironment() {
  const char* value = std::getenv("SLUICE_LEAK_DETECTION");
  if (value == nullptr) {
    return defaultLevel();
  }
  const std::string_view v(value);
  if (v == "disabled") return static_cast<int>(LeakDetectionLevel::Disabled);
  if (v == "simple") return static_cast<int>(LeakDetectionLevel::Simple);
  if (v == "advanced") return static_cast<int>(LeakDetectionLevel::Advanced);
  if (v == "paranoid") return static_cast<int>(LeakDetectionLevel::Paranoid);
  return defaultLevel();
}

std::string symbolize(const Entry& entry) {
  std::string out;
  for (int i = entry.first; i < entry.depth; ++i) {
    void* frame = entry.frames[static_cast<std::size_t>(i)];
    Dl_info info{};
    std::string name;
    if (dladdr(frame, &info) != 0 && info.dli_sname != nullptr) {
      int status = 0;
      std::unique_ptr<char, void (*)(void*)> demangled(
          abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status), std::free);
      name = status == 0 && demangled ? demangled.get() : info.dli_sname;
    } else if (info.dli_fname != nullptr) {
      name = fmt::format("{}+{:#x}", info.dli_fname,
                         reinterpret_cast<std::uintptr_t>(frame) -
                             reinterpret_cast<std::uintptr_t>(info.dli_fbase));
    } else {
      name = fmt::format("{}", frame);
    }
    fmt::format_to(std::back_inserter(out), "\t#{} {}\n", i - entry.first, name);
  }
  return out;
}

void reportAtExit() {
  if (ResourceLeakDetector::level() != LeakDetectionLevel::Disabled) {
    ResourceLeakDetector::reportLeaks();
  }
}

}  // namespace

std::atomic<int> ResourceLeakDetector::level_{levelFromEnvironment()};

void ResourceLeakDetector::setLevel(LeakDetectionLevel level) noexcept {
  level_.store(static_cast<int>(level), std::memory_order_relaxed);
}

void ResourceLeakDetector::setSamplingInterval(std::uint32_t interval) noexcept {
  gSamplingInterval.store(std::max<std::uint32_t>(1, interval), std::memory_order_relaxed);
}

// Never inlined: the stack it records starts at its return address.
[[gnu::noinline]] void ResourceLeakDetector::maybeTrack(detail::ByteBufStorage* storage) {
  const auto lvl = level();
  if (lvl == LeakDetectionLevel::Disabled) {
    return;
  }
  if (lvl != LeakDetectionLevel::Paranoid &&
      ++tlsSampleCounter % gSamplingInterval.load(std::memory_order_relaxed) != 0) {
    return;
  }
  Entry entry;
  entry.capacity = storage->capacity;
  const int want = (lvl == LeakDetectionLevel::Simple ? kShallowFrames : kDeepFrames);
  // The stack starts at whatever called this function, found by its return address, so
  // that neither inlining (which varies with the build) nor a sanitizer decides what is cut:
  // a fixed number of frames skipped would sometimes cut the allocating function itself.
  void* const caller = __builtin_return_address(0);
  entry.depth = backtrace(entry.frames.data(), want + kMaxOwnFrames);
  for (int i = 0; i < std::min(entry.depth, kMaxOwnFrames + 1); ++i) {
    if (entry.frames[static_cast<std::size_t>(i)] == caller) {
      entry.first = i;
      break;
    }
  }
  entry.depth = std::min(entry.depth, entry.first + want);
  static const bool atExitRegistered = [] {
    return SLUICE_DCHECK_IS_ON && std::atexit(reportAtExit) == 0;
  }();
  (void)atExitRegistered;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.entries[storage] = entry;
  storage->flags |= detail::ByteBufStorage::kTracked;
}

void ResourceLeakDetector::onRelease(detail::ByteBufStorage* storage) noexcept {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.entries.erase(storage);
  storage->flags &= static_cast<std::uint8_t>(~detail::ByteBufStorage::kTracked);
}

std::vector<ResourceLeakDetector::Record> ResourceLeakDetector::outstanding() {
  std::vector<Entry> entries;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    entries.reserve(r.entries.size());
    for (const auto& [storage, entry] : r.entries) {
      entries.push_back(entry);
    }
  }
  std::vector<Record> records;
  records.reserve(entries.size());
  for (const Entry& e : entries) {
    records.push_back(Record{e.capacity, symbolize(e)});
  }
  return records;
}

std::size_t ResourceLeakDetector::outstandingCount() noexcept {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.entries.size();
}

std::size_t ResourceLeakDetector::reportLeaks() {
  const auto records = outstanding();
  for (const Record& record : records) {
    Log::log(LogLevel::Error, "leak",
             "LEAK: a buffer of {} bytes is still alive. It was allocated at:\n{}", record.capacity,
             record.allocationStack);
  }
  return records.size();
}

}  // namespace sluice
