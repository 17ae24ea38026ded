// Replaces the global operator new and delete of the executable it is linked into.

#include "support/AllocationCounter.h"

#include <cstdlib>
#include <new>

namespace {
// constinit: no dynamic initialisation, so operator new may run before main and on any thread.
constinit thread_local std::int64_t tAllocations = 0;
}  // namespace

std::int64_t sluice::testing::allocationCount() noexcept { return tAllocations; }

// Replacing the global allocation functions with malloc and free is what the standard
// allows; GCC's check for mismatched pairs cannot see that these belong together.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  ++tAllocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
