#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/CloseReason.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/http/HttpObject.h>
#include <sluice/websocket/WebSocketServerHandshaker.h>
#include <sluice/websocket/WebSocketServerProtocolConfig.h>

#include <memory>
#include <optional>

namespace sluice::websocket {
class WebSocketServerProtocolHandler;
}  // namespace sluice::websocket

namespace sluice::websocket::detail {

/// The opening handshake half of WebSocketServerProtocolHandler (Netty's
/// WebSocketServerProtocolHandshakeHandler): placed before it, it upgrades requests for the
/// WebSocket path, then removes itself. Thread: the loop.
class WebSocketServerProtocolHandshakeHandler final : public ChannelInboundHandler {
 public:
  explicit WebSocketServerProtocolHandshakeHandler(WebSocketServerProtocolHandler& owner);
  ~WebSocketServerProtocolHandshakeHandler() override;

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  /// A drain while the authorizer decides: the protocol handler drains once the handshake
  /// is done (a refusal closes anyway).
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override;

  /// Whether `uri` is served by the handler (the path, or below it with checkStartsWith).
  static bool isWebSocketPath(const WebSocketServerProtocolConfig& config, std::string_view uri);

 private:
  enum class State : std::uint8_t { Idle, Authorizing, Done };

  Error checkRequest(const http::FullHttpRequest& request) const;
  void authorize(ChannelHandlerContext& ctx);
  void onAuthorized(const Future<WebSocketAuthorization>& decision);
  void holdHttpDecoding(ChannelHandlerContext& ctx);
  void completeHandshake(ChannelHandlerContext& ctx, const http::HttpHeaders& responseHeaders);
  /// Answers with `response` and closes, recording `why` as `by`'s (CloseReason) and counting
  /// the failure unless `counted` (the handshaker counted it).
  void refuse(ChannelHandlerContext& ctx, http::FullHttpResponse response, CloseInitiator by,
              const Error& why, bool counted = false);
  void onTimeout();
  void finish() noexcept;

  WebSocketServerProtocolHandler& owner_;
  const WebSocketServerProtocolConfig& config_;
  ChannelHandlerContext* ctx_ = nullptr;
  std::unique_ptr<WebSocketServerHandshaker> handshaker_;
  std::optional<http::FullHttpRequest> request_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // callbacks hold it weakly
  ScheduledFuture timeout_;
  State state_ = State::Idle;
  bool holding_ = false;
  bool restoreAutoRead_ = false;
};

}  // namespace sluice::websocket::detail
