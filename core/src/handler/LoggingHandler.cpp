#include <fmt/format.h>
#include <sluice/buffer/ByteBufUtil.h>
#include <sluice/channel/Channel.h>
#include <sluice/handler/LoggingHandler.h>

namespace sluice {

LoggingHandler::LoggingHandler(LoggingHandlerConfig config) : config_(std::move(config)) {}

std::string LoggingHandler::format(ChannelHandlerContext& ctx, std::string_view event,
                                   std::string_view argument) {
  if (argument.empty()) {
    return fmt::format("{} {}", ctx.channel().toString(), event);
  }
  return fmt::format("{} {}: {}", ctx.channel().toString(), event, argument);
}

std::string LoggingHandler::formatMessage(const Message& msg) {
  std::span<const std::uint8_t> bytes;
  std::size_t length = 0;
  if (const ByteBuf* buf = msg.getIf<ByteBuf>()) {
    bytes = buf->readableSpan();
    length = bytes.size();
  } else if (const CompositeByteBuf* composite = msg.getIf<CompositeByteBuf>()) {
    length = composite->readableBytes();
    if (Log::isEnabled(LogLevel::Trace)) {
      const std::string copy = composite->toString();
      return fmt::format("{}B\n{}", length,
                         ByteBufUtil::prettyHexDump(std::span<const std::uint8_t>(
                             reinterpret_cast<const std::uint8_t*>(copy.data()), copy.size())));
    }
    return fmt::format("{}B", length);
  } else {
    return msg.typeName();
  }
  if (Log::isEnabled(LogLevel::Trace) && length > 0) {
    return fmt::format("{}B\n{}", length, ByteBufUtil::prettyHexDump(bytes));
  }
  return fmt::format("{}B", length);
}

void LoggingHandler::log(ChannelHandlerContext& ctx, std::string_view event,
                         std::string_view argument) {
  Log::write(config_.level, config_.logger, format(ctx, event, argument));
}

void LoggingHandler::channelRegistered(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "REGISTERED");
  }
  ctx.fireChannelRegistered();
}

void LoggingHandler::channelUnregistered(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "UNREGISTERED");
  }
  ctx.fireChannelUnregistered();
}

void LoggingHandler::channelActive(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "ACTIVE");
  }
  ctx.fireChannelActive();
}

void LoggingHandler::channelInactive(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "INACTIVE");
  }
  ctx.fireChannelInactive();
}

void LoggingHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (enabled()) {
    log(ctx, "READ", formatMessage(msg));
  }
  ctx.fireChannelRead(std::move(msg));
}

void LoggingHandler::channelReadComplete(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "READ COMPLETE");
  }
  ctx.fireChannelReadComplete();
}

void LoggingHandler::userEventTriggered(ChannelHandlerContext& ctx, Message event) {
  if (enabled()) {
    log(ctx, "USER_EVENT", event.typeName());
  }
  ctx.fireUserEventTriggered(std::move(event));
}

void LoggingHandler::channelWritabilityChanged(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "WRITABILITY CHANGED", ctx.channel().isWritable() ? "writable" : "unwritable");
  }
  ctx.fireChannelWritabilityChanged();
}

void LoggingHandler::exceptionCaught(ChannelHandlerContext& ctx, const Error& error) {
  if (enabled()) {
    log(ctx, "EXCEPTION", error.toString());
  }
  ctx.fireExceptionCaught(error);
}

void LoggingHandler::bind(ChannelHandlerContext& ctx, const SocketAddress& localAddress,
                          ChannelPromise promise) {
  if (enabled()) {
    log(ctx, "BIND", localAddress.toString());
  }
  ctx.bind(localAddress, std::move(promise));
}

void LoggingHandler::connect(ChannelHandlerContext& ctx, const SocketAddress& remoteAddress,
                             const SocketAddress& localAddress, ChannelPromise promise) {
  if (enabled()) {
    log(ctx, "CONNECT", remoteAddress.toString());
  }
  ctx.connect(remoteAddress, localAddress, std::move(promise));
}

void LoggingHandler::disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (enabled()) {
    log(ctx, "DISCONNECT");
  }
  ctx.disconnect(std::move(promise));
}

void LoggingHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (enabled()) {
    log(ctx, "CLOSE");
  }
  ctx.close(std::move(promise));
}

void LoggingHandler::deregister(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (enabled()) {
    log(ctx, "DEREGISTER");
  }
  ctx.deregister(std::move(promise));
}

void LoggingHandler::read(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "READ REQUEST");
  }
  ctx.read();
}

void LoggingHandler::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  if (enabled()) {
    log(ctx, "WRITE", formatMessage(msg));
  }
  ctx.write(std::move(msg), std::move(promise));
}

void LoggingHandler::flush(ChannelHandlerContext& ctx) {
  if (enabled()) {
    log(ctx, "FLUSH");
  }
  ctx.flush();
}

}  // namespace sluice
