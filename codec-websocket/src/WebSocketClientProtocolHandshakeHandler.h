#pragma once

#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/concurrent/ScheduledFuture.h>

#include <memory>

namespace sluice::websocket {
class WebSocketClientProtocolHandler;
}  // namespace sluice::websocket

namespace sluice::websocket::detail {

/// The opening handshake half of WebSocketClientProtocolHandler (Netty's
/// WebSocketClientProtocolHandshakeHandler): placed before it, it writes the upgrade request
/// once the channel is active, checks the FullHttpResponse that answers it, and removes
/// itself once the handshake succeeded. Thread: the loop.
class WebSocketClientProtocolHandshakeHandler final : public ChannelInboundHandler {
 public:
  explicit WebSocketClientProtocolHandshakeHandler(WebSocketClientProtocolHandler& owner);
  ~WebSocketClientProtocolHandshakeHandler() override;

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelActive(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;

 private:
  enum class State : std::uint8_t { Idle, Issued, Done, Failed };

  void startHandshake(ChannelHandlerContext& ctx);
  /// Fails the handshake with `error`: recorded as the close's reason (CloseInitiator::Protocol)
  /// and counted, unless `counted` (finishHandshake() counted it), then the channel closes.
  void fail(ChannelHandlerContext& ctx, const Error& error, bool counted = false);
  void onTimeout();
  void cancelTimeout() noexcept;

  WebSocketClientProtocolHandler& owner_;
  ChannelHandlerContext* ctx_ = nullptr;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // callbacks hold it weakly
  ScheduledFuture timeout_;
  State state_ = State::Idle;
};

}  // namespace sluice::websocket::detail
