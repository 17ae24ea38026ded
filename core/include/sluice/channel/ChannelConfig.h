#pragma once

#include <sluice/channel/AdaptiveRecvByteBufAllocator.h>

#include <atomic>
#include <chrono>
#include <cstddef>

namespace sluice {

class ByteBufAllocator;
class Channel;

/// When a channel's outbound buffer counts as full (Netty's WriteBufferWaterMark): above
/// `high` queued bytes isWritable() turns false and channelWritabilityChanged fires; below
/// `low` it turns true again.
struct WriteBufferWaterMark {
  std::size_t low = 32 * 1024;
  std::size_t high = 64 * 1024;
};

/// A channel's settings (Netty's ChannelConfig). Thread: the channel's loop, or any thread
/// before the channel is registered.
class ChannelConfig {
 public:
  explicit ChannelConfig(Channel& channel);
  ChannelConfig(const ChannelConfig&) = delete;
  ChannelConfig& operator=(const ChannelConfig&) = delete;

  /// Whether the channel reads on its own (default true). Turning it off stops reading from
  /// the socket until read() is called or it is turned on again: that is how a handler that
  /// cannot keep up pushes back on the peer. Thread: any (a consumer thread may turn it off).
  bool isAutoRead() const noexcept { return autoRead_.load(std::memory_order_acquire); }
  ChannelConfig& setAutoRead(bool autoRead);

  const WriteBufferWaterMark& writeBufferWaterMark() const noexcept { return waterMark_; }
  /// Throws std::invalid_argument if low > high.
  ChannelConfig& setWriteBufferWaterMark(WriteBufferWaterMark waterMark);

  AdaptiveRecvByteBufAllocator& recvByteBufAllocator() noexcept { return recvAllocator_; }
  ChannelConfig& setRecvByteBufAllocator(AdaptiveRecvByteBufAllocator allocator) noexcept {
    recvAllocator_ = allocator;
    return *this;
  }

  /// How long a client connect may take before it fails with a time-out (default 30 s).
  std::chrono::milliseconds connectTimeout() const noexcept { return connectTimeout_; }
  ChannelConfig& setConnectTimeout(std::chrono::milliseconds timeout) noexcept {
    connectTimeout_ = timeout;
    return *this;
  }

  /// Where the channel's buffers come from (default: the process's pooled allocator). It
  /// must outlive the channel.
  ByteBufAllocator& allocator() const noexcept { return *allocator_; }
  ChannelConfig& setAllocator(ByteBufAllocator& allocator) noexcept {
    allocator_ = &allocator;
    return *this;
  }

 private:
  Channel& channel_;
  std::atomic<bool> autoRead_{true};
  WriteBufferWaterMark waterMark_;
  AdaptiveRecvByteBufAllocator recvAllocator_;
  std::chrono::milliseconds connectTimeout_{30000};
  ByteBufAllocator* allocator_;
};

}  // namespace sluice
