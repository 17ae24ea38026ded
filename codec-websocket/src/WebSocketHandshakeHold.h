#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>

#include <utility>
#include <vector>

namespace sluice::websocket::detail {

/// Stands where the HTTP request decoder was while an upgrade waits for its authorization:
/// the bytes that follow the upgrade request belong to the WebSocket protocol (or to nobody,
/// if the upgrade is refused), so they must not be parsed as HTTP. It keeps them, as
/// ByteBufs in arrival order, until it is replaced by the frame decoder; removing it hands
/// what it kept to the next handler, as a ByteToMessageDecoder hands its cumulation.
/// Thread: the loop.
class WebSocketHandshakeHold final : public ChannelInboundHandler {
 public:
  static constexpr const char* kName = "wshandshakehold";

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (msg.isExactly<ByteBuf>()) {
      held_.push_back(msg.take<ByteBuf>());
      return;
    }
    ctx.fireChannelRead(std::move(msg));
  }

  void handlerRemoved(ChannelHandlerContext& ctx) override {
    std::vector<ByteBuf> held = take();
    for (ByteBuf& buf : held) {
      ctx.fireChannelRead(std::move(buf));
    }
    if (!held.empty()) {
      ctx.fireChannelReadComplete();
    }
  }

  /// The bytes kept so far; the hold keeps nothing after this.
  std::vector<ByteBuf> take() noexcept { return std::exchange(held_, {}); }

 private:
  std::vector<ByteBuf> held_;
};

}  // namespace sluice::websocket::detail
