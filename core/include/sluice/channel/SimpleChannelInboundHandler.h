#pragma once

#include <sluice/channel/ChannelInboundHandler.h>

namespace sluice {

/// An inbound handler for messages of one type (Netty's SimpleChannelInboundHandler<I>):
/// messages that are an I (exactly, or a subtype declared with MessageSupertypes) go to
/// channelRead0; every other message passes on untouched.
///
/// The message is released when channelRead0 returns (Netty's autoRelease). To keep what it
/// carries, move it out: `room.broadcast(std::move(frame.content()))`.
template <typename I>
class SimpleChannelInboundHandler : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (I* typed = msg.getIf<I>(); typed != nullptr && acceptInboundMessage(*typed)) {
      channelRead0(ctx, *typed);
    } else {
      ctx.fireChannelRead(std::move(msg));
    }
  }

 protected:
  /// Handles one message of type I.
  virtual void channelRead0(ChannelHandlerContext& ctx, I& msg) = 0;
  /// Narrows what is handled beyond the type test; true by default.
  virtual bool acceptInboundMessage(const I& msg) {
    (void)msg;
    return true;
  }
};

}  // namespace sluice
