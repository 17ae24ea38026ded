#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/Message.h>
#include <sluice/channel/SocketAddress.h>
#include <sluice/util/AttributeMap.h>
#include <sluice/util/Error.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace sluice {

class ByteBufAllocator;
class Channel;
class ChannelHandler;
class ChannelInboundHandler;
class ChannelOutboundHandler;
class ChannelPipeline;
class EventExecutor;

/// A handler's place in one pipeline (Netty's ChannelHandlerContext): what the handler uses
/// to pass events on and to start operations from where it stands.
///
/// fire*() passes an inbound event to the next handler toward the tail that handles it.
/// Outbound operations (write, flush, close...) start at the previous handler toward the
/// head; the same operations on Channel or ChannelPipeline start at the tail and so pass
/// through every outbound handler.
///
/// Thread: inbound fire*() on the handler's thread (the channel's loop, or the executor the
/// handler was added with); outbound operations from any thread (they hop to the right
/// one). The context is valid from handlerAdded until handlerRemoved.
class ChannelHandlerContext {
 public:
  ChannelHandlerContext(const ChannelHandlerContext&) = delete;
  ChannelHandlerContext& operator=(const ChannelHandlerContext&) = delete;

  Channel& channel() const noexcept { return channel_; }
  ChannelPipeline& pipeline() const noexcept;
  /// Where this handler's callbacks run: the channel's loop unless the handler was added
  /// with an executor group.
  EventExecutor& executor() const noexcept;
  const std::string& name() const noexcept { return name_; }
  ChannelHandler& handler() const noexcept { return *handler_; }
  ByteBufAllocator& alloc() const noexcept;
  /// True once the handler has been removed from the pipeline.
  bool isRemoved() const noexcept {
    return state_.load(std::memory_order_acquire) == State::Removed;
  }

  // ---- Inbound events, to the next handler --------------------------------------------

  ChannelHandlerContext& fireChannelRegistered();
  ChannelHandlerContext& fireChannelUnregistered();
  ChannelHandlerContext& fireChannelActive();
  ChannelHandlerContext& fireChannelInactive();
  /// Takes the message by rvalue reference: each hop moves it once, into the handler.
  ChannelHandlerContext& fireChannelRead(Message&& msg);
  ChannelHandlerContext& fireChannelReadComplete();
  ChannelHandlerContext& fireUserEventTriggered(Message event);
  ChannelHandlerContext& fireChannelWritabilityChanged();
  ChannelHandlerContext& fireExceptionCaught(const Error& error);

  // ---- Outbound operations, from the previous handler ---------------------------------

  ChannelFuture bind(const SocketAddress& localAddress);
  ChannelFuture bind(const SocketAddress& localAddress, ChannelPromise promise);
  ChannelFuture connect(const SocketAddress& remoteAddress, const SocketAddress& localAddress = {});
  ChannelFuture connect(const SocketAddress& remoteAddress, const SocketAddress& localAddress,
                        ChannelPromise promise);
  ChannelFuture disconnect();
  ChannelFuture disconnect(ChannelPromise promise);
  ChannelFuture close();
  ChannelFuture close(ChannelPromise promise);
  ChannelFuture deregister();
  ChannelFuture deregister(ChannelPromise promise);
  ChannelHandlerContext& read();
  /// Queues `msg` toward the socket; nothing is sent until flush().
  ChannelFuture write(Message msg);
  ChannelFuture write(Message msg, ChannelPromise promise);
  ChannelHandlerContext& flush();
  ChannelFuture writeAndFlush(Message msg);
  ChannelFuture writeAndFlush(Message msg, ChannelPromise promise);

  ChannelPromise newPromise() const;
  /// A promise that allocates nothing and cannot be listened to (see ChannelFuture).
  ChannelPromise voidPromise() const noexcept;
  ChannelFuture newSucceededFuture() const;
  ChannelFuture newFailedFuture(Error error) const;

  /// The channel's attribute for `key` (Netty 4.1's ctx.attr is the channel's).
  template <typename T>
  Attribute<T>& attr(const AttributeKey<T>& key) const {
    return attributes().attr(key);
  }
  /// The channel's attributes.
  AttributeMap& attributes() const noexcept;

 private:
  friend class ChannelPipeline;
  enum class State : std::uint8_t { Pending, Added, Removed };

  ChannelHandlerContext(ChannelPipeline& pipeline, Channel& channel, std::string name,
                        ChannelHandler* handler, std::uint32_t mask, EventExecutor* executor);

  ChannelHandlerContext* findInbound(std::uint32_t mask) const noexcept {
    ChannelHandlerContext* ctx = next_;
    while ((ctx->mask_ & mask) == 0) {
      ctx = ctx->next_;
    }
    return ctx;
  }
  ChannelHandlerContext* findOutbound(std::uint32_t mask) const noexcept {
    ChannelHandlerContext* ctx = prev_;
    while ((ctx->mask_ & mask) == 0) {
      ctx = ctx->prev_;
    }
    return ctx;
  }
  // True when the event may be delivered to `next` on the current thread: both run on the
  // same executor (inbound events are fired on the firing handler's own thread).
  bool sameExecutor(const ChannelHandlerContext* next) const noexcept {
    return next->executor_ == executor_;
  }
  // A handler that is not (or no longer) in place lets events through.
  bool invokesHandler() const noexcept {
    return state_.load(std::memory_order_acquire) == State::Added;
  }

  void invokeChannelRegistered();
  void invokeChannelUnregistered();
  void invokeChannelActive();
  void invokeChannelInactive();
  void invokeChannelRead(Message&& msg);
  void invokeChannelReadComplete();
  void invokeUserEventTriggered(Message event);
  void invokeChannelWritabilityChanged();
  void invokeExceptionCaught(const Error& error);
  void invokeBind(const SocketAddress& localAddress, ChannelPromise promise);
  void invokeConnect(const SocketAddress& remoteAddress, const SocketAddress& localAddress,
                     ChannelPromise promise);
  void invokeDisconnect(ChannelPromise promise);
  void invokeClose(ChannelPromise promise);
  void invokeDeregister(ChannelPromise promise);
  void invokeRead();
  void invokeWrite(Message&& msg, ChannelPromise promise);
  void invokeFlush();

  // A user handler threw during an inbound event: the handlers after it hear of it.
  void onInboundException() noexcept;
  // A user handler threw during an outbound operation: its promise fails.
  static void onOutboundException(const ChannelPromise& promise) noexcept;
  template <typename Invoke>
  void outbound(std::uint32_t mask, Invoke&& invoke);

  ChannelHandlerContext* prev_ = nullptr;
  ChannelHandlerContext* next_ = nullptr;
  ChannelPipeline& pipeline_;
  Channel& channel_;
  std::string name_;
  ChannelHandler* handler_;
  ChannelInboundHandler* inbound_ = nullptr;
  ChannelOutboundHandler* outbound_ = nullptr;
  std::unique_ptr<ChannelHandler> owned_;
  std::shared_ptr<ChannelHandler> shared_;
  EventExecutor* executor_;  // null: the channel's event loop
  std::uint32_t mask_;
  // Written on the channel's loop, read on the handler's executor too.
  std::atomic<State> state_{State::Pending};
};

}  // namespace sluice
