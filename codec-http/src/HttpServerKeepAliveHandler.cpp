#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/http/HttpServerKeepAliveHandler.h>
#include <sluice/http/HttpUtil.h>

namespace sluice::http {
namespace {

bool isInformational(const HttpResponse& response) {
  return response.status().codeClass() == HttpStatusClass::Informational;
}

// RFC 9112 9.3: a connection stays persistent only if every message on it has a length
// that does not depend on the close; RFC 9112 6.3 lists how a response's length is known.
bool isSelfDefinedMessageLength(const HttpResponse& response, bool answersHead) {
  const int code = response.status().code();
  return answersHead || isInformational(response) ||
         code == HttpResponseStatus::kNoContent.code() ||
         code == HttpResponseStatus::kNotModified.code() ||
         HttpUtil::isContentLengthSet(response) || HttpUtil::isTransferEncodingChunked(response);
}

}  // namespace

void HttpServerKeepAliveHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (const HttpRequest* request = msg.getIf<HttpRequest>()) {
    if (!persistentConnection_) {
      // RFC 9112 9.6: once a request or response has said "close", the server MUST NOT
      // process further requests on the connection.
      discardingContent_ = !msg.is<LastHttpContent>();
      return;
    }
    discardingContent_ = false;
    pending_.push_back({.head = request->method() == HttpMethod::kHead,
                        .http10 = request->protocolVersion() == HttpVersion::kHttp10});
    persistentConnection_ = HttpUtil::isKeepAlive(*request);
    closeRequested_ = !persistentConnection_;
  } else if (discardingContent_ && msg.is<HttpContent>()) {
    discardingContent_ = !msg.is<LastHttpContent>();
    return;
  }
  ctx.fireChannelRead(std::move(msg));
}

void HttpServerKeepAliveHandler::write(ChannelHandlerContext& ctx, Message msg,
                                       ChannelPromise promise) {
  bool informational = false;
  if (HttpResponse* response = msg.getIf<HttpResponse>()) {
    informational = isInformational(*response);
    if (!informational) {
      trackResponse(*response);
    }
  }
  // A 1xx response is a full message too, but not the answer: the one that follows is.
  if (!informational && msg.is<LastHttpContent>() && !shouldKeepAlive()) {
    if (promise.isVoid()) {
      // A void promise cannot be listened to; a real one reports a failure the way a void
      // one does, through exceptionCaught.
      promise = ctx.newPromise();
      promise.addListener(ChannelFutureListener::kFireExceptionOnFailure);
    }
    // Who asked for the close: the request ("Connection: close", HTTP/1.0), else the
    // response (or its length, which only the close can mark).
    if (closeRequested_) {
      ctx.channel().closeReason().record(CloseInitiator::Peer, "Connection: close");
    } else {
      ctx.channel().closeReason().record(CloseInitiator::Application, "response not persistent");
    }
    promise.addListener(ChannelFutureListener::kClose);
  }
  ctx.write(std::move(msg), std::move(promise));
}

void HttpServerKeepAliveHandler::trackResponse(HttpResponse& response) {
  PendingRequest answered;
  if (!pending_.empty()) {
    answered = pending_.front();
    pending_.pop_front();
  }
  // The server decides to close, or the client could not tell where this response ends
  // without the close: nothing after this response is answered.
  if (response.headers().containsValue(HttpHeaderNames::kConnection, HttpHeaderValues::kClose,
                                       true) ||
      !isSelfDefinedMessageLength(response, answered.head)) {
    pending_.clear();
    persistentConnection_ = false;
  }
  if (!shouldKeepAlive()) {
    // RFC 9112 9.6: a server that will close SHOULD send the "close" option.
    HttpUtil::setKeepAlive(response, false);
    return;
  }
  if ((answered.http10 || response.protocolVersion() == HttpVersion::kHttp10) &&
      !response.headers().containsValue(HttpHeaderNames::kConnection, HttpHeaderValues::kKeepAlive,
                                        true)) {
    // RFC 9112 9.3: an HTTP/1.0 peer keeps the connection only when told "keep-alive".
    response.headers().add(HttpHeaderNames::kConnection, HttpHeaderValues::kKeepAlive);
  }
}

}  // namespace sluice::http
