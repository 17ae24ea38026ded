#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelOutboundHandler.h>

#include <cstdint>
#include <type_traits>

namespace sluice::detail {

// One bit per event a handler may handle (Netty's ChannelHandlerMask). A context carries the
// bits of the methods its handler overrides; traversal skips contexts without the bit, so a
// pass-through method costs nothing.
inline constexpr std::uint32_t kMaskExceptionCaught = 1U << 0;
inline constexpr std::uint32_t kMaskChannelRegistered = 1U << 1;
inline constexpr std::uint32_t kMaskChannelUnregistered = 1U << 2;
inline constexpr std::uint32_t kMaskChannelActive = 1U << 3;
inline constexpr std::uint32_t kMaskChannelInactive = 1U << 4;
inline constexpr std::uint32_t kMaskChannelRead = 1U << 5;
inline constexpr std::uint32_t kMaskChannelReadComplete = 1U << 6;
inline constexpr std::uint32_t kMaskUserEventTriggered = 1U << 7;
inline constexpr std::uint32_t kMaskChannelWritabilityChanged = 1U << 8;
inline constexpr std::uint32_t kMaskBind = 1U << 9;
inline constexpr std::uint32_t kMaskConnect = 1U << 10;
inline constexpr std::uint32_t kMaskDisconnect = 1U << 11;
inline constexpr std::uint32_t kMaskClose = 1U << 12;
inline constexpr std::uint32_t kMaskDeregister = 1U << 13;
inline constexpr std::uint32_t kMaskRead = 1U << 14;
inline constexpr std::uint32_t kMaskWrite = 1U << 15;
inline constexpr std::uint32_t kMaskFlush = 1U << 16;
inline constexpr std::uint32_t kMaskAllInbound = (1U << 9) - 1;
inline constexpr std::uint32_t kMaskAllOutbound = ((1U << 17) - 1) & ~kMaskAllInbound;

// True unless H's `method` is the one `Base` declares: an overload set or an override counts
// as handled. Decided from the static type H, which the pipeline checks is the dynamic type.
#define SLUICE_DETAIL_OVERRIDES(H, Base, method)                             \
  [] {                                                                       \
    if constexpr (requires { &H::method; }) {                                \
      return !std::is_same_v<decltype(&H::method), decltype(&Base::method)>; \
    } else {                                                                 \
      return true;                                                           \
    }                                                                        \
  }()

/// The events handler type H handles.
template <typename H>
constexpr std::uint32_t executionMaskOf() {
  std::uint32_t mask = 0;
  if constexpr (std::is_base_of_v<ChannelInboundHandler, H>) {
    using B = ChannelInboundHandler;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, exceptionCaught) ? kMaskExceptionCaught : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelRegistered) ? kMaskChannelRegistered : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelUnregistered) ? kMaskChannelUnregistered : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelActive) ? kMaskChannelActive : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelInactive) ? kMaskChannelInactive : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelRead) ? kMaskChannelRead : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelReadComplete) ? kMaskChannelReadComplete : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, userEventTriggered) ? kMaskUserEventTriggered : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, channelWritabilityChanged)
                ? kMaskChannelWritabilityChanged
                : 0;
  }
  if constexpr (std::is_base_of_v<ChannelOutboundHandler, H>) {
    using B = ChannelOutboundHandler;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, bind) ? kMaskBind : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, connect) ? kMaskConnect : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, disconnect) ? kMaskDisconnect : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, close) ? kMaskClose : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, deregister) ? kMaskDeregister : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, read) ? kMaskRead : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, write) ? kMaskWrite : 0;
    mask |= SLUICE_DETAIL_OVERRIDES(H, B, flush) ? kMaskFlush : 0;
  }
  return mask;
}

#undef SLUICE_DETAIL_OVERRIDES

}  // namespace sluice::detail
