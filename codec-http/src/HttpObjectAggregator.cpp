#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/codec/CodecError.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/util/Log.h>

namespace sluice::http {
namespace {

// An answer with no content. RFC 9112 9.6: a server that is about to close SHOULD say so
// with "Connection: close".
FullHttpResponse emptyResponse(const HttpResponseStatus& status, bool close) {
  FullHttpResponse response(HttpVersion::kHttp11, status);
  HttpUtil::setContentLength(response, 0);
  if (close) {
    response.headers().set(HttpHeaderNames::kConnection, HttpHeaderValues::kClose);
  }
  return response;
}

void logFailedTooLarge(const ChannelFuture& f) {
  if (!f.isSuccess()) {
    Log::log(LogLevel::Debug, "http", "failed to send a 413 Request Entity Too Large: {}",
             f.cause().toString());
  }
}

}  // namespace

HttpObjectAggregator::HttpObjectAggregator(HttpObjectAggregatorConfig config)
    : MessageAggregator(MessageAggregatorConfig{
          .maxContentLength = config.maxContentLength,
          .maxCumulationBufferComponents = config.maxCumulationBufferComponents}),
      closeOnExpectationFailed_(config.closeOnExpectationFailed) {}

bool HttpObjectAggregator::isStartMessage(const Message& msg) { return msg.is<HttpMessage>(); }

bool HttpObjectAggregator::isContentMessage(const Message& msg) { return msg.is<HttpContent>(); }

bool HttpObjectAggregator::isLastContentMessage(const Message& content) {
  return content.is<LastHttpContent>();
}

bool HttpObjectAggregator::isAggregated(const Message& msg) { return msg.is<FullHttpMessage>(); }

ByteBuf* HttpObjectAggregator::contentOf(Message& msg) {
  // Start messages (HttpRequest, HttpResponse) carry no content; full ones never get here.
  HttpContent* content = msg.getIf<HttpContent>();
  return content == nullptr ? nullptr : &content->content();
}

std::optional<std::size_t> HttpObjectAggregator::contentLength(const Message& start) {
  if (const HttpResponse* response = start.getIf<HttpResponse>()) {
    // RFC 9112 6.3: these responses have no body, whatever Content-Length says (a 304 may
    // declare the length of the representation, RFC 9110 8.6).
    const int code = response->status().code();
    if (response->status().codeClass() == HttpStatusClass::Informational ||
        code == HttpResponseStatus::kNoContent.code() ||
        code == HttpResponseStatus::kNotModified.code()) {
      return std::nullopt;
    }
  }
  // An invalid Content-Length is the decoder's to reject; here it declares nothing.
  const std::optional<std::uint64_t> length = HttpUtil::getContentLength(start.get<HttpMessage>());
  if (!length) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(*length);
}

Message HttpObjectAggregator::beginAggregation(Message start) {
  HttpMessage& m = start.get<HttpMessage>();
  // The aggregated message carries its content whole: it is no longer chunked.
  HttpUtil::setTransferEncodingChunked(m, false);
  const HeaderValidation validation =
      m.headers().isValidating() ? HeaderValidation::On : HeaderValidation::Off;
  Message aggregated;
  if (HttpRequest* request = start.getIf<HttpRequest>()) {
    aggregated = Message::make<FullHttpRequest>(
        request->protocolVersion(), request->method(), request->uri(), ByteBuf(),
        std::move(request->headers()), HttpHeaders(validation));
  } else {
    HttpResponse& response = start.get<HttpResponse>();
    aggregated =
        Message::make<FullHttpResponse>(response.protocolVersion(), response.status(), ByteBuf(),
                                        std::move(response.headers()), HttpHeaders(validation));
  }
  aggregated.get<HttpObject>().setDecoderResult(m.decoderResult());
  return aggregated;
}

void HttpObjectAggregator::aggregate(Message& aggregated, Message& content) {
  if (LastHttpContent* last = content.getIf<LastHttpContent>()) {
    HttpHeaders& trailers = last->trailingHeaders();
    if (!trailers.isEmpty()) {
      aggregated.get<FullHttpMessage>().trailingHeaders() = std::move(trailers);
    }
  }
}

void HttpObjectAggregator::finishAggregation(Message& aggregated, ByteBuf content) {
  FullHttpMessage& full = aggregated.get<FullHttpMessage>();
  const std::size_t length = content.readableBytes();
  full.content() = std::move(content);
  // A start that declared a length keeps it: a response to HEAD declares the length of the
  // body a GET would have had (RFC 9110 8.6), and a request's body matched it or failed.
  if (!HttpUtil::isContentLengthSet(full)) {
    HttpUtil::setContentLength(full, length);
  }
}

void HttpObjectAggregator::handleOversizedMessage(ChannelHandlerContext& ctx,
                                                  const Message& oversized) {
  if (const HttpRequest* request = oversized.getIf<HttpRequest>()) {
    // RFC 9110 15.5.14: 413. If content of the request has arrived (the message is the
    // aggregate so far), the rest cannot be told from the next request: close. If the
    // request is not keep-alive and no 100-continue is awaited, the client will not send
    // another on this connection either.
    const bool close =
        oversized.is<FullHttpMessage>() ||
        (!HttpUtil::is100ContinueExpected(*request) && !HttpUtil::isKeepAlive(*request));
    if (close) {
      CloseReason& reason = ctx.channel().closeReason();
      reason.record(CloseInitiator::Limit, fmt::format("maxContentLength {}", maxContentLength()));
      reason.recordSent(HttpResponseStatus::kRequestEntityTooLarge.code());
    }
    ChannelFuture written =
        ctx.writeAndFlush(emptyResponse(HttpResponseStatus::kRequestEntityTooLarge, close));
    written.addListener(&logFailedTooLarge);
    written.addListener(close ? ChannelFutureListener::kClose
                              : ChannelFutureListener::kCloseOnFailure);
    return;
  }
  // A client cannot refuse a response: all it can do is stop reading it. The error is
  // fired first, while the handlers after this one are still in the pipeline.
  ctx.fireExceptionCaught(
      Error(CodecErrc::TooLongFrame,
            fmt::format("response entity too large: content length exceeded {} bytes.",
                        maxContentLength())));
  ctx.channel().closeReason().record(CloseInitiator::Limit,
                                     fmt::format("maxContentLength {}", maxContentLength()));
  ctx.close();
}

Message HttpObjectAggregator::newContinueResponse(Message& start, std::size_t maxContentLength,
                                                  ChannelPipeline& pipeline) {
  HttpRequest* request = start.getIf<HttpRequest>();
  if (request == nullptr) {
    return {};  // Expect is a request field (RFC 9110 10.1.1)
  }
  const bool closeIfRefused = closeOnExpectationFailed_;
  Message response;
  if (HttpUtil::isUnsupportedExpectation(*request)) {
    // RFC 9110 10.1.1: an expectation the server cannot meet may be answered with 417.
    response = emptyResponse(HttpResponseStatus::kExpectationFailed, closeIfRefused);
  } else if (HttpUtil::is100ContinueExpected(*request)) {
    const std::optional<std::uint64_t> length = HttpUtil::getContentLength(*request);
    if (!length || *length <= maxContentLength) {
      // RFC 9110 15.2: a 1xx response ends with its header section; RFC 9110 8.6: it MUST
      // NOT carry Content-Length.
      response = FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kContinue);
    } else {
      // RFC 9110 10.1.1: a server may answer with a final status instead of 100 Continue.
      response = emptyResponse(HttpResponseStatus::kRequestEntityTooLarge, closeIfRefused);
    }
  } else {
    return {};
  }
  if (response.get<HttpResponse>().status().codeClass() == HttpStatusClass::ClientError) {
    if (closeIfRefused) {
      // The refusal closes the connection (closeOnExpectationFailed): recorded first.
      const HttpResponseStatus& status = response.get<HttpResponse>().status();
      CloseReason& reason = pipeline.channel().closeReason();
      if (status == HttpResponseStatus::kRequestEntityTooLarge) {
        reason.record(CloseInitiator::Limit, fmt::format("maxContentLength {}", maxContentLength));
      } else {
        reason.record(CloseInitiator::Protocol, "RFC 9110 10.1.1: unsupported expectation");
      }
      reason.recordSent(status.code());
    }
    pipeline.fireUserEventTriggered(HttpExpectationFailedEvent{});
  }
  // The expectation has been answered here; the handlers after this one must not answer it
  // again.
  request->headers().remove(HttpHeaderNames::kExpect);
  return response;
}

bool HttpObjectAggregator::closeAfterContinueResponse(const Message& response) {
  return closeOnExpectationFailed_ && ignoreContentAfterContinueResponse(response);
}

bool HttpObjectAggregator::ignoreContentAfterContinueResponse(const Message& response) {
  const HttpResponse* r = response.getIf<HttpResponse>();
  return r != nullptr && r->status().codeClass() == HttpStatusClass::ClientError;
}

const DecoderResult* HttpObjectAggregator::decoderResultOf(const Message& msg) {
  const HttpObject* object = msg.getIf<HttpObject>();
  return object == nullptr ? nullptr : &object->decoderResult();
}

void HttpObjectAggregator::setDecoderResult(Message& aggregated, DecoderResult result) {
  aggregated.get<HttpObject>().setDecoderResult(std::move(result));
}

}  // namespace sluice::http
