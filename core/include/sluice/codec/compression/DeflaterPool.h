#pragma once

#include <sluice/codec/compression/Deflater.h>

#include <cstddef>

namespace sluice {

/// Idle Deflaters kept per thread for reuse. A stream per message (an HTTP response body,
/// a permessage-deflate message without context takeover) then costs a deflateReset, not
/// a new zlib state: about 256 KiB allocated, initialised and freed per message at the
/// default settings, which glibc may hand back to the system and fault in again each time
/// (measured: a 16 KiB response compressed in 234 µs with a new Deflater each time, 96 µs
/// with one reused; docs/performance.md).
///
/// At most kMaxIdlePerThread Deflaters wait on each thread, so a thread holds at most about
/// 1 MiB of idle zlib state; the pool is freed when the thread ends. Deflaters are matched
/// by their whole DeflaterConfig.
///
/// Thread: any; each thread has its own pool (the thread-local caches of docs/core.md,
/// "Process-wide state").
class DeflaterPool {
 public:
  static constexpr std::size_t kMaxIdlePerThread = 4;

  /// A Deflater with `config` at the start of a stream: an idle one of this thread, or a
  /// new one. Throws std::invalid_argument for an invalid config, as Deflater does.
  static Deflater acquire(const DeflaterConfig& config);
  /// Resets `deflater` and keeps it for the next acquire() on this thread with the same
  /// config; drops it when this thread already keeps kMaxIdlePerThread.
  static void release(Deflater&& deflater) noexcept;
  /// How many Deflaters this thread keeps idle.
  static std::size_t idleCount() noexcept;
  /// Frees this thread's idle Deflaters (under memory pressure, or to start a test clean).
  static void clear() noexcept;
};

}  // namespace sluice
