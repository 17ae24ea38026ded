#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/concurrent/EventLoop.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::testing {

/// A channel with no socket on any event loop: for tests that need a loop on a real thread
/// (EmbeddedChannel's runs on the test's) or direct access to the outbound buffer. Flushed
/// ByteBufs are recorded as strings, with the thread that wrote them; a test may hold writes
/// back (writeLimit) to make the outbound buffer fill up.
class TestChannel final : public Channel {
 public:
  explicit TestChannel(EventLoop& loop) : Channel(loop) {}

  /// Registers and activates the channel (on the loop if called elsewhere) and waits.
  void start() {
    if (eventLoop().inEventLoop()) {
      onRegistered();
      onActive();
    } else {
      eventLoop().submit([this] { start(); }).sync();
    }
  }

  bool isOpen() const noexcept override { return open_; }
  bool isActive() const noexcept override { return open_; }
  ChannelOutboundBuffer& outbound() noexcept { return outboundBuffer(); }

  /// What a transport does with bytes from its socket: counts them, fires channelRead.
  /// Thread: the loop.
  void receive(ByteBuf bytes) {
    addBytesRead(bytes.readableBytes());
    pipeline().fireChannelRead(std::move(bytes));
  }

  /// Bytes doWrite may still take; it writes nothing more once this reaches 0.
  std::size_t writeLimit = SIZE_MAX;

  std::vector<std::string> written() const {
    std::lock_guard lock(mutex_);
    return written_;
  }
  std::vector<std::thread::id> writerThreads() const {
    std::lock_guard lock(mutex_);
    return writerThreads_;
  }

 protected:
  bool doClose() noexcept override {
    open_ = false;
    return true;
  }
  void doBeginRead() override {}
  void doWrite(ChannelOutboundBuffer& buffer) override {
    while (Message* msg = buffer.current()) {
      ByteBuf* buf = msg->getIf<ByteBuf>();
      if (buf == nullptr) {
        buffer.remove(Error(CoreErrc::UnsupportedMessageType));
        continue;
      }
      const std::size_t n = std::min(writeLimit, buf->readableBytes());
      if (n == 0 && buf->isReadable()) {
        return;  // "the socket is full"
      }
      {
        std::lock_guard lock(mutex_);
        written_.emplace_back(buf->toStringView().substr(0, n));
        writerThreads_.push_back(std::this_thread::get_id());
      }
      writeLimit -= n;
      addBytesWritten(n);
      buffer.removeBytes(n);  // also removes a flushed empty buffer
    }
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> written_;
  std::vector<std::thread::id> writerThreads_;
  bool open_ = true;
};

}  // namespace sluice::testing
