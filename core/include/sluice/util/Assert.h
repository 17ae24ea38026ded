#pragma once

// Internal invariant checks. SLUICE_CHECK is always on; SLUICE_DCHECK only in debug and
// sanitizer builds. Neither is ever used on bytes from the network: bad input is an error
// result, not a broken invariant.

namespace sluice::detail {

/// Logs "file:line: check failed: expr (message)" through the log sink, then aborts.
[[noreturn]] void checkFailed(const char* expr, const char* message, const char* file,
                              int line) noexcept;

}  // namespace sluice::detail

#if !defined(NDEBUG) || defined(SLUICE_SANITIZER_BUILD)
#define SLUICE_DCHECK_IS_ON 1
#else
#define SLUICE_DCHECK_IS_ON 0
#endif

#define SLUICE_CHECK(expr, message)                                      \
  do {                                                                   \
    if (!(expr)) [[unlikely]] {                                          \
      ::sluice::detail::checkFailed(#expr, message, __FILE__, __LINE__); \
    }                                                                    \
  } while (false)

#if SLUICE_DCHECK_IS_ON
#define SLUICE_DCHECK(expr, message) SLUICE_CHECK(expr, message)
#else
#define SLUICE_DCHECK(expr, message) \
  do {                               \
  } while (false)
#endif
