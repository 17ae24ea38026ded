#pragma once

#include <sluice/channel/ChannelInboundHandler.h>

// [docs:echo-handler]
/// Writes every line back as it came. Writes are flushed once per read burst, in
/// channelReadComplete, so a burst of lines costs one socket write.
class EchoServerHandler : public sluice::ChannelInboundHandler {
 public:
  void channelRead(sluice::ChannelHandlerContext& ctx, sluice::Message msg) override {
    ctx.write(std::move(msg), ctx.voidPromise());
  }
  void channelReadComplete(sluice::ChannelHandlerContext& ctx) override { ctx.flush(); }
  void exceptionCaught(sluice::ChannelHandlerContext& ctx, const sluice::Error&) override {
    ctx.close();  // a line too long, a reset: this connection is done, the others go on
  }
};
// [docs:end]
