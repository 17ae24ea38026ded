#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/util/Log.h>

namespace sluice {

void ChannelInitializer::handlerAdded(ChannelHandlerContext& ctx) {
  if (ctx.channel().isRegistered()) {
    initialize(ctx);
  }
}

void ChannelInitializer::channelRegistered(ChannelHandlerContext& ctx) {
  if (initialize(ctx)) {
    // The handlers just added have not seen channelRegistered yet: fire it again from the
    // head so that they do.
    ctx.pipeline().fireChannelRegistered();
  } else {
    ctx.fireChannelRegistered();
  }
}

void ChannelInitializer::exceptionCaught(ChannelHandlerContext& ctx, const Error& error) {
  Log::log(LogLevel::Warn, "channel", "{} failed to initialize a channel: {}",
           ctx.channel().toString(), error.toString());
  ctx.close();
}

bool ChannelInitializer::initialize(ChannelHandlerContext& ctx) {
  // Removing itself is what marks the channel as done: a removed context means initChannel
  // already ran for it.
  if (ctx.isRemoved()) {
    return false;
  }
  try {
    initChannel(ctx.channel());
  } catch (...) {
    exceptionCaught(ctx, Error::fromCurrentException());
  }
  if (!ctx.isRemoved()) {
    ctx.pipeline().remove(*this);
  }
  return true;
}

}  // namespace sluice
