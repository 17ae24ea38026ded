#pragma once

// What both handshakers do to a pipeline once an upgrade is accepted: drop the HTTP-only
// handlers and put the accepted extensions' handlers behind the frame decoder. Private to
// sluice::websocket.

#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelPipeline.h>

#include <memory>
#include <string>

namespace sluice::websocket::detail {

/// Removes every handler that is an H: after the upgrade, HTTP messages no longer flow.
template <typename H>
void removeAll(ChannelPipeline& p) {
  while (ChannelHandlerContext* ctx = p.context<H>()) {
    p.remove(ctx->handler());
  }
}

/// Adds each accepted extension's decoder and encoder right after the handler named
/// `after`, in the order `accepted` lists them (the response's order, on both sides).
/// `accepted` holds elements with an `extension` pointer to a WebSocketExtension.
template <typename Accepted>
void installExtensionHandlers(ChannelPipeline& p, std::string after, Accepted& accepted) {
  for (auto& a : accepted) {
    std::unique_ptr<ChannelHandler> handlers[] = {a.extension->newExtensionDecoder(),
                                                  a.extension->newExtensionEncoder()};
    for (std::unique_ptr<ChannelHandler>& h : handlers) {
      if (h) {
        ChannelHandler* raw = h.get();
        p.addAfter(after, {}, std::move(h));
        after = p.context(*raw)->name();
      }
    }
  }
}

}  // namespace sluice::websocket::detail
