#pragma once

#include <cstddef>

// Marks free pooled memory as unaddressable under AddressSanitizer, so that a raw pointer
// kept past a buffer's last release is reported as a use after free, as with malloc.

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_HAS_ASAN 1
#endif
#endif

#if defined(SLUICE_HAS_ASAN)
#include <sanitizer/asan_interface.h>
namespace sluice::detail {
inline void poisonMemory(const void* p, std::size_t n) noexcept { ASAN_POISON_MEMORY_REGION(p, n); }
inline void unpoisonMemory(const void* p, std::size_t n) noexcept {
  ASAN_UNPOISON_MEMORY_REGION(p, n);
}
}  // namespace sluice::detail
#else
namespace sluice::detail {
inline void poisonMemory(const void*, std::size_t) noexcept {}
inline void unpoisonMemory(const void*, std::size_t) noexcept {}
}  // namespace sluice::detail
#endif
