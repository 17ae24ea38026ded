#include <sluice/channel/Channel.h>
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
      return handler->ping(timeout);
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
