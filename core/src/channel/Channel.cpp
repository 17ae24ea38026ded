#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelClosedEvent.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/util/Log.h>

#include "ChannelCloseLog.h"

namespace sluice {

namespace {

constexpr CloseInitiator kInitiators[] = {
    CloseInitiator::Unknown,  CloseInitiator::Peer,  CloseInitiator::Application,
    CloseInitiator::Timeout,  CloseInitiator::Limit, CloseInitiator::Protocol,
    CloseInitiator::Shutdown, CloseInitiator::Error,
};
constexpr std::size_t kInitiatorCount = std::size(kInitiators);

// The connection metrics every channel feeds, looked up once (MetricsRegistry::global()).
struct ChannelMetrics {
  Counter& bytesRead;
  Counter& bytesWritten;
  Gauge& open;
  Counter* closed[kInitiatorCount];

  explicit ChannelMetrics(MetricsRegistry& r)
      : bytesRead(r.counter("sluice_bytes_read_total", "Bytes read from transports.")),
        bytesWritten(r.counter("sluice_bytes_written_total", "Bytes written to transports.")),
        open(r.gauge("sluice_connections_open", "Connections (non-server channels) active now.")) {
    // Every initiator but Unknown, which a close never reports (it becomes Application).
    for (std::size_t i = 1; i < kInitiatorCount; ++i) {
      closed[i] = &r.counter("sluice_connections_closed_total",
                             "Connections closed, by who or what closed them.",
                             {{"initiator", std::string(toString(kInitiators[i]))}});
    }
    closed[0] = closed[static_cast<std::size_t>(CloseInitiator::Application)];
  }
};

ChannelMetrics& channelMetrics() {
  static ChannelMetrics metrics(MetricsRegistry::global());
  return metrics;
}

}  // namespace

Channel::Channel(EventLoop& eventLoop, Channel* parent)
    : id_(ChannelId::next()),
      eventLoop_(eventLoop),
      parent_(parent),
      config_(*this),
      outbound_(*this),
      closePromise_(ChannelPromise::make(*this, &eventLoop)),
      pipeline_(*this) {}

Channel::~Channel() {
  // A channel dropped without closing (a test double) leaves the open-connections gauge.
  if (countedOpen_) {
    channelMetrics().open.dec();
  }
}

ChannelPromise Channel::newPromise() { return ChannelPromise::make(*this, &eventLoop_); }

ChannelFuture Channel::newSucceededFuture() {
  ChannelPromise p = newPromise();
  p.trySuccess();
  return p;
}

ChannelFuture Channel::newFailedFuture(Error error) {
  ChannelPromise p = newPromise();
  p.tryFailure(std::move(error));
  return p;
}

std::string Channel::toString() const {
  const SocketAddress local = localAddress();
  const SocketAddress remote = remoteAddress();
  if (local.isUnspecified() && remote.isUnspecified()) {
    return fmt::format("[id: {}]", id_.asShortText());
  }
  if (remote.isUnspecified()) {
    return fmt::format("[id: {}, L:{}]", id_.asShortText(), local.toString());
  }
  return fmt::format("[id: {}, L:{} {} R:{}]", id_.asShortText(), local.toString(),
                     isActive() ? "-" : "!", remote.toString());
}

void Channel::onRegistered() {
  registered_ = true;
  pipeline_.callPendingHandlerAdded();
  pipeline_.fireChannelRegistered();
}

void Channel::onActive() {
  activeFired_ = true;
  if (!isServer() && !countedOpen_) {
    activeSince_ = std::chrono::steady_clock::now();
    channelMetrics().open.inc();
    countedOpen_ = true;
  }
  pipeline_.fireChannelActive();
  if (config_.isAutoRead()) {
    read();
  }
}

void Channel::onClosed(const Error& cause) {
  const Error error = cause ? cause : Error(CoreErrc::ClosedChannel);
  outbound_.close(error);
  if (activeFired_ && !isServer()) {
    reportClosed(cause);
  }
  closePromise_.trySuccess();
  if (activeFired_) {
    activeFired_ = false;
    pipeline_.fireChannelInactive();
  }
  if (registered_) {
    registered_ = false;
    pipeline_.fireChannelUnregistered();
  }
  // Every handler hears handlerRemoved, so codecs release what they accumulated.
  pipeline_.destroy();
  // Then they go, in a task of their own (none of them is on the stack there), so that a
  // handler holding this channel does not keep it alive. An EmbeddedChannel keeps its
  // handlers until it is destroyed: tests inspect them after finish().
  if (ownsEventLoop()) {
    return;
  }
  try {
    eventLoop_.execute([keep = taskKeepAlive(), this] { pipeline_.releaseRemovedHandlers(); });
  } catch (const ErrorException&) {
    // The loop has terminated: this is its last pass over closing sockets, which runs no
    // handler code, so they can go now.
    pipeline_.releaseRemovedHandlers();
  }
}

void Channel::reportClosed(const Error& cause) {
  if (cause) {
    closeReason_.record(CloseInitiator::Error, {}, cause);
  }
  closeReason_.record(CloseInitiator::Application);  // unless someone said otherwise
  ChannelMetrics& metrics = channelMetrics();
  if (std::exchange(countedOpen_, false)) {
    metrics.open.dec();
  }
  metrics.closed[static_cast<std::size_t>(closeReason_.initiator) % kInitiatorCount]->inc();
  ChannelClosedEvent event{.reason = closeReason_,
                           .duration = std::chrono::steady_clock::now() - activeSince_,
                           .bytesRead = bytesRead_,
                           .bytesWritten = bytesWritten_};
  if (Log::isEnabled(LogLevel::Info)) {
    try {
      const SocketAddress peer = remoteAddress();
      const SocketAddress client = clientAddress();
      // A relayed connection names its real client, and the balancer it came through.
      const bool relayed = clientAddress_ != nullptr && !(client == peer);
      Log::write(LogLevel::Info, "channel",
                 detail::formatChannelCloseLog(
                     id_.asShortText(), client.isUnspecified() ? std::string() : client.toString(),
                     relayed && !peer.isUnspecified() ? peer.toString() : std::string(), event));
    } catch (...) {
      // A log line is not worth failing a close over.
    }
  }
  // Right before channelInactive, so that a handler keeping books on the connection hears
  // why it closed while it can still act on it.
  pipeline_.fireUserEventTriggered(Message(std::move(event)));
}

void Channel::addBytesRead(std::size_t n) noexcept {
  bytesRead_ += n;
  channelMetrics().bytesRead.inc(n);
}

void Channel::addBytesWritten(std::size_t n) noexcept {
  bytesWritten_ += n;
  channelMetrics().bytesWritten.inc(n);
}

// ---- Default transport operations --------------------------------------------------------

void Channel::doBind(const SocketAddress&, ChannelPromise promise) {
  promise.tryFailure(Error(CoreErrc::UnsupportedOperation, "this channel cannot bind"));
}

void Channel::doConnect(const SocketAddress&, const SocketAddress&, ChannelPromise promise) {
  promise.tryFailure(Error(CoreErrc::UnsupportedOperation, "this channel cannot connect"));
}

void Channel::onUnhandledInboundMessage(Message msg) noexcept {
  if (Log::isEnabled(LogLevel::Debug)) {
    try {
      Log::log(LogLevel::Debug, "channel",
               "{} discarded an inbound message that reached the tail: {}", toString(),
               msg.typeName());
    } catch (...) {
    }
  }
  // Dropping it releases it.
}

void Channel::onUnhandledException(const Error& error) noexcept {
  if (loggedUnhandledException_) {
    return;
  }
  loggedUnhandledException_ = true;
  try {
    Log::log(LogLevel::Warn, "channel",
             "{} an exceptionCaught event reached the tail of the pipeline; the last handler "
             "should handle it: {}",
             toString(), error.toString());
  } catch (...) {
  }
}

// ---- Entry points from the pipeline's head (on the loop) ----------------------------------

void Channel::bindFromHead(const SocketAddress& localAddress, ChannelPromise promise) {
  if (!isOpen()) {
    promise.tryFailure(Error(CoreErrc::ClosedChannel));
    return;
  }
  doBind(localAddress, std::move(promise));
}

void Channel::connectFromHead(const SocketAddress& remoteAddress, const SocketAddress& localAddress,
                              ChannelPromise promise) {
  if (!isOpen()) {
    promise.tryFailure(Error(CoreErrc::ClosedChannel));
    return;
  }
  doConnect(remoteAddress, localAddress, std::move(promise));
}

void Channel::closeFromHead(ChannelPromise promise) {
  if (closing_) {
    // Already closing: this promise completes when the close does.
    promise.completeWith(closePromise_);
    return;
  }
  closing_ = true;
  if (doClose()) {
    onClosed();
  }
  promise.completeWith(closePromise_);
}

void Channel::deregisterFromHead(ChannelPromise promise) {
  if (registered_) {
    registered_ = false;
    pipeline_.fireChannelUnregistered();
  }
  promise.trySuccess();
}

void Channel::readFromHead() {
  if (isActive()) {
    doBeginRead();
  }
}

void Channel::writeFromHead(Message&& msg, ChannelPromise&& promise) {
  if (closing_ || !isOpen()) {
    // Released here; the promise says why.
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "write to a closed channel"));
    return;
  }
  const std::size_t size = estimateMessageSize(msg);
  outbound_.addMessage(std::move(msg), size, std::move(promise));
}

void Channel::flushFromHead() {
  outbound_.addFlush();
  if (outbound_.isEmpty()) {
    return;
  }
  if (!isActive()) {
    if (!isOpen()) {
      outbound_.failFlushed(Error(CoreErrc::ClosedChannel, "flush on a closed channel"));
    } else {
      outbound_.failFlushed(Error(CoreErrc::NotYetConnected));
    }
    return;
  }
  doWrite(outbound_);
}

void Channel::autoReadChanged(bool autoRead) {
  if (autoRead) {
    read();
  } else if (eventLoop_.inEventLoop()) {
    doStopRead();
  } else {
    eventLoop_.execute([keep = taskKeepAlive(), this] { doStopRead(); });
  }
}

}  // namespace sluice
