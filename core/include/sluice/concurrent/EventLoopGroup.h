#pragma once

#include <sluice/concurrent/EventExecutorGroup.h>
#include <sluice/concurrent/EventLoop.h>

namespace sluice {

/// A group of event loops (Netty's EventLoopGroup); next() hands them out round-robin.
class EventLoopGroup : public EventExecutorGroup {
 public:
  EventLoop& next() noexcept override = 0;
  EventLoop& executor(std::size_t index) noexcept override = 0;

 protected:
  EventLoopGroup() = default;
};

}  // namespace sluice
