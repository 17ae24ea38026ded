#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/util/Log.h>

#include <string>
#include <string_view>

namespace sluice {

/// Settings of a LoggingHandler.
struct LoggingHandlerConfig {
  /// The level every event is logged at (Netty's default, DEBUG).
  LogLevel level = LogLevel::Debug;
  /// The logger name handed to the sink.
  std::string logger = "handler.logging";
};

/// Logs every event that passes through it, then passes it on (Netty's LoggingHandler).
///
/// Records go through sluice::Log, so they reach whatever sink the application installed
/// with Log::setSink (its own logging) and obey Log::setLevel. Each line is the channel
/// (Channel::toString()), the event in Netty's words (REGISTERED, ACTIVE, READ, WRITE,
/// FLUSH, READ COMPLETE, USER_EVENT, EXCEPTION, CLOSE, INACTIVE, UNREGISTERED...) and its
/// argument: for bytes their count ("READ: 5B"); when the trace level is enabled, also a
/// hex dump of them (ByteBufUtil::prettyHexDump). When the configured level is disabled an
/// event costs one comparison. Sharable: it keeps no per-channel state. Thread: the loop.
class LoggingHandler : public ChannelDuplexHandler {
 public:
  explicit LoggingHandler(LoggingHandlerConfig config = {});
  explicit LoggingHandler(LogLevel level) : LoggingHandler(LoggingHandlerConfig{.level = level}) {}

  bool isSharable() const noexcept override { return true; }
  LogLevel level() const noexcept { return config_.level; }

  void channelRegistered(ChannelHandlerContext& ctx) override;
  void channelUnregistered(ChannelHandlerContext& ctx) override;
  void channelActive(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override;
  void channelWritabilityChanged(ChannelHandlerContext& ctx) override;
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override;
  void bind(ChannelHandlerContext& ctx, const SocketAddress& localAddress,
            ChannelPromise promise) override;
  void connect(ChannelHandlerContext& ctx, const SocketAddress& remoteAddress,
               const SocketAddress& localAddress, ChannelPromise promise) override;
  void disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) override;
  void close(ChannelHandlerContext& ctx, ChannelPromise promise) override;
  void deregister(ChannelHandlerContext& ctx, ChannelPromise promise) override;
  void read(ChannelHandlerContext& ctx) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void flush(ChannelHandlerContext& ctx) override;

  /// How an event is written: "<channel> <EVENT>" or "<channel> <EVENT>: <argument>".
  static std::string format(ChannelHandlerContext& ctx, std::string_view event,
                            std::string_view argument = {});
  /// How a message is shown: "5B" for bytes (plus a hex dump when trace is enabled), the
  /// type name otherwise.
  static std::string formatMessage(const Message& msg);

 private:
  bool enabled() const noexcept { return Log::isEnabled(config_.level); }
  void log(ChannelHandlerContext& ctx, std::string_view event, std::string_view argument = {});

  LoggingHandlerConfig config_;
};

}  // namespace sluice
