#include <sluice/channel/AdaptiveRecvByteBufAllocator.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace sluice {
namespace {

// Netty's size table: 16 to 496 in steps of 16, then powers of two up to 2^30.
constexpr std::size_t kTableSize = 31 + 23;
constexpr std::array<std::size_t, kTableSize> makeTable() {
  std::array<std::size_t, kTableSize> t{};
  std::size_t i = 0;
  for (std::size_t s = 16; s < 512; s += 16) {
    t[i++] = s;
  }
  for (std::size_t s = 512; i < kTableSize; s <<= 1) {
    t[i++] = s;
  }
  return t;
}
constexpr auto kSizeTable = makeTable();
constexpr std::uint32_t kIndexIncrement = 4;
constexpr std::uint32_t kIndexDecrement = 1;

// The index of the smallest size >= `size` (the last index for larger sizes).
std::uint32_t indexOf(std::size_t size) {
  const auto it = std::lower_bound(kSizeTable.begin(), kSizeTable.end(), size);
  return static_cast<std::uint32_t>(
      std::min<std::ptrdiff_t>(it - kSizeTable.begin(), kTableSize - 1));
}

}  // namespace

AdaptiveRecvByteBufAllocator::AdaptiveRecvByteBufAllocator(Config config) : config_(config) {
  if (config.minimum == 0 || config.minimum > config.initial || config.initial > config.maximum) {
    throw std::invalid_argument(
        "AdaptiveRecvByteBufAllocator: need 0 < minimum <= initial <= "
        "maximum");
  }
  minIndex_ = indexOf(config.minimum);
  maxIndex_ = indexOf(config.maximum);
  if (kSizeTable[maxIndex_] > config.maximum && maxIndex_ > minIndex_) {
    --maxIndex_;  // never guess above the maximum
  }
  index_ = std::clamp(indexOf(config.initial), minIndex_, maxIndex_);
  nextReceiveBufferSize_ = kSizeTable[index_];
}

void AdaptiveRecvByteBufAllocator::record(std::size_t actualReadBytes) noexcept {
  const std::uint32_t lower = index_ > kIndexDecrement ? index_ - kIndexDecrement : 0;
  if (actualReadBytes <= kSizeTable[std::max(minIndex_, lower)]) {
    // Shrink only after two small reads in a row.
    if (decreaseNow_) {
      index_ = std::max(lower, minIndex_);
      nextReceiveBufferSize_ = kSizeTable[index_];
      decreaseNow_ = false;
    } else {
      decreaseNow_ = true;
    }
  } else if (actualReadBytes >= nextReceiveBufferSize_) {
    index_ = std::min(index_ + kIndexIncrement, maxIndex_);
    nextReceiveBufferSize_ = kSizeTable[index_];
    decreaseNow_ = false;
  } else {
    decreaseNow_ = false;  // a read the size suits breaks a run of small ones
  }
}

}  // namespace sluice
