#pragma once

namespace sluice {

class ChannelHandlerContext;

/// The base of every handler (Netty's ChannelHandler). Handlers process events of a
/// channel's pipeline: ChannelInboundHandler for what arrives, ChannelOutboundHandler for
/// what leaves, ChannelDuplexHandler for both.
///
/// Lifetime: a pipeline owns a handler given to it as std::unique_ptr (or made by
/// addLast<T>(...)); one given as std::shared_ptr may sit in many pipelines at once, which
/// it must declare through isSharable() and for which it must be thread-safe. The context
/// passed to a handler is valid from handlerAdded to handlerRemoved.
///
/// Thread: every callback of one channel runs on that channel's event loop (or on the
/// executor the handler was added with), one at a time.
class ChannelHandler {
 public:
  virtual ~ChannelHandler() = default;

  /// The handler was added to a pipeline and may now handle events.
  virtual void handlerAdded(ChannelHandlerContext& ctx) { (void)ctx; }
  /// The handler was removed; release what it holds for this channel.
  virtual void handlerRemoved(ChannelHandlerContext& ctx) { (void)ctx; }

  /// True when one instance may be added to several pipelines (Netty's @Sharable).
  virtual bool isSharable() const noexcept { return false; }

 protected:
  ChannelHandler() = default;
  ChannelHandler(const ChannelHandler&) = default;
  ChannelHandler& operator=(const ChannelHandler&) = default;

 private:
  friend class ChannelPipeline;
  // In a pipeline now: a handler that is not sharable may not be added to a second one.
  bool added_ = false;
};

}  // namespace sluice
