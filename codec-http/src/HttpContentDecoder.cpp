#include <sluice/http/HttpContentDecoder.h>
#include <sluice/http/HttpUtil.h>

#include <string>
#include <vector>

#include "HttpChars.h"

namespace sluice::http {
namespace {

// The codings of every Content-Encoding field, in order, without identity (RFC 9110 8.4.1:
// identity is no coding).
std::vector<std::string> codingsOf(const HttpHeaders& headers) {
  std::vector<std::string> codings;
  for (std::string_view value : headers.getAll(HttpHeaderNames::kContentEncoding)) {
    detail::forEachListElement(value, [&](std::string_view coding) {
      if (!detail::equalsIgnoreCase(coding, HttpHeaderValues::kIdentity)) {
        codings.emplace_back(coding);
      }
      return false;
    });
  }
  return codings;
}

}  // namespace

void HttpContentDecoder::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (msg.is<HttpMessage>()) {
    startMessage(ctx, std::move(msg));
    return;
  }
  HttpContent* content = msg.getIf<HttpContent>();
  if (content == nullptr) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  const bool last = msg.is<LastHttpContent>();
  if (discarding_) {
    discarding_ = !last;
    return;
  }
  if (!decoder_) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  if (content->decoderResult().isFailure()) {
    // The HTTP framing failed (a connection closed in the body, a bad chunk): the coded
    // stream was cut short by that, and the failure already on the message is the one to
    // report. Its bytes, still coded, go; the rest of the body, if any, too.
    decoder_.reset();
    discarding_ = !last;
    content->content() = ByteBuf();
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  ByteBuf out;
  Error error;
  try {
    error = decoder_->decode(ctx.alloc(), content->content(), last, out);
  } catch (...) {
    error = Error::fromCurrentException();
  }
  if (error) {
    decoder_.reset();
    discarding_ = !last;
    fail(ctx, std::move(msg), error);
    return;
  }
  content->content() = std::move(out);
  if (last) {
    decoder_.reset();
  }
  ctx.fireChannelRead(std::move(msg));
}

void HttpContentDecoder::startMessage(ChannelHandlerContext& ctx, Message msg) {
  decoder_.reset();
  discarding_ = false;
  HttpMessage& message = msg.get<HttpMessage>();
  if (const HttpResponse* response = msg.getIf<HttpResponse>()) {
    const int code = response->status().code();
    if (response->status().codeClass() == HttpStatusClass::Informational ||
        code == HttpResponseStatus::kNoContent.code() ||
        code == HttpResponseStatus::kNotModified.code()) {
      ctx.fireChannelRead(std::move(msg));
      return;
    }
  }
  if (message.decoderResult().isFailure() && msg.is<LastHttpContent>()) {
    // A whole message that already failed (an aggregator's, cut short): left as it came,
    // its headers still describing its coded bytes, and its own failure the one reported.
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  HttpHeaders& headers = message.headers();
  std::vector<std::string> codings = codingsOf(headers);
  std::unique_ptr<Decoder> decoder;
  if (!codings.empty()) {
    // RFC 9110 8.4: the last coding listed was applied last, so it comes off first.
    decoder = newContentDecoder(codings.back());
  }
  if (!decoder) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  codings.pop_back();
  if (codings.empty()) {
    headers.remove(HttpHeaderNames::kContentEncoding);
  } else {
    std::string rest = codings.front();
    for (std::size_t i = 1; i < codings.size(); ++i) {
      rest += ", ";
      rest += codings[i];
    }
    headers.set(HttpHeaderNames::kContentEncoding, rest);
  }
  if (msg.is<LastHttpContent>()) {
    ByteBuf& content = msg.get<LastHttpContent>().content();
    ByteBuf out;
    Error error;
    try {
      error = decoder->decode(ctx.alloc(), content, true, out);
    } catch (...) {
      error = Error::fromCurrentException();
    }
    if (error) {
      fail(ctx, std::move(msg), error);
      return;
    }
    content = std::move(out);
    if (!HttpUtil::isTransferEncodingChunked(message)) {
      HttpUtil::setContentLength(message, content.readableBytes());
    }
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  headers.remove(HttpHeaderNames::kContentLength);
  if (message.protocolVersion() == HttpVersion::kHttp11) {
    HttpUtil::setTransferEncodingChunked(message, true);
  }
  decoder_ = std::move(decoder);
  ctx.fireChannelRead(std::move(msg));
}

void HttpContentDecoder::fail(ChannelHandlerContext& ctx, Message msg, const Error& error) {
  if (msg.is<LastHttpContent>()) {
    // The message itself ends the body: it goes on empty and failed, trailers kept.
    LastHttpContent& last = msg.get<LastHttpContent>();
    last.content() = ByteBuf();
    if (HttpMessage* message = msg.getIf<HttpMessage>()) {
      message->headers().remove(HttpHeaderNames::kContentLength);
    }
    last.setDecoderResult(DecoderResult::failure(error));
  } else {
    // A piece in the middle: a failed LastHttpContent ends the body for the handlers that
    // wait for it; the rest of the body is dropped.
    msg = Message::make<LastHttpContent>();
    msg.get<LastHttpContent>().setDecoderResult(DecoderResult::failure(error));
  }
  ctx.fireChannelRead(std::move(msg));
  ctx.fireExceptionCaught(error);
}

}  // namespace sluice::http
