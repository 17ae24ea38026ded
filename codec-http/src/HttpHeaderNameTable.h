#pragma once

// The lookup from a header name to its HttpHeaderNames number, inline so that the decoders
// classify each field name without a call. Private to sluice::http; everything else uses
// detail::classifyHeaderName (HttpHeaderNames.h).

#include <sluice/http/HttpHeaderNames.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::http::detail {

inline constexpr std::array<std::string_view, static_cast<std::size_t>(KnownHeader::Count)>
    kKnownNames = {
#define SLUICE_HTTP_HEADER_TEXT(constant, text) text,
        SLUICE_HTTP_HEADER_NAMES(SLUICE_HTTP_HEADER_TEXT)
#undef SLUICE_HTTP_HEADER_TEXT
};

// A perfect hash of the known names: a name's length, first letter and last-but-one letter
// (case folded) pick one of 256 slots, and no two known names share a slot, so a lookup
// reads one slot and compares one candidate. (Those three tell every known name apart;
// "access-control-allow-headers" and "-methods" differ in no other cheap place.)
inline constexpr std::size_t kSlotBits = 8;
inline constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;

inline constexpr std::size_t kMaxKnownLength = [] {
  std::size_t n = 0;
  for (const std::string_view name : kKnownNames) {
    n = name.size() > n ? name.size() : n;
  }
  return n;
}();

// The hash reads name[n - 2] and the compare loads two bytes at least; the compare also
// relies on the names' spelling, and a slot keeps a name's length in a byte.
constexpr bool knownNamesAreHashable() {
  for (const std::string_view name : kKnownNames) {
    if (name.size() < 2) {
      return false;
    }
    for (const char c : name) {
      if (!((c >= 'a' && c <= 'z') || c == '-')) {
        return false;
      }
    }
  }
  return kMaxKnownLength < 256;
}
static_assert(knownNamesAreHashable(), "known header names must be 2 to 255 of [a-z-]");

constexpr std::uint64_t headerNameHashKey(std::size_t n, char first, char lastButOne) {
  // `| 0x20` folds the case of letters; what it does to other bytes only changes the hash.
  return n | (std::uint64_t{static_cast<std::uint8_t>(first | 0x20)} << 8) |
         (std::uint64_t{static_cast<std::uint8_t>(lastButOne | 0x20)} << 16);
}
constexpr std::size_t headerNameSlot(std::uint64_t key, std::uint64_t multiplier) {
  return static_cast<std::size_t>((key * multiplier) >> (64 - kSlotBits));
}

// One slot: the known name there, padded with zeros so that the compare may load whole
// words of it, its length (0 for an empty slot, which no name of 2 bytes or more matches)
// and its number. Slots are found from the hash alone, so the name's words and its length
// load at once, not one after the other.
struct HeaderNameSlot {
  std::array<char, kMaxKnownLength> text{};
  std::uint8_t length = 0;
  KnownHeader id = KnownHeader::Unknown;
};

struct HeaderNameTable {
  std::uint64_t multiplier = 0;
  std::array<HeaderNameSlot, kSlots> slots{};
};

// Tries multipliers until one maps every known name to its own slot. The first one was
// found that way for the present names, so compilation normally tries just it; a name added
// later may make it try more.
constexpr HeaderNameTable makeHeaderNameTable() {
  std::uint64_t candidate = 0xfdf74be21b40a025ULL;
  for (int attempt = 0; attempt < 100000; ++attempt) {
    HeaderNameTable table{candidate | 1, {}};
    bool perfect = true;
    for (std::size_t id = 0; id < kKnownNames.size() && perfect; ++id) {
      const std::string_view name = kKnownNames[id];
      HeaderNameSlot& slot = table.slots[headerNameSlot(
          headerNameHashKey(name.size(), name[0], name[name.size() - 2]), table.multiplier)];
      perfect = slot.length == 0;
      for (std::size_t i = 0; i < name.size(); ++i) {
        slot.text[i] = name[i];
      }
      slot.length = static_cast<std::uint8_t>(name.size());
      slot.id = static_cast<KnownHeader>(id);
    }
    if (perfect) {
      return table;
    }
    // splitmix64's step: the next candidate.
    candidate += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = candidate;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    candidate = z ^ (z >> 31);
  }
  return {};
}

inline constexpr HeaderNameTable kHeaderNameTable = makeHeaderNameTable();
static_assert(kHeaderNameTable.multiplier != 0, "no perfect hash found for the header names");

template <typename Word>
Word loadWord(const char* p) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// Whether sizeof(Word) bytes at `in` equal those at `known`, ignoring case. The known names
// are lower-case letters and '-': setting bit 0x20 of each input byte where the known byte is
// a letter maps exactly that letter's two cases onto it, and leaves '-' to match only '-'.
// A letter's 0x40 bit, shifted down, is that 0x20 mask.
template <typename Word>
bool equalsKnownWord(const char* in, const char* known) noexcept {
  constexpr auto kCaseBits = static_cast<Word>(0x2020202020202020ULL);
  const Word k = loadWord<Word>(known);
  return (loadWord<Word>(in) | ((k >> 1) & kCaseBits)) == k;
}

// Case-insensitive equality of `name` with a known name of the same length: a few word
// compares, the last one overlapping the one before it rather than looping on the tail.
inline bool equalsKnownName(std::string_view name, const char* known) noexcept {
  const char* in = name.data();
  const std::size_t n = name.size();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (!equalsKnownWord<std::uint64_t>(in + i, known + i)) {
        return false;
      }
    }
    return equalsKnownWord<std::uint64_t>(in + n - 8, known + n - 8);
  }
  if (n >= 4) {
    return equalsKnownWord<std::uint32_t>(in, known) &&
           equalsKnownWord<std::uint32_t>(in + n - 4, known + n - 4);
  }
  return equalsKnownWord<std::uint16_t>(in, known) &&
         equalsKnownWord<std::uint16_t>(in + n - 2, known + n - 2);
}

/// The known header `name` is, compared case-insensitively; Unknown for any other name.
inline KnownHeader classifyKnownName(std::string_view name) noexcept {
  const std::size_t n = name.size();
  if (n < 2 || n > kMaxKnownLength) {
    return KnownHeader::Unknown;
  }
  const HeaderNameSlot& slot = kHeaderNameTable.slots[headerNameSlot(
      headerNameHashKey(n, name[0], name[n - 2]), kHeaderNameTable.multiplier)];
  if (slot.length != n || !equalsKnownName(name, slot.text.data())) {
    return KnownHeader::Unknown;
  }
  return slot.id;
}

}  // namespace sluice::http::detail
