#pragma once

#include <sluice/buffer/detail/ByteBufStorage.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

/// How closely buffers are watched for leaks (Netty's ResourceLeakDetector.Level).
enum class LeakDetectionLevel {
  /// Nothing is recorded. The default in release builds.
  Disabled,
  /// One buffer in samplingInterval() records a short allocation stack. The default in
  /// debug and sanitizer builds.
  Simple,
  /// As Simple, with a deep allocation stack.
  Advanced,
  /// Every buffer records a deep allocation stack. For tests hunting a leak; slow.
  Paranoid,
};

/// Finds buffers kept alive by mistake: what RAII cannot prevent (a handle parked in a map,
/// a cycle of owners). Sampled buffers record where they were allocated; whatever is still
/// alive when a test or the process ends can be reported with that stack.
///
/// Process-wide state (DESIGN.md): one registry and one level for the process. In debug and
/// sanitizer builds, buffers still tracked at exit are logged as errors. The level can also
/// be set with the environment variable SLUICE_LEAK_DETECTION=disabled|simple|advanced|
/// paranoid, read once at start-up. Thread: any.
class ResourceLeakDetector {
 public:
  /// A tracked buffer that is still alive.
  struct Record {
    /// Usable bytes of its memory block.
    std::size_t capacity = 0;
    /// The allocation stack, one frame a line, innermost first.
    std::string allocationStack;
  };

  ResourceLeakDetector() = delete;

  static void setLevel(LeakDetectionLevel level) noexcept;
  static LeakDetectionLevel level() noexcept {
    return static_cast<LeakDetectionLevel>(level_.load(std::memory_order_relaxed));
  }
  /// Simple and Advanced track one buffer in `interval` (Netty's default: 128).
  static void setSamplingInterval(std::uint32_t interval) noexcept;

  /// Every tracked buffer still alive.
  static std::vector<Record> outstanding();
  static std::size_t outstandingCount() noexcept;
  /// Logs each tracked buffer still alive as an error, with its stack; returns how many.
  static std::size_t reportLeaks();

  /// Called by allocators for each new block: records it if the level samples it.
  static void onAllocate(detail::ByteBufStorage* storage) {
    if (level_.load(std::memory_order_relaxed) != 0) [[unlikely]] {
      maybeTrack(storage);
    }
  }
  /// Called when a tracked block's last reference goes.
  static void onRelease(detail::ByteBufStorage* storage) noexcept;

 private:
  static void maybeTrack(detail::ByteBufStorage* storage);

  static std::atomic<int> level_;
};

}  // namespace sluice
