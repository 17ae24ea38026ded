#pragma once

#include <cstdint>

namespace sluice::testing {

/// How many times the calling thread has called the global operator new so far.
///
/// Linking the `sluice_allocation_counter` object library into an executable replaces the
/// global allocation functions with counting ones (malloc and free underneath), so a test or a
/// benchmark can read the count before and after the code it measures. The count is per
/// thread: a plain increment of a thread-local, which adds no locked instruction to the
/// figures it sits beside, and which other threads' allocations cannot disturb.
std::int64_t allocationCount() noexcept;

}  // namespace sluice::testing
