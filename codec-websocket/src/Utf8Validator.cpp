#include <sluice/websocket/Utf8Validator.h>

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::websocket {
namespace {

// Byte classes: what a byte may be in UTF-8 (RFC 3629 4, the UTF8-octets grammar).
enum Class : std::uint8_t {
  kAscii,    // 00..7F
  kCont80,   // 80..8F  continuation
  kCont90,   // 90..9F  continuation
  kContA0,   // A0..BF  continuation
  kInvalid,  // C0, C1 (would be overlong), F5..FF (above U+10FFFF)
  kLead2,    // C2..DF
  kLeadE0,   // E0: the next byte must be A0..BF (else overlong)
  kLead3,    // E1..EC, EE, EF
  kLeadED,   // ED: the next byte must be 80..9F (else a surrogate)
  kLeadF0,   // F0: the next byte must be 90..BF (else overlong)
  kLead4,    // F1..F3
  kLeadF4,   // F4: the next byte must be 80..8F (else above U+10FFFF)
};

constexpr std::array<std::uint8_t, 256> makeClasses() {
  std::array<std::uint8_t, 256> c{};
  for (int b = 0; b < 256; ++b) {
    std::uint8_t k = kInvalid;
    if (b < 0x80) {
      k = kAscii;
    } else if (b < 0x90) {
      k = kCont80;
    } else if (b < 0xA0) {
      k = kCont90;
    } else if (b < 0xC0) {
      k = kContA0;
    } else if (b < 0xC2) {
      k = kInvalid;
    } else if (b < 0xE0) {
      k = kLead2;
    } else if (b == 0xE0) {
      k = kLeadE0;
    } else if (b == 0xED) {
      k = kLeadED;
    } else if (b < 0xF0) {
      k = kLead3;
    } else if (b == 0xF0) {
      k = kLeadF0;
    } else if (b < 0xF4) {
      k = kLead4;
    } else if (b == 0xF4) {
      k = kLeadF4;
    }
    c[static_cast<std::size_t>(b)] = k;
  }
  return c;
}

// States, each 16 * n (Utf8Validator::kAccept = 0 and kReject = 16 are the first two).
constexpr std::uint8_t kAccept = Utf8Validator::kAccept;
constexpr std::uint8_t kReject = Utf8Validator::kReject;
constexpr std::uint8_t kNeed1 = 32;     // one continuation byte left
constexpr std::uint8_t kNeed2 = 48;     // two left
constexpr std::uint8_t kNeed3 = 64;     // three left
constexpr std::uint8_t kAfterE0 = 80;   // A0..BF, then one more
constexpr std::uint8_t kAfterED = 96;   // 80..9F, then one more
constexpr std::uint8_t kAfterF0 = 112;  // 90..BF, then two more
constexpr std::uint8_t kAfterF4 = 128;  // 80..8F, then two more
constexpr std::size_t kStates = 9;

constexpr std::array<std::uint8_t, kStates * 16> makeTransitions() {
  std::array<std::uint8_t, kStates * 16> t{};
  for (auto& s : t) {
    s = kReject;
  }
  const auto set = [&t](std::uint8_t state, Class c, std::uint8_t next) {
    t[static_cast<std::size_t>(state + c)] = next;
  };
  set(kAccept, kAscii, kAccept);
  set(kAccept, kLead2, kNeed1);
  set(kAccept, kLeadE0, kAfterE0);
  set(kAccept, kLead3, kNeed2);
  set(kAccept, kLeadED, kAfterED);
  set(kAccept, kLeadF0, kAfterF0);
  set(kAccept, kLead4, kNeed3);
  set(kAccept, kLeadF4, kAfterF4);
  for (Class c : {kCont80, kCont90, kContA0}) {
    set(kNeed1, c, kAccept);
    set(kNeed2, c, kNeed1);
    set(kNeed3, c, kNeed2);
  }
  set(kAfterE0, kContA0, kNeed1);
  set(kAfterED, kCont80, kNeed1);
  set(kAfterED, kCont90, kNeed1);
  set(kAfterF0, kCont90, kNeed2);
  set(kAfterF0, kContA0, kNeed2);
  set(kAfterF4, kCont80, kNeed2);
  return t;
}

constexpr std::array<std::uint8_t, 256> kClasses = makeClasses();
constexpr std::array<std::uint8_t, kStates* 16> kTransitions = makeTransitions();

inline std::uint8_t step(std::uint8_t state, std::uint8_t byte) noexcept {
  return kTransitions[static_cast<std::size_t>(state + kClasses[byte])];
}

// Whether the 16 (or 8) bytes at p are all ASCII.
inline bool isAsciiBlock(const std::uint8_t* p) noexcept {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm_movemask_epi8(v) == 0;
#else
  std::uint64_t a;
  std::uint64_t b;
  std::memcpy(&a, p, 8);
  std::memcpy(&b, p + 8, 8);
  return ((a | b) & 0x8080808080808080ULL) == 0;
#endif
}

}  // namespace

bool Utf8Validator::update(std::span<const std::uint8_t> bytes) noexcept {
  std::uint8_t state = state_;
  if (state == kReject) {
    return false;
  }
  const std::uint8_t* p = bytes.data();
  const std::uint8_t* const end = p + bytes.size();
  while (end - p >= 16) {
    // Text is mostly ASCII: skip whole blocks of it while between characters. A block with
    // a non-ASCII byte goes through the state machine byte by byte.
    if (state == kAccept && isAsciiBlock(p)) {
      p += 16;
      continue;
    }
    for (const std::uint8_t* blockEnd = p + 16; p != blockEnd; ++p) {
      state = step(state, *p);
    }
    if (state == kReject) {
      state_ = kReject;
      return false;
    }
  }
  for (; p != end; ++p) {
    state = step(state, *p);
  }
  state_ = state;
  return state != kReject;
}

}  // namespace sluice::websocket
