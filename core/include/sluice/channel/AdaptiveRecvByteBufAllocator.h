#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

/// Sizes a channel's receive buffers from what its reads actually bring (Netty's
/// AdaptiveRecvByteBufAllocator): it guesses one step larger right after a read that filled
/// its buffer, and one step smaller only after two reads in a row that would have fit the
/// smaller size, so that a busy connection gets large buffers quickly and an idle one gives
/// memory back slowly. One per channel; Thread: the channel's loop.
class AdaptiveRecvByteBufAllocator {
 public:
  struct Config {
    std::size_t minimum = 64;
    std::size_t initial = 2048;
    std::size_t maximum = 65536;
  };

  AdaptiveRecvByteBufAllocator() : AdaptiveRecvByteBufAllocator(Config{}) {}
  /// Throws std::invalid_argument unless 0 < minimum <= initial <= maximum.
  explicit AdaptiveRecvByteBufAllocator(Config config);

  /// The size to allocate for the next read.
  std::size_t guess() const noexcept { return nextReceiveBufferSize_; }
  /// Records how many bytes one read brought.
  void record(std::size_t actualReadBytes) noexcept;

  const Config& config() const noexcept { return config_; }

 private:
  Config config_;
  std::uint32_t minIndex_;
  std::uint32_t maxIndex_;
  std::uint32_t index_;
  std::size_t nextReceiveBufferSize_;
  bool decreaseNow_ = false;
};

}  // namespace sluice
