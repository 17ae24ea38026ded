#pragma once

#include <sluice/handler/IdleStateHandler.h>

namespace sluice {

/// Closes a channel from which nothing has been read for a while (Netty's
/// ReadTimeoutHandler): on timeout it fires exceptionCaught with CoreErrc::Timeout ("read
/// timed out"), then closes the channel, once. An IdleStateHandler with only the reader
/// check, on the same virtual-clock-friendly timers. Thread: the loop.
class ReadTimeoutHandler : public IdleStateHandler {
 public:
  explicit ReadTimeoutHandler(Duration timeout) : IdleStateHandler(timeout, {}, {}) {}

 protected:
  void channelIdle(ChannelHandlerContext& ctx, IdleStateEvent event) override;
  /// Called once on timeout; the default records the close reason (CloseInitiator::Timeout,
  /// "read timeout <N> ms"), fires the error and closes.
  virtual void readTimedOut(ChannelHandlerContext& ctx);

 private:
  bool closed_ = false;
};

}  // namespace sluice
