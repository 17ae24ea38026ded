#include <cxxabi.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/concurrent/EventExecutorGroup.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/util/Log.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace sluice {

// The head hands outbound operations to the transport.
class ChannelPipeline::HeadHandler final : public ChannelDuplexHandler {
 public:
  explicit HeadHandler(Channel& channel) noexcept : channel_(channel) {}

  void bind(ChannelHandlerContext&, const SocketAddress& local, ChannelPromise p) override {
    channel_.bindFromHead(local, std::move(p));
  }
  void connect(ChannelHandlerContext&, const SocketAddress& remote, const SocketAddress& local,
               ChannelPromise p) override {
    channel_.connectFromHead(remote, local, std::move(p));
  }
  void disconnect(ChannelHandlerContext&, ChannelPromise p) override {
    channel_.closeFromHead(std::move(p));
  }
  void close(ChannelHandlerContext&, ChannelPromise p) override {
    channel_.closeFromHead(std::move(p));
  }
  void deregister(ChannelHandlerContext&, ChannelPromise p) override {
    channel_.deregisterFromHead(std::move(p));
  }
  void read(ChannelHandlerContext&) override { channel_.readFromHead(); }
  void write(ChannelHandlerContext&, Message msg, ChannelPromise p) override {
    channel_.writeFromHead(std::move(msg), std::move(p));
  }
  void flush(ChannelHandlerContext&) override { channel_.flushFromHead(); }

 private:
  Channel& channel_;
};

// The tail ends inbound events: what arrives here was not handled.
class ChannelPipeline::TailHandler final : public ChannelInboundHandler {
 public:
  explicit TailHandler(Channel& channel) noexcept : channel_(channel) {}

  void channelRegistered(ChannelHandlerContext&) override {}
  void channelUnregistered(ChannelHandlerContext&) override {}
  void channelActive(ChannelHandlerContext&) override {}
  void channelInactive(ChannelHandlerContext&) override {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    channel_.onUnhandledInboundMessage(std::move(msg));
  }
  void channelReadComplete(ChannelHandlerContext&) override {}
  void userEventTriggered(ChannelHandlerContext&, Message event) override {
    // A drain nobody in the pipeline knows how to answer gracefully: close at once, so that
    // the drain is not held up until its deadline.
    if (const DrainEvent* drain = event.getIf<DrainEvent>(); drain != nullptr && !drain->handled) {
      channel_.closeReason().record(CloseInitiator::Shutdown, "drain");
      channel_.close();
    }
  }
  void channelWritabilityChanged(ChannelHandlerContext&) override {}
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    channel_.onUnhandledException(error);
  }

 private:
  Channel& channel_;
};

ChannelPipeline::ChannelPipeline(Channel& channel)
    : channel_(channel),
      headHandler_(std::make_unique<HeadHandler>(channel)),
      tailHandler_(std::make_unique<TailHandler>(channel)) {
  head_.reset(new ChannelHandlerContext(*this, channel, "HeadContext#0", headHandler_.get(),
                                        detail::kMaskAllOutbound, nullptr));
  tail_.reset(new ChannelHandlerContext(*this, channel, "TailContext#0", tailHandler_.get(),
                                        detail::kMaskAllInbound, nullptr));
  head_->next_ = tail_.get();
  tail_->prev_ = head_.get();
  head_->state_.store(ChannelHandlerContext::State::Added);
  tail_->state_.store(ChannelHandlerContext::State::Added);
}

ChannelPipeline::~ChannelPipeline() = default;

bool ChannelPipeline::mustHop() const noexcept {
  return channel_.isRegistered() && !channel_.eventLoop().inEventLoop();
}

std::string ChannelPipeline::generateName(const std::type_info& type) const {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  std::string base = status == 0 && demangled ? demangled.get() : type.name();
  // "sluice::http::HttpServerCodec" -> "HttpServerCodec"; template arguments stay.
  const auto templateStart = base.find('<');
  const auto lastColon = base.rfind("::", templateStart);
  if (lastColon != std::string::npos) {
    base.erase(0, lastColon + 2);
  }
  for (int i = 0;; ++i) {
    std::string name = base + "#" + std::to_string(i);
    if (context(name) == nullptr) {
      return name;
    }
  }
}

ChannelPipeline& ChannelPipeline::add(Where where, ChannelHandlerContext* base,
                                      std::string_view name, Entry entry, EventExecutorGroup* group,
                                      ChannelHandlerContext* replacing) {
  // Only a handler that is not sharable tracks its pipeline (a sharable one is added from
  // many loops at once).
  const bool sharable = entry.handler->isSharable();
  if (!sharable && entry.handler->added_) {
    throw std::invalid_argument(
        "handler is not sharable and is already in a pipeline: add a new instance");
  }
  if (group != nullptr && channel_.weak_from_this().expired()) {
    // Tasks queued to the group's thread keep the channel alive through its ChannelPtr.
    throw std::invalid_argument(
        "a handler on an executor group needs a channel owned by a ChannelPtr");
  }
  std::string n = name.empty() ? generateName(*entry.type) : std::string(name);
  if (ChannelHandlerContext* existing = context(n); existing != nullptr && existing != replacing) {
    throw std::invalid_argument("duplicate handler name: " + n);
  }
  if (!sharable) {
    entry.handler->added_ = true;
  }
  if (mustHop()) {
    channel_.eventLoop().execute([this, keep = channel_.taskKeepAlive(), where, base,
                                  n = std::move(n), entry = std::move(entry), group,
                                  replacing]() mutable {
      addOnLoop(where, base, std::move(n), std::move(entry), group, replacing);
    });
    return *this;
  }
  addOnLoop(where, base, std::move(n), std::move(entry), group, replacing);
  return *this;
}

void ChannelPipeline::addOnLoop(Where where, ChannelHandlerContext* base, std::string name,
                                Entry entry, EventExecutorGroup* group,
                                ChannelHandlerContext* replacing) {
  (void)replacing;
  EventExecutor* executor = group != nullptr ? &group->next() : nullptr;
  std::unique_ptr<ChannelHandlerContext> owned(new ChannelHandlerContext(
      *this, channel_, std::move(name), entry.handler, entry.mask, executor));
  owned->owned_ = std::move(entry.owned);
  owned->shared_ = std::move(entry.shared);
  ChannelHandlerContext* ctx = owned.get();

  ChannelHandlerContext* prev = where == Where::First    ? head_.get()
                                : where == Where::Last   ? tail_->prev_
                                : where == Where::Before ? base->prev_
                                                         : base;
  ChannelHandlerContext* next = prev->next_;
  ctx->prev_ = prev;
  ctx->next_ = next;
  prev->next_ = ctx;
  next->prev_ = ctx;
  contexts_.push_back(std::move(owned));

  if (channel_.isRegistered()) {
    callHandlerAdded(*ctx);
  }
}

void ChannelPipeline::callHandlerAdded(ChannelHandlerContext& ctx) {
  using State = ChannelHandlerContext::State;
  if (ctx.state_.load() != State::Pending) {
    return;
  }
  // Events may reach the handler from now on; on its own executor they queue behind this.
  ctx.state_.store(State::Added, std::memory_order_release);
  auto run = [this, &ctx] {
    try {
      ctx.handler_->handlerAdded(ctx);
    } catch (...) {
      Error error = Error::fromCurrentException();
      Log::log(LogLevel::Warn, "channel", "{} handlerAdded of '{}' threw; removing it: {}",
               channel_.toString(), ctx.name_, error.message());
      removeContext(ctx);
      fireExceptionCaught(error);
    }
  };
  if (ctx.executor().inEventLoop()) {
    run();
  } else {
    ctx.executor().execute([keep = channel_.weak_from_this().lock(), run] { run(); });
  }
}

void ChannelPipeline::callPendingHandlerAdded() {
  // handlerAdded may change the pipeline (an initializer adds handlers and removes itself),
  // so walk a snapshot; handlers it adds are registered already and get theirs at once.
  std::vector<ChannelHandlerContext*> pending;
  for (ChannelHandlerContext* ctx = head_->next_; ctx != tail_.get(); ctx = ctx->next_) {
    if (ctx->state_.load() == ChannelHandlerContext::State::Pending) {
      pending.push_back(ctx);
    }
  }
  for (ChannelHandlerContext* ctx : pending) {
    callHandlerAdded(*ctx);
  }
}

void ChannelPipeline::callHandlerRemoved(ChannelHandlerContext& ctx) {
  const bool wasAdded = ctx.state_.exchange(ChannelHandlerContext::State::Removed) ==
                        ChannelHandlerContext::State::Added;
  if (!ctx.handler_->isSharable()) {
    ctx.handler_->added_ = false;
  }
  if (!wasAdded) {
    return;
  }
  auto run = [this, &ctx] {
    try {
      ctx.handler_->handlerRemoved(ctx);
    } catch (...) {
      Log::log(LogLevel::Warn, "channel", "{} handlerRemoved of '{}' threw: {}",
               channel_.toString(), ctx.name_, Error::fromCurrentException().message());
    }
  };
  if (ctx.executor().inEventLoop()) {
    run();
  } else {
    ctx.executor().execute([keep = channel_.weak_from_this().lock(), run] { run(); });
  }
}

ChannelPipeline& ChannelPipeline::removeContext(ChannelHandlerContext& ctx) {
  if (mustHop()) {
    channel_.eventLoop().execute(
        [this, keep = channel_.taskKeepAlive(), c = &ctx] { removeContext(*c); });
    return *this;
  }
  if (ctx.state_.load() == ChannelHandlerContext::State::Removed) {
    return *this;
  }
  // Unlink, but leave ctx's own links: an event in flight through it still finds its way.
  ctx.prev_->next_ = ctx.next_;
  ctx.next_->prev_ = ctx.prev_;
  auto it = std::find_if(contexts_.begin(), contexts_.end(),
                         [&](const auto& c) { return c.get() == &ctx; });
  graveyard_.push_back(std::move(*it));
  contexts_.erase(it);
  callHandlerRemoved(ctx);
  return *this;
}

void ChannelPipeline::destroy() {
  while (tail_->prev_ != head_.get()) {
    removeContext(*tail_->prev_);
  }
}

void ChannelPipeline::releaseRemovedHandlers() noexcept {
  for (auto& ctx : graveyard_) {
    if (ctx->executor_ != nullptr) {
      continue;  // its handlerRemoved may still be queued on its executor: it goes later
    }
    ctx->owned_.reset();
    ctx->shared_.reset();
  }
}

ChannelPipeline& ChannelPipeline::remove(std::string_view name) {
  return removeContext(requireContext(name));
}

ChannelPipeline& ChannelPipeline::remove(const ChannelHandler& handler) {
  return removeContext(requireContext(context(handler), "handler"));
}

bool ChannelPipeline::removeFirst() {
  if (empty()) {
    return false;
  }
  removeContext(*head_->next_);
  return true;
}

bool ChannelPipeline::removeLast() {
  if (empty()) {
    return false;
  }
  removeContext(*tail_->prev_);
  return true;
}

ChannelHandlerContext& ChannelPipeline::requireContext(std::string_view name) const {
  ChannelHandlerContext* ctx = context(name);
  if (ctx == nullptr) {
    throw std::invalid_argument("no handler named " + std::string(name));
  }
  return *ctx;
}

ChannelHandlerContext& ChannelPipeline::requireContext(ChannelHandlerContext* ctx,
                                                       const char* what) {
  if (ctx == nullptr) {
    throw std::invalid_argument(std::string("no such handler in the pipeline: ") + what);
  }
  return *ctx;
}

ChannelHandler* ChannelPipeline::get(std::string_view name) const noexcept {
  ChannelHandlerContext* ctx = context(name);
  return ctx == nullptr ? nullptr : ctx->handler_;
}

ChannelHandlerContext* ChannelPipeline::context(std::string_view name) const noexcept {
  for (ChannelHandlerContext* ctx = head_->next_; ctx != tail_.get(); ctx = ctx->next_) {
    if (ctx->name_ == name) {
      return ctx;
    }
  }
  return nullptr;
}

ChannelHandlerContext* ChannelPipeline::context(const ChannelHandler& handler) const noexcept {
  for (ChannelHandlerContext* ctx = head_->next_; ctx != tail_.get(); ctx = ctx->next_) {
    if (ctx->handler_ == &handler) {
      return ctx;
    }
  }
  return nullptr;
}

ChannelHandler* ChannelPipeline::first() const noexcept {
  return empty() ? nullptr : head_->next_->handler_;
}
ChannelHandler* ChannelPipeline::last() const noexcept {
  return empty() ? nullptr : tail_->prev_->handler_;
}
ChannelHandlerContext* ChannelPipeline::firstContext() const noexcept {
  return empty() ? nullptr : head_->next_;
}
ChannelHandlerContext* ChannelPipeline::lastContext() const noexcept {
  return empty() ? nullptr : tail_->prev_;
}

std::vector<std::string> ChannelPipeline::names() const {
  std::vector<std::string> out;
  for (ChannelHandlerContext* ctx = head_->next_; ctx != tail_.get(); ctx = ctx->next_) {
    out.push_back(ctx->name_);
  }
  return out;
}

// ---- Events ------------------------------------------------------------------------------

// Inbound events enter at the head, on the channel's loop.
#define SLUICE_PIPELINE_FIRE(fire)                                                            \
  if (mustHop()) {                                                                            \
    channel_.eventLoop().execute([this, keep = channel_.taskKeepAlive()] { head_->fire(); }); \
  } else {                                                                                    \
    head_->fire();                                                                            \
  }                                                                                           \
  return *this

ChannelPipeline& ChannelPipeline::fireChannelRegistered() {
  SLUICE_PIPELINE_FIRE(fireChannelRegistered);
}
ChannelPipeline& ChannelPipeline::fireChannelUnregistered() {
  SLUICE_PIPELINE_FIRE(fireChannelUnregistered);
}
ChannelPipeline& ChannelPipeline::fireChannelActive() { SLUICE_PIPELINE_FIRE(fireChannelActive); }
ChannelPipeline& ChannelPipeline::fireChannelInactive() {
  SLUICE_PIPELINE_FIRE(fireChannelInactive);
}
ChannelPipeline& ChannelPipeline::fireChannelReadComplete() {
  SLUICE_PIPELINE_FIRE(fireChannelReadComplete);
}
ChannelPipeline& ChannelPipeline::fireChannelWritabilityChanged() {
  SLUICE_PIPELINE_FIRE(fireChannelWritabilityChanged);
}
#undef SLUICE_PIPELINE_FIRE

ChannelPipeline& ChannelPipeline::fireChannelRead(Message msg) {
  if (mustHop()) {
    channel_.eventLoop().execute(
        [this, keep = channel_.taskKeepAlive(), msg = std::move(msg)]() mutable {
          head_->fireChannelRead(std::move(msg));
        });
  } else {
    head_->fireChannelRead(std::move(msg));
  }
  return *this;
}

ChannelPipeline& ChannelPipeline::fireUserEventTriggered(Message event) {
  if (mustHop()) {
    channel_.eventLoop().execute(
        [this, keep = channel_.taskKeepAlive(), event = std::move(event)]() mutable {
          head_->fireUserEventTriggered(std::move(event));
        });
  } else {
    head_->fireUserEventTriggered(std::move(event));
  }
  return *this;
}

ChannelPipeline& ChannelPipeline::fireExceptionCaught(const Error& error) {
  if (mustHop()) {
    channel_.eventLoop().execute(
        [this, keep = channel_.taskKeepAlive(), error] { head_->fireExceptionCaught(error); });
  } else {
    head_->fireExceptionCaught(error);
  }
  return *this;
}

// Outbound operations enter at the tail; the context hops to the right thread.
ChannelFuture ChannelPipeline::bind(const SocketAddress& a) { return tail_->bind(a); }
ChannelFuture ChannelPipeline::bind(const SocketAddress& a, ChannelPromise p) {
  return tail_->bind(a, std::move(p));
}
ChannelFuture ChannelPipeline::connect(const SocketAddress& r, const SocketAddress& l) {
  return tail_->connect(r, l);
}
ChannelFuture ChannelPipeline::connect(const SocketAddress& r, const SocketAddress& l,
                                       ChannelPromise p) {
  return tail_->connect(r, l, std::move(p));
}
ChannelFuture ChannelPipeline::disconnect() { return tail_->disconnect(); }
ChannelFuture ChannelPipeline::disconnect(ChannelPromise p) {
  return tail_->disconnect(std::move(p));
}
ChannelFuture ChannelPipeline::close() { return tail_->close(); }
ChannelFuture ChannelPipeline::close(ChannelPromise p) { return tail_->close(std::move(p)); }
ChannelFuture ChannelPipeline::deregister() { return tail_->deregister(); }
ChannelFuture ChannelPipeline::deregister(ChannelPromise p) {
  return tail_->deregister(std::move(p));
}
ChannelPipeline& ChannelPipeline::read() {
  tail_->read();
  return *this;
}
ChannelFuture ChannelPipeline::write(Message msg) { return tail_->write(std::move(msg)); }
ChannelFuture ChannelPipeline::write(Message msg, ChannelPromise p) {
  return tail_->write(std::move(msg), std::move(p));
}
ChannelPipeline& ChannelPipeline::flush() {
  tail_->flush();
  return *this;
}
ChannelFuture ChannelPipeline::writeAndFlush(Message msg) {
  return tail_->writeAndFlush(std::move(msg));
}
ChannelFuture ChannelPipeline::writeAndFlush(Message msg, ChannelPromise p) {
  return tail_->writeAndFlush(std::move(msg), std::move(p));
}

}  // namespace sluice
