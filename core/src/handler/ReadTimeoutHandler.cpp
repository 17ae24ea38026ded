#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/handler/ReadTimeoutHandler.h>

#include <chrono>

namespace sluice {

void ReadTimeoutHandler::channelIdle(ChannelHandlerContext& ctx, IdleStateEvent event) {
  if (event.state == IdleState::ReaderIdle) {
    readTimedOut(ctx);
  }
}

void ReadTimeoutHandler::readTimedOut(ChannelHandlerContext& ctx) {
  if (closed_) {
    return;
  }
  closed_ = true;
  ctx.channel().closeReason().record(
      CloseInitiator::Timeout,
      fmt::format("read timeout {} ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(readerIdleTime()).count()));
  ctx.fireExceptionCaught(Error(CoreErrc::Timeout, "read timed out"));
  ctx.close();
}

}  // namespace sluice
