#pragma once

// Helpers for tests that run real sockets on 127.0.0.1: an initializer made of a lambda, an
// echo handler, and a collector that a test waits on (with a deadline, never a sleep).

#include <sluice/channel/ChannelClosedEvent.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/ServerBootstrap.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sluice::testing {

class LambdaInitializer : public ChannelInitializer {
 public:
  explicit LambdaInitializer(std::function<void(Channel&)> init) : init_(std::move(init)) {}

 protected:
  void initChannel(Channel& ch) override { init_(ch); }

 private:
  std::function<void(Channel&)> init_;
};

inline std::shared_ptr<ChannelHandler> initializer(std::function<void(Channel&)> init) {
  return std::make_shared<LambdaInitializer>(std::move(init));
}

/// Writes back what it reads; flushes once per read burst.
class EchoHandler : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override { ctx.write(std::move(msg)); }
  void channelReadComplete(ChannelHandlerContext& ctx) override { ctx.flush(); }
};

/// Gathers the bytes a channel reads; thread-safe.
class Collector : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext&, Message msg) override {
    std::lock_guard lock(mutex_);
    if (ByteBuf* buf = msg.getIf<ByteBuf>()) {
      bytes_.append(buf->toStringView());
      ++reads_;
    }
    changed_.notify_all();
  }
  void channelInactive(ChannelHandlerContext& ctx) override {
    {
      std::lock_guard lock(mutex_);
      inactive_ = true;
    }
    changed_.notify_all();
    ctx.fireChannelInactive();
  }

  /// Waits until `size` bytes have arrived; false on time-out.
  bool waitFor(std::size_t size, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return bytes_.size() >= size; });
  }
  bool waitInactive(std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return inactive_; });
  }
  std::string bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
  }
  std::size_t reads() const {
    std::lock_guard lock(mutex_);
    return reads_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string bytes_;
  std::size_t reads_ = 0;
  bool inactive_ = false;
};

/// Gathers the ChannelClosedEvent of every channel whose pipeline it is in, with the
/// channel's id; sharable and thread-safe.
class ClosedEvents : public ChannelInboundHandler {
 public:
  bool isSharable() const noexcept override { return true; }
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (const auto* e = event.getIf<ChannelClosedEvent>()) {
      {
        std::lock_guard lock(mutex_);
        events_.emplace_back(ctx.channel().id().asShortText(), *e);
      }
      changed_.notify_all();
    }
    ctx.fireUserEventTriggered(std::move(event));
  }

  /// Waits until `count` channels have closed; false on time-out.
  bool waitFor(std::size_t count, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return events_.size() >= count; });
  }
  /// (channel id, event) in the order they closed.
  std::vector<std::pair<std::string, ChannelClosedEvent>> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::string, ChannelClosedEvent>> events_;
};

}  // namespace sluice::testing
