#pragma once

#include <sluice/channel/ChannelInboundHandler.h>

namespace sluice {

class Channel;

/// Sets up a new channel's pipeline once, then removes itself (Netty's ChannelInitializer).
/// One instance serves every channel of a server (ServerBootstrap::childHandler), so it is
/// sharable and initChannel() must be thread-safe: it runs on each channel's own loop.
///
/// ```cpp
/// class EchoInitializer : public sluice::ChannelInitializer {
///   void initChannel(sluice::Channel& ch) override {
///     ch.pipeline().addLast<sluice::LineBasedFrameDecoder>(8192);
///     ch.pipeline().addLast<EchoHandler>();
///   }
/// };
/// ```
///
/// If initChannel throws, the error is logged and the channel closed.
class ChannelInitializer : public ChannelInboundHandler {
 public:
  bool isSharable() const noexcept override { return true; }

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void channelRegistered(ChannelHandlerContext& ctx) override;
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override;

 protected:
  /// Adds the channel's handlers. Runs once per channel, on its loop, after registration.
  virtual void initChannel(Channel& channel) = 0;

 private:
  // Runs initChannel unless it already ran for this context's channel; true if it ran.
  bool initialize(ChannelHandlerContext& ctx);
};

}  // namespace sluice
