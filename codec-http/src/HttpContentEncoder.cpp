#include <sluice/codec/CodecError.h>
#include <sluice/http/HttpContentEncoder.h>
#include <sluice/http/HttpUtil.h>

#include <string>
#include <vector>

#include "HttpChars.h"

namespace sluice::http {
namespace {

std::optional<std::string> joinedField(const HttpHeaders& headers, HttpHeaderName name) {
  const std::vector<std::string_view> values = headers.getAll(name);
  if (values.empty()) {
    return std::nullopt;
  }
  std::string joined(values.front());
  for (std::size_t i = 1; i < values.size(); ++i) {
    joined += ", ";
    joined += values[i];
  }
  return joined;
}

bool hasNonIdentityCoding(const HttpHeaders& headers) {
  for (std::string_view value : headers.getAll(HttpHeaderNames::kContentEncoding)) {
    if (detail::forEachListElement(value, [](std::string_view coding) {
          return !detail::equalsIgnoreCase(coding, HttpHeaderValues::kIdentity);
        })) {
      return true;
    }
  }
  return false;
}

void addVary(HttpHeaders& headers) {
  for (std::string_view value : headers.getAll(HttpHeaderNames::kVary)) {
    if (detail::forEachListElement(value, [](std::string_view name) {
          return name == "*" || detail::equalsIgnoreCase(name, "accept-encoding");
        })) {
      return;
    }
  }
  headers.add(HttpHeaderNames::kVary, "Accept-Encoding");
}

// RFC 9110 8.8.3: the encoded bytes are another representation, so a strong validator of
// the unencoded ones must not describe them; a weak one still may.
void weakenETag(HttpHeaders& headers) {
  const std::optional<std::string_view> etag = headers.get(HttpHeaderNames::kEtag);
  if (etag && !etag->empty() && etag->front() == '"') {
    const std::string weak = "W/" + std::string(*etag);
    headers.set(HttpHeaderNames::kEtag, weak);
  }
}

}  // namespace

void HttpContentEncoder::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (const HttpRequest* request = msg.getIf<HttpRequest>()) {
    requests_.push_back(
        {.acceptEncoding = joinedField(request->headers(), HttpHeaderNames::kAcceptEncoding),
         .head = request->method() == HttpMethod::kHead,
         .connect = request->method() == HttpMethod::kConnect,
         .http11 = request->protocolVersion() == HttpVersion::kHttp11});
  }
  ctx.fireChannelRead(std::move(msg));
}

void HttpContentEncoder::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  if (msg.is<HttpResponse>()) {
    writeResponse(ctx, std::move(msg), std::move(promise));
  } else if (msg.is<HttpContent>()) {
    writeContent(ctx, std::move(msg), std::move(promise));
  } else {
    ctx.write(std::move(msg), std::move(promise));
  }
}

void HttpContentEncoder::writeResponse(ChannelHandlerContext& ctx, Message msg,
                                       ChannelPromise promise) {
  HttpResponse& response = msg.get<HttpResponse>();
  const int code = response.status().code();
  if (response.status().codeClass() == HttpStatusClass::Informational) {
    // Not the answer: the final response that follows is (RFC 9110 15.2).
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  RequestInfo request;
  if (!requests_.empty()) {
    request = std::move(requests_.front());
    requests_.pop_front();
  }
  endEncoding();
  const bool full = msg.is<LastHttpContent>();
  HttpHeaders& headers = response.headers();
  // RFC 9112 6.1: chunked only when both ends speak HTTP/1.1.
  const bool chunkable = request.http11 && response.protocolVersion() == HttpVersion::kHttp11;
  std::optional<std::uint64_t> length;
  if (full) {
    length = msg.get<LastHttpContent>().content().readableBytes();
  } else {
    length = HttpUtil::getContentLength(response);
  }
  const bool passThrough =
      code == HttpResponseStatus::kNoContent.code() ||
      code == HttpResponseStatus::kNotModified.code() || request.head ||
      (request.connect && response.status().codeClass() == HttpStatusClass::Success) ||
      code == HttpResponseStatus::kPartialContent.code() ||
      headers.contains(HttpHeaderNames::kContentRange) || hasNonIdentityCoding(headers) ||
      (full && length == 0u) ||
      (!full && headers.contains(HttpHeaderNames::kTransferEncoding) &&
       !HttpUtil::isTransferEncodingChunked(response)) ||
      (!full && !chunkable && HttpUtil::isContentLengthSet(response));
  std::optional<Result> result;
  if (!passThrough) {
    addVary(headers);
    if (request.acceptEncoding) {
      result = beginEncode(response, *request.acceptEncoding, length);
    }
  }
  if (!result || !result->encoder) {
    state_ = full ? State::Idle : State::PassThrough;
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  headers.set(HttpHeaderNames::kContentEncoding, result->targetContentEncoding);
  weakenETag(headers);
  if (full) {
    ByteBuf& content = msg.get<LastHttpContent>().content();
    try {
      content = result->encoder->encode(ctx.alloc(), content, Flush::Finish);
    } catch (...) {
      promise.tryFailure(
          Error(CodecErrc::EncoderException, Error::fromCurrentException().message()));
      return;
    }
    if (!HttpUtil::isTransferEncodingChunked(response)) {
      HttpUtil::setContentLength(response, content.readableBytes());
    }
    state_ = State::Idle;
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  headers.remove(HttpHeaderNames::kContentLength);
  if (chunkable) {
    HttpUtil::setTransferEncodingChunked(response, true);
  }
  encoder_ = std::move(result->encoder);
  state_ = State::Encoding;
  ctx.write(std::move(msg), std::move(promise));
}

void HttpContentEncoder::writeContent(ChannelHandlerContext& ctx, Message msg,
                                      ChannelPromise promise) {
  const bool last = msg.is<LastHttpContent>();
  if (state_ != State::Encoding) {
    if (last) {
      state_ = State::Idle;
    }
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  ByteBuf& content = msg.get<HttpContent>().content();
  const bool hadInput = content.isReadable();
  try {
    content = encoder_->encode(ctx.alloc(), content, last ? Flush::Finish : Flush::None);
  } catch (...) {
    endEncoding();
    promise.tryFailure(Error(CodecErrc::EncoderException, Error::fromCurrentException().message()));
    return;
  }
  if (last) {
    endEncoding();
  } else if (hadInput) {
    unflushed_ = true;
  }
  ctx.write(std::move(msg), std::move(promise));
}

void HttpContentEncoder::flush(ChannelHandlerContext& ctx) {
  if (state_ == State::Encoding && unflushed_) {
    unflushed_ = false;
    ByteBuf tail;
    try {
      tail = encoder_->encode(ctx.alloc(), ByteBuf(), Flush::Sync);
    } catch (...) {
      ctx.fireExceptionCaught(
          Error(CodecErrc::EncoderException, Error::fromCurrentException().message()));
    }
    if (tail.isReadable()) {
      ctx.write(Message::make<HttpContent>(std::move(tail)), ctx.voidPromise());
    }
  }
  ctx.flush();
}

void HttpContentEncoder::endEncoding() noexcept {
  encoder_.reset();
  unflushed_ = false;
  state_ = State::Idle;
}

}  // namespace sluice::http
