#include <fmt/format.h>
#include <sluice/channel/ChannelId.h>

#include <atomic>

namespace sluice {
namespace {

// Process-wide (docs/core.md, "Process-wide state"): the source of channel ids.
std::atomic<std::uint64_t> gNextChannelId{1};

// Spreads consecutive ids over all digits so that short ids of neighbours differ at a
// glance (splitmix64's finaliser; a bijection, so ids stay unique).
std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

ChannelId ChannelId::next() noexcept {
  return ChannelId(gNextChannelId.fetch_add(1, std::memory_order_relaxed));
}

std::string ChannelId::asShortText() const {
  return fmt::format("{:08x}", static_cast<std::uint32_t>(mix(value_)));
}

std::string ChannelId::asLongText() const { return fmt::format("{:016x}", mix(value_)); }

}  // namespace sluice
