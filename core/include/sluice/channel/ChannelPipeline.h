#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandler.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/Message.h>
#include <sluice/channel/SocketAddress.h>
#include <sluice/channel/detail/ChannelHandlerMask.h>

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace sluice {

class Channel;
class EventExecutorGroup;

namespace detail {
template <typename P>
struct IsHandlerPointer : std::false_type {};
template <typename H>
struct IsHandlerPointer<std::unique_ptr<H>> : std::is_base_of<ChannelHandler, H> {};
template <typename H>
struct IsHandlerPointer<std::shared_ptr<H>> : std::is_base_of<ChannelHandler, H> {};
}  // namespace detail

/// A std::unique_ptr or std::shared_ptr to a handler.
template <typename P>
concept HandlerPointer = detail::IsHandlerPointer<P>::value;

/// The chain of handlers of one channel (Netty's ChannelPipeline).
///
/// ```
///                                                 I/O request via Channel or
///                                                 ChannelHandlerContext
///                                                             |
///   +---------------------------------------------------------+---------------+
///   |                           ChannelPipeline               |               |
///   |                                                        \|/              |
///   |    +---------------------+            +-----------+----------+          |
///   |    | Inbound Handler  N  |            | Outbound Handler  1  |          |
///   |    +----------+----------+            +-----------+----------+          |
///   |              /|\                                  |                     |
///   |               |                                  \|/                    |
///   |    +----------+----------+            +-----------+----------+          |
///   |    | Inbound Handler N-1 |            | Outbound Handler  2  |          |
///   |    +----------+----------+            +-----------+----------+          |
///   |              /|\                                  .                     |
///   |               .                                   .                     |
///   | ChannelHandlerContext.fireIN_EVT()  ChannelHandlerContext.OUT_EVT()     |
///   |        [ method call]                       [method call]               |
///   |               .                                   .                     |
///   |               .                                  \|/                    |
///   |    +----------+----------+            +-----------+----------+          |
///   |    | Inbound Handler  2  |            | Outbound Handler M-1 |          |
///   |    +----------+----------+            +-----------+----------+          |
///   |              /|\                                  |                     |
///   |               |                                  \|/                    |
///   |    +----------+----------+            +-----------+----------+          |
///   |    | Inbound Handler  1  |            | Outbound Handler  M  |          |
///   |    +----------+----------+            +-----------+----------+          |
///   |              /|\                                  |                     |
///   +---------------+-----------------------------------+---------------------+
///                   |                                  \|/
///   +---------------+-----------------------------------+---------------------+
///   |               |                                   |                     |
///   |       [ socket read ]                     [ socket write ]              |
///   |                                                                         |
///   |  The transport: UvSocketChannel on libuv, or EmbeddedChannel in tests   |
///   +-------------------------------------------------------------------------+
/// ```
///
/// Inbound events (reads, state changes, errors) enter at the head and travel toward the
/// tail; outbound operations (writes, flushes, closes) enter at the tail and travel toward
/// the head, which hands them to the transport. A handler that does not override an event
/// is skipped for it at no cost. What reaches the tail unhandled is released (messages) or
/// logged once (errors).
///
/// Handlers are added in the order data meets them on the way in: decoders first, then the
/// application's handler; encoders sit before the handlers that write what they encode.
///
/// Modification (add, remove, replace) is safe while an event is being processed, even by
/// the handler being removed: removed handlers let events in flight pass through, and stay
/// allocated until the channel is destroyed. Thread: modifications on the channel's loop, or
/// from any thread before the channel is registered; from another thread after that they
/// are queued to the loop. Events: the fire*() and outbound methods may be called from any
/// thread.
class ChannelPipeline {
 public:
  explicit ChannelPipeline(Channel& channel);
  ~ChannelPipeline();
  ChannelPipeline(const ChannelPipeline&) = delete;
  ChannelPipeline& operator=(const ChannelPipeline&) = delete;

  Channel& channel() const noexcept { return channel_; }

  // ---- Adding -------------------------------------------------------------------------
  //
  // `handler` is a std::unique_ptr (the pipeline owns it) or a std::shared_ptr (shared with
  // other pipelines; the handler must be sharable). An empty name is replaced by a
  // generated one ("TypeName#0"); a duplicate name throws std::invalid_argument.

  /// Constructs an H from `args` at the tail and returns it.
  template <typename H, typename... Args>
  requires std::derived_from<H, ChannelHandler> H& addLast(Args&&... args) {
    auto owned = std::make_unique<H>(std::forward<Args>(args)...);
    H& ref = *owned;
    addLast(std::move(owned));
    return ref;
  }
  /// Constructs an H from `args` at the head and returns it.
  template <typename H, typename... Args>
  requires std::derived_from<H, ChannelHandler> H& addFirst(Args&&... args) {
    auto owned = std::make_unique<H>(std::forward<Args>(args)...);
    H& ref = *owned;
    addFirst(std::move(owned));
    return ref;
  }

  template <HandlerPointer P>
  ChannelPipeline& addLast(P handler) {
    return add(Where::Last, nullptr, {}, makeEntry(std::move(handler)), nullptr);
  }
  template <HandlerPointer P>
  ChannelPipeline& addLast(std::string_view name, P handler) {
    return add(Where::Last, nullptr, name, makeEntry(std::move(handler)), nullptr);
  }
  /// Adds `handler` whose callbacks run on one executor of `group` (for blocking work),
  /// chosen once for this channel; its writes hop back to the channel's loop.
  template <HandlerPointer P>
  ChannelPipeline& addLast(EventExecutorGroup& group, P handler) {
    return add(Where::Last, nullptr, {}, makeEntry(std::move(handler)), &group);
  }
  template <HandlerPointer P>
  ChannelPipeline& addLast(EventExecutorGroup& group, std::string_view name, P handler) {
    return add(Where::Last, nullptr, name, makeEntry(std::move(handler)), &group);
  }
  template <HandlerPointer P>
  ChannelPipeline& addFirst(P handler) {
    return add(Where::First, nullptr, {}, makeEntry(std::move(handler)), nullptr);
  }
  template <HandlerPointer P>
  ChannelPipeline& addFirst(std::string_view name, P handler) {
    return add(Where::First, nullptr, name, makeEntry(std::move(handler)), nullptr);
  }
  /// Adds before the handler named `baseName`; throws std::invalid_argument if none is.
  template <HandlerPointer P>
  ChannelPipeline& addBefore(std::string_view baseName, std::string_view name, P handler) {
    return add(Where::Before, &requireContext(baseName), name, makeEntry(std::move(handler)),
               nullptr);
  }
  /// Adds after the handler named `baseName`; throws std::invalid_argument if none is.
  template <HandlerPointer P>
  ChannelPipeline& addAfter(std::string_view baseName, std::string_view name, P handler) {
    return add(Where::After, &requireContext(baseName), name, makeEntry(std::move(handler)),
               nullptr);
  }

  // ---- Removing and replacing ---------------------------------------------------------
  //
  // Each throws std::invalid_argument when there is no such handler.

  ChannelPipeline& remove(std::string_view name);
  ChannelPipeline& remove(const ChannelHandler& handler);
  /// Removes the first handler that is an H.
  template <typename H>
  ChannelPipeline& remove() {
    return removeContext(requireContext(context<H>(), typeid(H).name()));
  }
  /// Removes the first (last) handler; returns false when there is none.
  bool removeFirst();
  bool removeLast();
  /// Puts `handler` where the handler named `oldName` is, under `newName`.
  template <HandlerPointer P>
  ChannelPipeline& replace(std::string_view oldName, std::string_view newName, P handler) {
    ChannelHandlerContext& old = requireContext(oldName);
    add(Where::After, &old, newName.empty() ? std::string_view{} : newName,
        makeEntry(std::move(handler)), nullptr, &old);
    return removeContext(old);
  }
  template <HandlerPointer P>
  ChannelPipeline& replace(const ChannelHandler& oldHandler, std::string_view newName, P handler) {
    return replace(requireContext(context(oldHandler), "handler").name(), newName,
                   std::move(handler));
  }

  // ---- Lookup -------------------------------------------------------------------------

  ChannelHandler* get(std::string_view name) const noexcept;
  /// The first handler that is an H (dynamic_cast: lookup is not a hot path).
  template <typename H>
  H* get() const noexcept {
    ChannelHandlerContext* ctx = context<H>();
    return ctx == nullptr ? nullptr : dynamic_cast<H*>(&ctx->handler());
  }
  ChannelHandlerContext* context(std::string_view name) const noexcept;
  ChannelHandlerContext* context(const ChannelHandler& handler) const noexcept;
  template <typename H>
  ChannelHandlerContext* context() const noexcept {
    for (ChannelHandlerContext* ctx = head_->next_; ctx != tail_.get(); ctx = ctx->next_) {
      if (dynamic_cast<H*>(ctx->handler_) != nullptr) {
        return ctx;
      }
    }
    return nullptr;
  }
  ChannelHandler* first() const noexcept;
  ChannelHandler* last() const noexcept;
  ChannelHandlerContext* firstContext() const noexcept;
  ChannelHandlerContext* lastContext() const noexcept;
  /// The handlers' names, head to tail.
  std::vector<std::string> names() const;
  bool empty() const noexcept { return head_->next_ == tail_.get(); }

  // ---- Inbound events, from the head --------------------------------------------------

  ChannelPipeline& fireChannelRegistered();
  ChannelPipeline& fireChannelUnregistered();
  ChannelPipeline& fireChannelActive();
  ChannelPipeline& fireChannelInactive();
  ChannelPipeline& fireChannelRead(Message msg);
  ChannelPipeline& fireChannelReadComplete();
  ChannelPipeline& fireUserEventTriggered(Message event);
  ChannelPipeline& fireChannelWritabilityChanged();
  ChannelPipeline& fireExceptionCaught(const Error& error);

  // ---- Outbound operations, from the tail ---------------------------------------------

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
  ChannelPipeline& read();
  ChannelFuture write(Message msg);
  ChannelFuture write(Message msg, ChannelPromise promise);
  ChannelPipeline& flush();
  ChannelFuture writeAndFlush(Message msg);
  ChannelFuture writeAndFlush(Message msg, ChannelPromise promise);

 private:
  friend class Channel;
  friend class ChannelHandlerContext;
  class HeadHandler;
  class TailHandler;
  enum class Where { First, Last, Before, After };

  // A handler on its way in: who owns it, and the events its type handles.
  struct Entry {
    ChannelHandler* handler = nullptr;
    std::unique_ptr<ChannelHandler> owned;
    std::shared_ptr<ChannelHandler> shared;
    std::uint32_t mask = 0;
    const std::type_info* type = nullptr;
  };

  template <typename H>
  static std::uint32_t maskFor(const H& handler) {
    // The mask is read off the static type H, valid only if H is the dynamic type: a
    // handler passed as a pointer to a base class handles every event.
    if (typeid(handler) != typeid(H)) {
      return detail::kMaskAllInbound | detail::kMaskAllOutbound;
    }
    return detail::executionMaskOf<H>();
  }
  template <typename H>
  requires std::derived_from<H, ChannelHandler>
  static Entry makeEntry(std::unique_ptr<H> handler) {
    if (handler == nullptr) {
      throw std::invalid_argument("null handler");
    }
    Entry e;
    e.mask = maskFor<H>(*handler);
    e.type = &typeid(*handler);
    e.handler = handler.get();
    e.owned = std::move(handler);
    return e;
  }
  template <typename H>
  requires std::derived_from<H, ChannelHandler>
  static Entry makeEntry(std::shared_ptr<H> handler) {
    if (handler == nullptr) {
      throw std::invalid_argument("null handler");
    }
    Entry e;
    e.mask = maskFor<H>(*handler);
    e.type = &typeid(*handler);
    e.handler = handler.get();
    e.shared = std::move(handler);
    return e;
  }

  ChannelPipeline& add(Where where, ChannelHandlerContext* base, std::string_view name, Entry entry,
                       EventExecutorGroup* group, ChannelHandlerContext* replacing = nullptr);
  void addOnLoop(Where where, ChannelHandlerContext* base, std::string name, Entry entry,
                 EventExecutorGroup* group, ChannelHandlerContext* replacing);
  ChannelPipeline& removeContext(ChannelHandlerContext& ctx);
  ChannelHandlerContext& requireContext(std::string_view name) const;
  static ChannelHandlerContext& requireContext(ChannelHandlerContext* ctx, const char* what);
  std::string generateName(const std::type_info& type) const;

  void callHandlerAdded(ChannelHandlerContext& ctx);
  void callHandlerRemoved(ChannelHandlerContext& ctx);
  // At registration: handlerAdded for every handler added before it.
  void callPendingHandlerAdded();
  // At deregistration: removes every handler, tail first.
  void destroy();
  // Destroys the handlers of removed contexts (the contexts stay, for events in flight), so
  // that a handler holding its own channel does not keep it alive. Only where no handler of
  // this pipeline can be on the stack: a task of its own, after close.
  void releaseRemovedHandlers() noexcept;
  // True when the caller must queue the call to the channel's loop.
  bool mustHop() const noexcept;

  Channel& channel_;
  std::unique_ptr<ChannelHandler> headHandler_;
  std::unique_ptr<ChannelHandler> tailHandler_;
  std::unique_ptr<ChannelHandlerContext> head_;
  std::unique_ptr<ChannelHandlerContext> tail_;
  std::vector<std::unique_ptr<ChannelHandlerContext>> contexts_;   // the live ones
  std::vector<std::unique_ptr<ChannelHandlerContext>> graveyard_;  // removed, kept until the end
};

}  // namespace sluice
