#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketPingHealthCheck.h>

namespace sluice::websocket {

std::function<Future<bool>(Channel&)> webSocketPingHealthCheck(std::chrono::milliseconds timeout) {
  return [timeout](Channel& channel) -> Future<bool> {
    if (!channel.isActive()) {
      return makeSucceededFuture(false);
    }
    auto check = [&channel, timeout]() -> Future<bool> {
      auto* handler = channel.pipeline().get<WebSocketClientProtocolHandler>();
      if (handler == nullptr) {
        return makeSucceededFuture(false);
      }
      Promise<bool> result = Promise<bool>::make(nullptr);
      handler->ping(timeout).addListener(
          [result, ch = &channel, keep = channel.taskKeepAlive(), timeout](const Future<bool>& f) {
            const bool answered = f.isSuccess() && f.getNow();
            if (!answered) {
              ch->eventLoop().execute([ch, keep, timeout] {
                auto* protocol = ch->pipeline().get<WebSocketClientProtocolHandler>();
                if (protocol != nullptr && ch->isActive()) {
                  ch->closeReason().record(
                      CloseInitiator::Timeout,
                      fmt::format("ping health check: no pong within {} ms", timeout.count()));
                  // Closing from the handler's own context skips it: no close frame, no wait.
                  ch->pipeline().context(*protocol)->close();
                }
              });
            }
            result.trySuccess(answered);
          });
      return result.future();
    };
    EventLoop& loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      return check();
    }
    // The pipeline is the loop's to read: look the handler up there.
    Promise<bool> result = Promise<bool>::make(nullptr);
    loop.execute([check, result, keep = channel.taskKeepAlive()]() {
      check().addListener(
          [result](const Future<bool>& f) { result.trySuccess(f.isSuccess() && f.getNow()); });
    });
    return result.future();
  };
}

}  // namespace sluice::websocket
