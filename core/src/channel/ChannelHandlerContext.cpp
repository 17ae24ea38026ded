#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/util/Log.h>

namespace sluice {

using detail::kMaskBind;
using detail::kMaskChannelActive;
using detail::kMaskChannelInactive;
using detail::kMaskChannelRead;
using detail::kMaskChannelReadComplete;
using detail::kMaskChannelRegistered;
using detail::kMaskChannelUnregistered;
using detail::kMaskChannelWritabilityChanged;
using detail::kMaskClose;
using detail::kMaskConnect;
using detail::kMaskDeregister;
using detail::kMaskDisconnect;
using detail::kMaskExceptionCaught;
using detail::kMaskFlush;
using detail::kMaskRead;
using detail::kMaskUserEventTriggered;
using detail::kMaskWrite;

ChannelHandlerContext::ChannelHandlerContext(ChannelPipeline& pipeline, Channel& channel,
                                             std::string name, ChannelHandler* handler,
                                             std::uint32_t mask, EventExecutor* executor)
    : pipeline_(pipeline),
      channel_(channel),
      name_(std::move(name)),
      handler_(handler),
      inbound_(dynamic_cast<ChannelInboundHandler*>(handler)),
      outbound_(dynamic_cast<ChannelOutboundHandler*>(handler)),
      executor_(executor),
      // A handler added through a base-class pointer gets every bit; keep only the
      // directions it actually implements.
      mask_(mask & (inbound_ != nullptr ? ~0U : ~detail::kMaskAllInbound) &
            (outbound_ != nullptr ? ~0U : ~detail::kMaskAllOutbound)) {}

ChannelPipeline& ChannelHandlerContext::pipeline() const noexcept { return pipeline_; }

EventExecutor& ChannelHandlerContext::executor() const noexcept {
  return executor_ != nullptr ? *executor_ : channel_.eventLoop();
}

ByteBufAllocator& ChannelHandlerContext::alloc() const noexcept { return channel_.alloc(); }

AttributeMap& ChannelHandlerContext::attributes() const noexcept { return channel_.attributes(); }

// Starts an outbound operation: the search for the next handler walks the pipeline's links,
// which only the context's own thread may do, so a call from elsewhere first moves there
// (in order, per calling thread). Then `invoke(next)` runs on the next handler's executor.
template <typename Invoke>
void ChannelHandlerContext::outbound(std::uint32_t mask, Invoke&& invoke) {
  if (!executor().inEventLoop()) {
    executor().execute(
        [keep = channel_.weak_from_this().lock(), this, mask,
         invoke = std::forward<Invoke>(invoke)]() mutable { outbound(mask, std::move(invoke)); });
    return;
  }
  ChannelHandlerContext* next = findOutbound(mask);
  EventExecutor& target = next->executor();
  if (target.inEventLoop()) [[likely]] {
    invoke(next);
  } else {
    target.execute([keep = channel_.weak_from_this().lock(), next,
                    invoke = std::forward<Invoke>(invoke)]() mutable { invoke(next); });
  }
}

// ---- Inbound ----------------------------------------------------------------------------

// Each fire* finds the next context that handles the event and calls it directly when it
// runs on the same executor (the common case: one virtual call per hop), else queues it.
#define SLUICE_FIRE_INBOUND(mask, invoke)                                                          \
  ChannelHandlerContext* next = findInbound(mask);                                                 \
  if (sameExecutor(next)) [[likely]] {                                                             \
    next->invoke();                                                                                \
  } else {                                                                                         \
    next->executor().execute([keep = channel_.weak_from_this().lock(), next] { next->invoke(); }); \
  }                                                                                                \
  return *this

ChannelHandlerContext& ChannelHandlerContext::fireChannelRegistered() {
  SLUICE_FIRE_INBOUND(kMaskChannelRegistered, invokeChannelRegistered);
}
ChannelHandlerContext& ChannelHandlerContext::fireChannelUnregistered() {
  SLUICE_FIRE_INBOUND(kMaskChannelUnregistered, invokeChannelUnregistered);
}
ChannelHandlerContext& ChannelHandlerContext::fireChannelActive() {
  SLUICE_FIRE_INBOUND(kMaskChannelActive, invokeChannelActive);
}
ChannelHandlerContext& ChannelHandlerContext::fireChannelInactive() {
  SLUICE_FIRE_INBOUND(kMaskChannelInactive, invokeChannelInactive);
}
ChannelHandlerContext& ChannelHandlerContext::fireChannelReadComplete() {
  SLUICE_FIRE_INBOUND(kMaskChannelReadComplete, invokeChannelReadComplete);
}
ChannelHandlerContext& ChannelHandlerContext::fireChannelWritabilityChanged() {
  SLUICE_FIRE_INBOUND(kMaskChannelWritabilityChanged, invokeChannelWritabilityChanged);
}
#undef SLUICE_FIRE_INBOUND

ChannelHandlerContext& ChannelHandlerContext::fireChannelRead(Message&& msg) {
  ChannelHandlerContext* next = findInbound(kMaskChannelRead);
  if (sameExecutor(next)) [[likely]] {
    next->invokeChannelRead(std::move(msg));
  } else {
    next->executor().execute(
        [keep = channel_.weak_from_this().lock(), next, msg = std::move(msg)]() mutable {
          next->invokeChannelRead(std::move(msg));
        });
  }
  return *this;
}

ChannelHandlerContext& ChannelHandlerContext::fireUserEventTriggered(Message event) {
  ChannelHandlerContext* next = findInbound(kMaskUserEventTriggered);
  if (sameExecutor(next)) {
    next->invokeUserEventTriggered(std::move(event));
  } else {
    next->executor().execute(
        [keep = channel_.weak_from_this().lock(), next, event = std::move(event)]() mutable {
          next->invokeUserEventTriggered(std::move(event));
        });
  }
  return *this;
}

ChannelHandlerContext& ChannelHandlerContext::fireExceptionCaught(const Error& error) {
  ChannelHandlerContext* next = findInbound(kMaskExceptionCaught);
  if (sameExecutor(next)) {
    next->invokeExceptionCaught(error);
  } else {
    next->executor().execute([keep = channel_.weak_from_this().lock(), next, error] {
      next->invokeExceptionCaught(error);
    });
  }
  return *this;
}

#define SLUICE_INVOKE_INBOUND(call, fire) \
  if (invokesHandler()) [[likely]] {      \
    try {                                 \
      call;                               \
    } catch (...) {                       \
      onInboundException();               \
    }                                     \
  } else {                                \
    fire;                                 \
  }

void ChannelHandlerContext::invokeChannelRegistered() {
  SLUICE_INVOKE_INBOUND(inbound_->channelRegistered(*this), fireChannelRegistered());
}
void ChannelHandlerContext::invokeChannelUnregistered() {
  SLUICE_INVOKE_INBOUND(inbound_->channelUnregistered(*this), fireChannelUnregistered());
}
void ChannelHandlerContext::invokeChannelActive() {
  SLUICE_INVOKE_INBOUND(inbound_->channelActive(*this), fireChannelActive());
}
void ChannelHandlerContext::invokeChannelInactive() {
  SLUICE_INVOKE_INBOUND(inbound_->channelInactive(*this), fireChannelInactive());
}
void ChannelHandlerContext::invokeChannelRead(Message&& msg) {
  SLUICE_INVOKE_INBOUND(inbound_->channelRead(*this, std::move(msg)),
                        fireChannelRead(std::move(msg)));
}
void ChannelHandlerContext::invokeChannelReadComplete() {
  SLUICE_INVOKE_INBOUND(inbound_->channelReadComplete(*this), fireChannelReadComplete());
}
void ChannelHandlerContext::invokeUserEventTriggered(Message event) {
  SLUICE_INVOKE_INBOUND(inbound_->userEventTriggered(*this, std::move(event)),
                        fireUserEventTriggered(std::move(event)));
}
void ChannelHandlerContext::invokeChannelWritabilityChanged() {
  SLUICE_INVOKE_INBOUND(inbound_->channelWritabilityChanged(*this),
                        fireChannelWritabilityChanged());
}
#undef SLUICE_INVOKE_INBOUND

void ChannelHandlerContext::invokeExceptionCaught(const Error& error) {
  if (!invokesHandler()) {
    fireExceptionCaught(error);
    return;
  }
  try {
    inbound_->exceptionCaught(*this, error);
  } catch (...) {
    // Passing it on could loop; Netty logs it too.
    Log::log(LogLevel::Warn, "channel",
             "{} handler '{}' threw from exceptionCaught: {} (while handling: {})",
             channel_.toString(), name_, Error::fromCurrentException().message(), error.message());
  }
}

void ChannelHandlerContext::onInboundException() noexcept {
  try {
    fireExceptionCaught(Error::fromCurrentException());
  } catch (...) {
    Log::log(LogLevel::Error, "channel", "{} could not deliver an exception from '{}'",
             channel_.toString(), name_);
  }
}

// ---- Outbound ---------------------------------------------------------------------------

void ChannelHandlerContext::onOutboundException(const ChannelPromise& promise) noexcept {
  try {
    promise.tryFailure(Error::fromCurrentException());
  } catch (...) {
    Log::log(LogLevel::Error, "channel", "could not fail a promise after a handler threw");
  }
}

ChannelPromise ChannelHandlerContext::newPromise() const {
  return ChannelPromise::make(channel_, &channel_.eventLoop());
}

ChannelPromise ChannelHandlerContext::voidPromise() const noexcept {
  return ChannelPromise::makeVoid(channel_);
}

ChannelFuture ChannelHandlerContext::newSucceededFuture() const {
  ChannelPromise p = newPromise();
  p.trySuccess();
  return p;
}

ChannelFuture ChannelHandlerContext::newFailedFuture(Error error) const {
  ChannelPromise p = newPromise();
  p.tryFailure(std::move(error));
  return p;
}

ChannelFuture ChannelHandlerContext::bind(const SocketAddress& localAddress) {
  return bind(localAddress, newPromise());
}
ChannelFuture ChannelHandlerContext::bind(const SocketAddress& localAddress,
                                          ChannelPromise promise) {
  outbound(kMaskBind, [localAddress, promise](ChannelHandlerContext* next) {
    next->invokeBind(localAddress, promise);
  });
  return promise;
}

ChannelFuture ChannelHandlerContext::connect(const SocketAddress& remoteAddress,
                                             const SocketAddress& localAddress) {
  return connect(remoteAddress, localAddress, newPromise());
}
ChannelFuture ChannelHandlerContext::connect(const SocketAddress& remoteAddress,
                                             const SocketAddress& localAddress,
                                             ChannelPromise promise) {
  outbound(kMaskConnect, [remoteAddress, localAddress, promise](ChannelHandlerContext* next) {
    next->invokeConnect(remoteAddress, localAddress, promise);
  });
  return promise;
}

ChannelFuture ChannelHandlerContext::disconnect() { return disconnect(newPromise()); }
ChannelFuture ChannelHandlerContext::disconnect(ChannelPromise promise) {
  outbound(kMaskDisconnect,
           [promise](ChannelHandlerContext* next) { next->invokeDisconnect(promise); });
  return promise;
}

ChannelFuture ChannelHandlerContext::close() { return close(newPromise()); }
ChannelFuture ChannelHandlerContext::close(ChannelPromise promise) {
  outbound(kMaskClose, [promise](ChannelHandlerContext* next) { next->invokeClose(promise); });
  return promise;
}

ChannelFuture ChannelHandlerContext::deregister() { return deregister(newPromise()); }
ChannelFuture ChannelHandlerContext::deregister(ChannelPromise promise) {
  outbound(kMaskDeregister,
           [promise](ChannelHandlerContext* next) { next->invokeDeregister(promise); });
  return promise;
}

ChannelHandlerContext& ChannelHandlerContext::read() {
  outbound(kMaskRead, [](ChannelHandlerContext* next) { next->invokeRead(); });
  return *this;
}

ChannelFuture ChannelHandlerContext::write(Message msg) {
  return write(std::move(msg), newPromise());
}

ChannelFuture ChannelHandlerContext::write(Message msg, ChannelPromise promise) {
  if (executor().inEventLoop()) [[likely]] {
    ChannelHandlerContext* next = findOutbound(kMaskWrite);
    if (next->executor().inEventLoop()) [[likely]] {
      next->invokeWrite(std::move(msg), promise);
      return promise;
    }
  }
  outbound(kMaskWrite, [msg = std::move(msg), promise](ChannelHandlerContext* next) mutable {
    next->invokeWrite(std::move(msg), promise);
  });
  return promise;
}

ChannelHandlerContext& ChannelHandlerContext::flush() {
  outbound(kMaskFlush, [](ChannelHandlerContext* next) { next->invokeFlush(); });
  return *this;
}

ChannelFuture ChannelHandlerContext::writeAndFlush(Message msg) {
  return writeAndFlush(std::move(msg), newPromise());
}

ChannelFuture ChannelHandlerContext::writeAndFlush(Message msg, ChannelPromise promise) {
  ChannelFuture future = write(std::move(msg), std::move(promise));
  flush();
  return future;
}

void ChannelHandlerContext::invokeBind(const SocketAddress& localAddress, ChannelPromise promise) {
  if (!invokesHandler()) {
    bind(localAddress, std::move(promise));
    return;
  }
  try {
    outbound_->bind(*this, localAddress, promise);
  } catch (...) {
    onOutboundException(promise);
  }
}

void ChannelHandlerContext::invokeConnect(const SocketAddress& remoteAddress,
                                          const SocketAddress& localAddress,
                                          ChannelPromise promise) {
  if (!invokesHandler()) {
    connect(remoteAddress, localAddress, std::move(promise));
    return;
  }
  try {
    outbound_->connect(*this, remoteAddress, localAddress, promise);
  } catch (...) {
    onOutboundException(promise);
  }
}

void ChannelHandlerContext::invokeDisconnect(ChannelPromise promise) {
  if (!invokesHandler()) {
    disconnect(std::move(promise));
    return;
  }
  try {
    outbound_->disconnect(*this, promise);
  } catch (...) {
    onOutboundException(promise);
  }
}

void ChannelHandlerContext::invokeClose(ChannelPromise promise) {
  if (!invokesHandler()) {
    close(std::move(promise));
    return;
  }
  try {
    outbound_->close(*this, promise);
  } catch (...) {
    onOutboundException(promise);
  }
}

void ChannelHandlerContext::invokeDeregister(ChannelPromise promise) {
  if (!invokesHandler()) {
    deregister(std::move(promise));
    return;
  }
  try {
    outbound_->deregister(*this, promise);
  } catch (...) {
    onOutboundException(promise);
  }
}

void ChannelHandlerContext::invokeRead() {
  if (!invokesHandler()) {
    read();
    return;
  }
  try {
    outbound_->read(*this);
  } catch (...) {
    onInboundException();
  }
}

void ChannelHandlerContext::invokeWrite(Message&& msg, ChannelPromise promise) {
  if (!invokesHandler()) {
    write(std::move(msg), std::move(promise));
    return;
  }
  try {
    outbound_->write(*this, std::move(msg), promise);
  } catch (...) {
    onOutboundException(promise);
  }
}

void ChannelHandlerContext::invokeFlush() {
  if (!invokesHandler()) {
    flush();
    return;
  }
  try {
    outbound_->flush(*this);
  } catch (...) {
    onInboundException();
  }
}

}  // namespace sluice
