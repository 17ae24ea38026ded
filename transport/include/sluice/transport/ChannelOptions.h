#pragma once

#include <sluice/channel/AdaptiveRecvByteBufAllocator.h>
#include <sluice/channel/ChannelConfig.h>

#include <chrono>
#include <optional>

namespace sluice {

class ByteBufAllocator;

/// What Netty sets with `option(ChannelOption.X, v)`: socket options and channel
/// configuration, as one struct with designated initializers.
///
/// ```cpp
/// bootstrap.childOption({.tcpNoDelay = true, .writeBufferWaterMark = {{.low = 8192, .high =
/// 32768}}});
/// ```
///
/// Unset optional fields keep ChannelConfig's defaults.
struct ChannelOptions {
  /// listen() backlog of a server socket (Netty's SO_BACKLOG; the kernel caps it).
  int backlog = 4096;
  /// TCP_NODELAY: on by default, as in Netty, so small writes leave at once. Corking gives
  /// the batching Nagle would.
  bool tcpNoDelay = true;
  /// SO_KEEPALIVE, with `keepAliveDelaySeconds` of idle before the first probe.
  bool keepAlive = false;
  unsigned keepAliveDelaySeconds = 60;
  /// SO_RCVBUF / SO_SNDBUF in bytes; 0 leaves the system's (autotuned) default.
  int receiveBufferSize = 0;
  int sendBufferSize = 0;
  /// SO_REUSEPORT on a server socket: every worker loop listens on the port itself and the
  /// kernel spreads connections over them (no hand-over between threads).
  bool reusePort = false;

  std::optional<bool> autoRead{};
  std::optional<WriteBufferWaterMark> writeBufferWaterMark{};
  std::optional<std::chrono::milliseconds> connectTimeout{};
  std::optional<AdaptiveRecvByteBufAllocator::Config> receiveBufferSizes{};
  /// Where the channel's buffers come from (null: the default pooled allocator).
  ByteBufAllocator* allocator = nullptr;

  /// Sets the configuration fields on `config`.
  void applyTo(ChannelConfig& config) const {
    if (autoRead) {
      config.setAutoRead(*autoRead);
    }
    if (writeBufferWaterMark) {
      config.setWriteBufferWaterMark(*writeBufferWaterMark);
    }
    if (connectTimeout) {
      config.setConnectTimeout(*connectTimeout);
    }
    if (receiveBufferSizes) {
      config.setRecvByteBufAllocator(AdaptiveRecvByteBufAllocator(*receiveBufferSizes));
    }
    if (allocator != nullptr) {
      config.setAllocator(*allocator);
    }
  }
};

}  // namespace sluice
