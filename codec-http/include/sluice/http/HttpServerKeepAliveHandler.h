#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/http/HttpObject.h>

#include <deque>

namespace sluice::http {

/// Keeps a server's connection open between requests when HTTP allows it, and closes it
/// when HTTP says it must, pipelining included (Netty's HttpServerKeepAliveHandler). Put it
/// after the HttpServerCodec:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpServerKeepAliveHandler>();
/// p.addLast<MyHandler>();
/// ```
///
/// It counts the requests read and not yet answered (a 1xx response is not an answer). The
/// connection stops being persistent (RFC 9112 9.3) when a request says so ("Connection:
/// close", or HTTP/1.0 without "Connection: keep-alive"), when a response says so
/// ("Connection: close"), or when a response has no self-defined length (RFC 9112 6.3: no
/// Content-Length, not chunked, and not a 1xx, 204, 304 or response to HEAD, whose end
/// only the close can mark). From then on:
///
/// - the response to the last request still in flight is marked "Connection: close"
///   (HttpUtil::setKeepAlive(response, false); RFC 9112 9.6: a server SHOULD say so), and
///   the channel closes once its LastHttpContent has been written (or failed). Responses to
///   earlier pipelined requests go out untouched; a response that asked for the close
///   itself ends the connection after it, whatever else was in flight;
/// - requests that arrive afterwards are dropped with their content (RFC 9112 9.6: the
///   server MUST NOT process further requests).
///
/// While the connection stays open, a response to an HTTP/1.0 request, or an HTTP/1.0
/// response, gets "Connection: keep-alive", without which an HTTP/1.0 recipient closes
/// (RFC 9112 9.3). Unlike Netty, an HTTP/1.0 response without that field is not read as the
/// server's wish to close; "Connection: close" is.
///
/// Thread: the loop.
class HttpServerKeepAliveHandler : public ChannelDuplexHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

 private:
  // What a response needs to know of the request it answers.
  struct PendingRequest {
    bool head = false;    // no body follows the response's header section (RFC 9112 6.3)
    bool http10 = false;  // keep-alive must be said explicitly (RFC 9112 9.3)
  };

  void trackResponse(HttpResponse& response);
  bool shouldKeepAlive() const noexcept { return !pending_.empty() || persistentConnection_; }

  std::deque<PendingRequest> pending_;  // requests read and not yet answered, oldest first
  bool persistentConnection_ = true;    // no request or response has asked for the close
  bool discardingContent_ = false;      // dropping a request received after the close
  bool closeRequested_ = false;         // a request asked for the close (CloseReason)
};

}  // namespace sluice::http
