#pragma once

#include <sluice/concurrent/EventExecutor.h>

namespace sluice {

class EventLoopGroup;

/// An executor that also serves channels: every channel registered with it has all its
/// pipeline's callbacks run on its one thread, so handlers need no locks (Netty's EventLoop).
/// Its thread must never block: Future::sync() fails fast there.
class EventLoop : public EventExecutor {
 public:
  bool isEventLoop() const noexcept override { return true; }

 protected:
  using EventExecutor::EventExecutor;
};

}  // namespace sluice
