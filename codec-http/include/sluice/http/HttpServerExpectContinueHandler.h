#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/http/HttpObject.h>

namespace sluice::http {

/// Answers "Expect: 100-continue" for a server that reads request bodies as they stream in,
/// without an HttpObjectAggregator (which answers it itself) (Netty's
/// HttpServerExpectContinueHandler). Put it after the HttpServerCodec:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpServerExpectContinueHandler>();
/// p.addLast<MyStreamingHandler>();
/// ```
///
/// For a request expecting 100-continue (RFC 9110 10.1.1), it asks acceptMessage(). If the
/// answer is yes, it writes and flushes "100 Continue", removes the Expect field (it has
/// been answered) and passes the request on. If no, it writes and flushes
/// rejectResponse(request) (417 by default) and drops the request and, if the client sends
/// it anyway, its content up to the LastHttpContent; the handlers after it see nothing of
/// that request. A request with an Expect value other than 100-continue is refused the same
/// way without asking acceptMessage() (RFC 9110 10.1.1: a server may answer 417). The
/// channel closes if writing an answer fails. Every other message passes on untouched.
///
/// Thread: the loop.
class HttpServerExpectContinueHandler : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;

 protected:
  /// Whether to let `request`, which expects 100-continue, send its content. True by
  /// default; override to refuse (by size, by authorisation...).
  virtual bool acceptMessage(const HttpRequest& request);
  /// The response refusing `request`'s expectation: by default "417 Expectation Failed"
  /// with Content-Length: 0. Override to say more (a 413, a 401 with a challenge...).
  virtual FullHttpResponse rejectResponse(const HttpRequest& request);

 private:
  bool discardingContent_ = false;  // dropping the content of a refused request
};

}  // namespace sluice::http
