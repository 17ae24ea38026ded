#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sluice::detail {

// The pooled allocator's size classes: 64, 96, 128, 192, 256, 384, ... 768 KiB, 1 MiB, i.e.
// each power of two from 64 B and the midpoint above it. Rounding up wastes at most a third
// of a block, against half with powers of two alone. Sizes count the 32-byte header.

inline constexpr std::size_t kNumSizeClasses = 29;
inline constexpr std::size_t kMinSizeClassBytes = 64;
inline constexpr std::size_t kMaxSizeClassBytes = std::size_t{1} << 20;

constexpr std::size_t sizeClassBytes(std::size_t sizeClass) noexcept {
  return (sizeClass % 2 == 0 ? std::size_t{64} : std::size_t{96}) << (sizeClass / 2);
}

/// The smallest class whose blocks hold `blockBytes`; blockBytes <= kMaxSizeClassBytes.
constexpr std::size_t sizeClassOf(std::size_t blockBytes) noexcept {
  if (blockBytes <= kMinSizeClassBytes) {
    return 0;
  }
  // 2^p >= blockBytes > 2^(p-1), p >= 7; the midpoint 3 * 2^(p-2) is the odd class.
  const auto p = static_cast<std::size_t>(std::bit_width(blockBytes - 1));
  return blockBytes <= (std::size_t{3} << (p - 2)) ? 2 * (p - 7) + 1 : 2 * (p - 6);
}

// Below 4 KiB every class is a multiple of 32 bytes, so one table entry per 32 bytes finds
// the class of a small block with one load instead of a bit scan and compares.
inline constexpr std::size_t kSizeClassLookupMaxBytes = 4096;
inline constexpr auto kSizeClassLookup = [] {
  std::array<std::uint8_t, kSizeClassLookupMaxBytes / 32 + 1> table{};
  for (std::size_t i = 1; i < table.size(); ++i) {
    table[i] = static_cast<std::uint8_t>(sizeClassOf(i * 32));
  }
  return table;
}();

/// sizeClassOf(), with the table for small blocks: the allocator's fast path.
constexpr std::size_t sizeClassOfFast(std::size_t blockBytes) noexcept {
  return blockBytes <= kSizeClassLookupMaxBytes ? kSizeClassLookup[(blockBytes + 31) / 32]
                                                : sizeClassOf(blockBytes);
}

constexpr bool lookupAgreesWithSizeClassOf() {
  for (std::size_t b = 1; b <= kSizeClassLookupMaxBytes + 64; ++b) {
    if (sizeClassOfFast(b) != sizeClassOf(b)) {
      return false;
    }
  }
  return true;
}
static_assert(lookupAgreesWithSizeClassOf());

/// Bytes of one chunk of `sizeClass`: room for 32 blocks, within [64 KiB, 4 MiB], rounded
/// down to whole blocks. Small classes get many blocks a chunk, large ones a few.
constexpr std::size_t chunkBytesOf(std::size_t sizeClass) noexcept {
  const std::size_t block = sizeClassBytes(sizeClass);
  const std::size_t chunk = std::clamp(block * 32, std::size_t{64} << 10, std::size_t{4} << 20);
  return chunk / block * block;
}

static_assert(sizeClassBytes(kNumSizeClasses - 1) == kMaxSizeClassBytes);
static_assert(sizeClassOf(kMaxSizeClassBytes) == kNumSizeClasses - 1);
static_assert(sizeClassOf(65) == 1 && sizeClassOf(96) == 1 && sizeClassOf(97) == 2);

}  // namespace sluice::detail
