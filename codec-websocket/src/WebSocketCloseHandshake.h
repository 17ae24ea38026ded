#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/Message.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/websocket/WebSocketCloseStatus.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace sluice::websocket::detail {

/// The closing handshake (RFC 6455 7.1.2) as WebSocketServerProtocolHandler and
/// WebSocketClientProtocolHandler run it once the opening handshake is done: which close frames
/// have been sent and received, the refusal of frames after ours (RFC 6455 5.5.1), the answer
/// to the peer's, the wait for the peer bounded by forceCloseTimeout, and the application's
/// close(), which sends a close frame first and completes when the channel has closed.
///
/// The sides differ in who closes TCP (RFC 6455 7.1.1): the server closes it once both close
/// frames are exchanged; the client waits for the server to close it, and closes it itself
/// after forceCloseTimeout.
///
/// Owned by its handler (one per channel); `stopPings` stops the handler's keep-alive
/// (WebSocketKeepAlive) when the channel closes, and on the client once its close frame is
/// sent. Callbacks it schedules hold it weakly and end with detach().
/// Thread: the channel's loop.
class WebSocketCloseHandshake {
 public:
  /// Which end of the connection the handler runs.
  enum class Side { Server, Client };

  WebSocketCloseHandshake(Side side, std::chrono::milliseconds forceCloseTimeout,
                          std::function<void()> stopPings);
  ~WebSocketCloseHandshake();

  WebSocketCloseHandshake(const WebSocketCloseHandshake&) = delete;
  WebSocketCloseHandshake& operator=(const WebSocketCloseHandshake&) = delete;

  /// Whether a close frame has been sent (or the frame decoder sent one): nothing may follow.
  bool closeSent() const noexcept { return closeSent_; }
  /// Whether the peer's close frame has arrived.
  bool closeReceived() const noexcept { return closeReceived_; }
  /// Whether the channel is being closed by this side.
  bool closing() const noexcept { return closing_; }

  /// Records the peer's close frame, which the application answers itself (handleCloseFrames
  /// off).
  void setCloseReceived() noexcept { closeReceived_ = true; }

  /// Handles the peer's close frame (handleCloseFrames on): answers it with a close frame, or,
  /// when it answers ours, ends the handshake as the side does.
  void onCloseFrame(ChannelHandlerContext& ctx, const CloseWebSocketFrame& frame);

  /// Writes the application's frame `msg` (a WebSocketFrame or an EncodedMessage one): fails
  /// `promise` with CoreErrc::ClosedChannel once a close frame has been sent; a close frame
  /// starts the wait for the peer.
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise);

  /// The application's close() after the opening handshake: unless the handshake is already
  /// over, sends a close frame with `sendCloseFrame` first (none: closes at once) and
  /// completes `promise` when the channel has closed.
  void close(ChannelHandlerContext& ctx, ChannelPromise promise,
             const std::optional<WebSocketCloseStatus>& sendCloseFrame);

  /// Closes the channel now, completing a waiting close()'s promise with it.
  void closeNow(ChannelHandlerContext& ctx);

  /// A drain (DrainEvent): unless a close frame has been sent or received already (the closing
  /// handshake under way ends the connection), records CloseInitiator::Shutdown and sends
  /// close 1001 (Going Away, RFC 6455 7.4.1) and waits for
  /// the peer as after any close frame of ours, bounded by forceCloseTimeout. Returns whether
  /// the connection is on its way out (false: it was closing already). A draining client
  /// closes TCP when the server's close frame answers, without waiting for the server's close.
  bool drain(ChannelHandlerContext& ctx);

  /// The frame decoder has answered a protocol error with a close frame and closes the
  /// channel once it is written: the handshake is over from this side, and the close that
  /// follows must not send another frame.
  void onDecoderClose() noexcept;

  /// The channel went inactive: a waiting close() completes with the close.
  void channelInactive(ChannelHandlerContext& ctx);

  /// Cancels the wait for the peer.
  void cancelTimer() noexcept;

  /// Cancels the wait and ends every callback still to come (the handler is removed).
  void detach() noexcept;

 private:
  void writeClose(ChannelHandlerContext& ctx, Message frame, ChannelPromise promise, bool flush);
  void afterCloseSent(ChannelHandlerContext& ctx, const ChannelFuture& written);

  const Side side_;
  const std::chrono::milliseconds forceCloseTimeout_;
  const std::function<void()> stopPings_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // callbacks hold it weakly
  ChannelPromise pendingClose_;                                 // close() waiting for the peer
  ScheduledFuture forceCloseTimer_;
  bool closeSent_ = false;
  bool closeReceived_ = false;
  bool closing_ = false;
  bool drained_ = false;  // the close frame sent was the drain's 1001
};

}  // namespace sluice::websocket::detail
