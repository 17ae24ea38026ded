#include <sluice/channel/embedded/EmbeddedChannel.h>

namespace sluice {

EmbeddedChannel::EmbeddedChannel(NoSetup) : Channel(loop) {}

EmbeddedChannel::EmbeddedChannel() : EmbeddedChannel(NoSetup{}) { setUp(); }

void EmbeddedChannel::setUp() {
  onRegistered();
  onActive();
  runPendingTasks();
}

EmbeddedChannel::~EmbeddedChannel() {
  if (open_) {
    close();
    loop.runTasks();
  }
}

bool EmbeddedChannel::doClose() noexcept {
  open_ = false;
  return true;
}

void EmbeddedChannel::doWrite(ChannelOutboundBuffer& buffer) {
  if (outboundHeld_) {
    return;
  }
  while (Message* msg = buffer.current()) {
    outbound_.push_back(std::move(*msg));
    buffer.remove();
  }
}

std::size_t EmbeddedChannel::drainOutbound() {
  ChannelOutboundBuffer& buffer = outboundBuffer();
  const std::size_t count = buffer.flushedCount();
  std::size_t moved = 0;
  // A promise completed by remove() may close the channel, which fails and removes the
  // rest: stop when nothing is left.
  for (; moved < count; ++moved) {
    Message* msg = buffer.current();
    if (msg == nullptr) {
      break;
    }
    outbound_.push_back(std::move(*msg));
    buffer.remove();
  }
  return moved;
}

void EmbeddedChannel::onUnhandledInboundMessage(Message msg) noexcept {
  inbound_.push_back(std::move(msg));
}

void EmbeddedChannel::onUnhandledException(const Error& error) noexcept {
  if (!recordedError_) {
    recordedError_ = error;
  }
}

bool EmbeddedChannel::afterWriteInbound() {
  pipeline().fireChannelReadComplete();
  runPendingTasks();
  return !inbound_.empty();
}

bool EmbeddedChannel::afterWriteOutbound() {
  flush();
  runPendingTasks();
  return !outbound_.empty();
}

Message EmbeddedChannel::readInbound() {
  if (inbound_.empty()) {
    return {};
  }
  Message msg = std::move(inbound_.front());
  inbound_.pop_front();
  return msg;
}

Message EmbeddedChannel::readOutbound() {
  if (outbound_.empty()) {
    return {};
  }
  Message msg = std::move(outbound_.front());
  outbound_.pop_front();
  return msg;
}

bool EmbeddedChannel::finish() {
  close();
  runPendingTasks();
  return !inbound_.empty() || !outbound_.empty();
}

bool EmbeddedChannel::finishAndReleaseAll() {
  const bool any = finish();
  releaseInbound();
  releaseOutbound();
  return any;
}

bool EmbeddedChannel::releaseInbound() {
  const bool any = !inbound_.empty();
  inbound_.clear();
  return any;
}

bool EmbeddedChannel::releaseOutbound() {
  const bool any = !outbound_.empty();
  outbound_.clear();
  return any;
}

void EmbeddedChannel::checkException() {
  if (recordedError_) {
    Error error = std::exchange(recordedError_, Error());
    throw ErrorException(std::move(error));
  }
}

void EmbeddedChannel::runPendingTasks() {
  loop.runTasks();
  loop.runScheduledTasks();
  loop.runTasks();
  checkException();
}

EventExecutor::Duration EmbeddedChannel::runScheduledPendingTasks() {
  loop.runScheduledTasks();
  checkException();
  return loop.nextScheduledTaskDelay();
}

}  // namespace sluice
