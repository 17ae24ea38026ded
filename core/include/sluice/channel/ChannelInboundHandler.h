#pragma once

#include <sluice/channel/ChannelHandler.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/Message.h>
#include <sluice/util/Error.h>

namespace sluice {

/// A handler of inbound events: state changes, messages read, user events, errors (Netty's
/// ChannelInboundHandler and ChannelInboundHandlerAdapter in one). Every method passes the
/// event on to the next handler by default; override the ones you handle. The pipeline
/// notices which methods a handler overrides when it is added and skips it for the others.
///
/// A message received by channelRead belongs to the handler: pass it on with
/// ctx.fireChannelRead(std::move(msg)), or let it go out of scope to release it.
/// A handler that throws has the exception delivered to exceptionCaught of the handlers
/// after it.
class ChannelInboundHandler : public virtual ChannelHandler {
 public:
  virtual void channelRegistered(ChannelHandlerContext& ctx) { ctx.fireChannelRegistered(); }
  virtual void channelUnregistered(ChannelHandlerContext& ctx) { ctx.fireChannelUnregistered(); }
  /// The channel is connected (or, for EmbeddedChannel, created).
  virtual void channelActive(ChannelHandlerContext& ctx) { ctx.fireChannelActive(); }
  /// The channel is no longer connected: closed, reset, or the peer went away.
  virtual void channelInactive(ChannelHandlerContext& ctx) { ctx.fireChannelInactive(); }
  virtual void channelRead(ChannelHandlerContext& ctx, Message msg) {
    ctx.fireChannelRead(std::move(msg));
  }
  /// The end of a burst of channelRead calls: the moment to flush what they wrote.
  virtual void channelReadComplete(ChannelHandlerContext& ctx) { ctx.fireChannelReadComplete(); }
  /// An event of the application's or of a handler's (idle, handshake complete...).
  virtual void userEventTriggered(ChannelHandlerContext& ctx, Message event) {
    ctx.fireUserEventTriggered(std::move(event));
  }
  /// isWritable() changed: stop writing when it turns false, resume when it turns true.
  virtual void channelWritabilityChanged(ChannelHandlerContext& ctx) {
    ctx.fireChannelWritabilityChanged();
  }
  virtual void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) {
    ctx.fireExceptionCaught(error);
  }
};

}  // namespace sluice
