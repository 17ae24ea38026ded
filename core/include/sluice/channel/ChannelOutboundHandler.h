#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandler.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/Message.h>
#include <sluice/channel/SocketAddress.h>

namespace sluice {

/// A handler of outbound operations: writes, flushes, reads, connects, closes (Netty's
/// ChannelOutboundHandler and ChannelOutboundHandlerAdapter in one). Every method passes
/// the operation toward the head by default; override the ones you handle.
///
/// A write hands the handler its message and its promise: pass both on with
/// ctx.write(std::move(msg), std::move(promise)), or complete the promise yourself. If a
/// handler throws, the operation's promise fails with what it threw.
class ChannelOutboundHandler : public virtual ChannelHandler {
 public:
  virtual void bind(ChannelHandlerContext& ctx, const SocketAddress& localAddress,
                    ChannelPromise promise) {
    ctx.bind(localAddress, std::move(promise));
  }
  virtual void connect(ChannelHandlerContext& ctx, const SocketAddress& remoteAddress,
                       const SocketAddress& localAddress, ChannelPromise promise) {
    ctx.connect(remoteAddress, localAddress, std::move(promise));
  }
  virtual void disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) {
    ctx.disconnect(std::move(promise));
  }
  virtual void close(ChannelHandlerContext& ctx, ChannelPromise promise) {
    ctx.close(std::move(promise));
  }
  virtual void deregister(ChannelHandlerContext& ctx, ChannelPromise promise) {
    ctx.deregister(std::move(promise));
  }
  /// Asks for more data (autoRead off, or the next read).
  virtual void read(ChannelHandlerContext& ctx) { ctx.read(); }
  virtual void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
    ctx.write(std::move(msg), std::move(promise));
  }
  virtual void flush(ChannelHandlerContext& ctx) { ctx.flush(); }
};

}  // namespace sluice
