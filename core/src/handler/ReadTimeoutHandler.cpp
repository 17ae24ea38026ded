#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/handler/ReadTimeoutHandler.h>

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
  ctx.fireExceptionCaught(Error(CoreErrc::Timeout, "read timed out"));
  ctx.close();
}

}  // namespace sluice
