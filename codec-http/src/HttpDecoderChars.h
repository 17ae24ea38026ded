#pragma once

// The character checks of HttpChars.h, eight or sixteen bytes at a time, for the decoders'
// hot paths. Private to sluice::http.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "HttpChars.h"

namespace sluice::http::detail {

// Header values and request targets are most of a request's bytes, and a table lookup per
// byte was the decoder's largest cost: these look at eight bytes at a time. Each word test is
// exact as a yes/no answer for the whole word (borrows only disturb bytes above a match).
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}
// Whether some byte of w is below n (n <= 128).
inline bool hasByteBelow(std::uint64_t w, std::uint8_t n) noexcept {
  return ((w - kOnes * n) & ~w & kHighBits) != 0;
}
// Whether some byte of w is 0x7F (DEL).
inline bool hasDel(std::uint64_t w) noexcept {
  const std::uint64_t x = w ^ (kOnes * 0x7F);
  return ((x - kOnes) & ~x & kHighBits) != 0;
}

// RFC 9110 5.5: a field value is VCHAR, obs-text, SP and HTAB; no other CTL, no DEL. A block
// with a CTL or DEL (an HTAB is one) is looked at byte by byte. The last block overlaps the
// one before it rather than looping on the tail, whose length varies from field to field.
inline bool isValidFieldValue(std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i ctlMax = _mm_set1_epi8(0x1F);
    const __m128i del = _mm_set1_epi8(0x7F);
    const auto suspect = [&](std::size_t i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, ctlMax), v);  // unsigned v <= 0x1F
      return _mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, del))) != 0;
    };
    for (std::size_t i = 0; i + 16 < n; i += 16) {
      if (suspect(i) && !isFieldValue(s.substr(i, 16))) {
        return false;
      }
    }
    return !suspect(n - 16) || isFieldValue(s.substr(n - 16));
  }
#endif
  if (n >= 8) {
    const auto suspect = [&](std::size_t i) {
      const std::uint64_t w = load64(p + i);
      return hasByteBelow(w, 0x20) || hasDel(w);
    };
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (suspect(i) && !isFieldValue(s.substr(i, 8))) {
        return false;
      }
    }
    return !suspect(n - 8) || isFieldValue(s.substr(n - 8));
  }
  return isFieldValue(s);
}

// RFC 9112 3.2: a request target has no CTL, SP or DEL.
inline bool isValidRequestTarget(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    const std::uint64_t w = load64(s.data() + i);
    if (hasByteBelow(w, 0x21) || hasDel(w)) {
      return false;
    }
  }
  for (; i < s.size(); ++i) {
    if (!hasClass(s[i], kUriChar)) {
      return false;
    }
  }
  return true;
}

}  // namespace sluice::http::detail
