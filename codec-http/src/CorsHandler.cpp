#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/http/CorsHandler.h>
#include <sluice/http/HttpUtil.h>

#include <stdexcept>
#include <utility>

#include "HttpChars.h"

namespace sluice::http {
namespace {

constexpr std::string_view kAnyOrigin = "*";
constexpr std::string_view kNullOrigin = "null";
// Private Network Access; not among the HttpHeaderNames constants.
constexpr std::string_view kRequestPrivateNetwork = "access-control-request-private-network";
constexpr std::string_view kAllowPrivateNetwork = "access-control-allow-private-network";

void checkToken(std::string_view name, const char* what) {
  if (!detail::isToken(name)) {
    throw std::invalid_argument(std::string("CorsConfig: ") + what + " is not a token: '" +
                                std::string(name) + "'");
  }
}

void checkFieldValue(std::string_view value, const char* what) {
  if (!detail::isFieldValue(value)) {
    throw std::invalid_argument(std::string("CorsConfig: ") + what + " is not a valid field value");
  }
}

void appendListElement(std::string& list, std::string_view element) {
  if (!list.empty()) {
    list += ", ";
  }
  list += element;
}

bool isInformational(const HttpResponse& response) {
  return response.status().codeClass() == HttpStatusClass::Informational;
}

// Fetch standard, "CORS-preflight request": an OPTIONS request carrying Origin and
// Access-Control-Request-Method.
bool isPreflight(const HttpRequest& request) {
  return request.method() == HttpMethod::kOptions &&
         request.headers().contains(HttpHeaderNames::kOrigin) &&
         request.headers().contains(HttpHeaderNames::kAccessControlRequestMethod);
}

}  // namespace

CorsHandler::CorsHandler(CorsConfig config) : config_(std::move(config)) {
  anyOrigin_ = config_.anyOrigin;
  for (const std::string& origin : config_.origins) {
    if (origin == kAnyOrigin) {
      anyOrigin_ = true;
    }
    if (origin.empty()) {
      throw std::invalid_argument("CorsConfig: an origin is empty");
    }
    checkFieldValue(origin, "an origin");
  }
  // Only a constant "*" is the same for every origin; an echoed origin, or "null" next to
  // "*", is not, and caches must know (Fetch, "CORS protocol and HTTP caches").
  variesByOrigin_ = !anyOrigin_ || config_.allowCredentials || config_.allowNullOrigin;
  for (const HttpMethod& method : config_.allowedRequestMethods) {
    appendListElement(allowMethods_, method.name());
  }
  for (const std::string& header : config_.allowedRequestHeaders) {
    checkToken(header, "an allowed request header");
    appendListElement(allowHeaders_, header);
  }
  for (const std::string& header : config_.exposedHeaders) {
    checkToken(header, "an exposed header");
    appendListElement(exposeHeaders_, header);
  }
  for (const auto& [name, value] : config_.preflightResponseHeaders) {
    checkToken(name, "a preflight response header name");
    checkFieldValue(value, "a preflight response header value");
  }
  if (config_.maxAge) {
    if (config_.maxAge->count() < 0) {
      throw std::invalid_argument("CorsConfig: maxAge is negative");
    }
    maxAge_ = std::to_string(config_.maxAge->count());
  }
}

std::optional<std::string> CorsHandler::allowOriginFor(std::string_view origin) const {
  if (origin.empty()) {
    return std::nullopt;
  }
  if (origin == kNullOrigin && config_.allowNullOrigin) {
    return std::string(kNullOrigin);
  }
  if (anyOrigin_) {
    if (!config_.allowCredentials) {
      return std::string(kAnyOrigin);
    }
    // Fetch, "CORS check": with credentials, "*" is not a match; only the origin itself is.
    // It is echoed into a response field, so it must be a valid one (a request decoded
    // without header validation could carry anything).
    if (!detail::isFieldValue(origin)) {
      return std::nullopt;
    }
    return std::string(origin);
  }
  for (const std::string& allowed : config_.origins) {
    if (allowed == origin) {
      return allowed;
    }
  }
  return std::nullopt;
}

void CorsHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (!config_.enabled) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  if (const HttpRequest* request = msg.getIf<HttpRequest>()) {
    discardingContent_ = false;
    const bool full = msg.is<LastHttpContent>();
    const std::optional<std::string_view> origin = request->headers().get(HttpHeaderNames::kOrigin);
    std::optional<std::string> allowOrigin;
    if (origin) {
      allowOrigin = allowOriginFor(*origin);
    } else if (!variesByOrigin_) {
      // Fetch, "CORS protocol and HTTP caches": a constant "*" goes on non-CORS responses too,
      // since without Vary a cache may hand such a response to a CORS request.
      allowOrigin = std::string(kAnyOrigin);
    }
    const bool refused = origin && !allowOrigin && config_.shortCircuit;
    if (refused) {
      respond(ctx, *request,
              FullHttpResponse(request->protocolVersion(), HttpResponseStatus::kForbidden), full);
      return;
    }
    if (isPreflight(*request)) {
      handlePreflight(ctx, *request, allowOrigin, full);
      return;
    }
    pending_.push_back(Pending{.allowOrigin = allowOrigin.value_or(std::string())});
  } else if (discardingContent_ && msg.is<HttpContent>()) {
    discardingContent_ = !msg.is<LastHttpContent>();
    return;  // content of a request answered here
  }
  ctx.fireChannelRead(std::move(msg));
}

void CorsHandler::handlePreflight(ChannelHandlerContext& ctx, const HttpRequest& request,
                                  const std::optional<std::string>& allowOrigin, bool full) {
  FullHttpResponse response(request.protocolVersion(), HttpResponseStatus::kOk);
  HttpHeaders& headers = response.headers();
  if (allowOrigin) {
    headers.set(HttpHeaderNames::kAccessControlAllowOrigin, *allowOrigin);
    if (!allowMethods_.empty()) {
      headers.set(HttpHeaderNames::kAccessControlAllowMethods, allowMethods_);
    }
    if (!allowHeaders_.empty()) {
      headers.set(HttpHeaderNames::kAccessControlAllowHeaders, allowHeaders_);
    }
    if (config_.allowCredentials) {
      headers.set(HttpHeaderNames::kAccessControlAllowCredentials, "true");
    }
    if (!maxAge_.empty()) {
      headers.set(HttpHeaderNames::kAccessControlMaxAge, maxAge_);
    }
    if (config_.allowPrivateNetwork &&
        request.headers().containsValue(kRequestPrivateNetwork, "true", true)) {
      headers.set(kAllowPrivateNetwork, "true");
    }
    for (const auto& [name, value] : config_.preflightResponseHeaders) {
      headers.add(name, value);
    }
  }
  respond(ctx, request, std::move(response), full);
}

void CorsHandler::respond(ChannelHandlerContext& ctx, const HttpRequest& request,
                          FullHttpResponse response, bool full) {
  if (variesByOrigin_) {
    addVaryOrigin(response);
  }
  if (!HttpUtil::isContentLengthSet(response)) {
    HttpUtil::setContentLength(response, 0);
  }
  const bool keepAlive = HttpUtil::isKeepAlive(request);
  HttpUtil::setKeepAlive(response, keepAlive);
  // A request that is not a full message is followed by its content, answered here too.
  discardingContent_ = !full;
  if (!pending_.empty()) {
    // RFC 9112 9.3.2: responses go out in the order of the requests; this answer waits for
    // the responses to the requests before it.
    pending_.push_back(
        Pending{.ownResponse = Message(std::move(response)), .closeAfterResponse = !keepAlive});
    return;
  }
  if (!keepAlive) {
    ctx.channel().closeReason().record(CloseInitiator::Peer, "Connection: close");
  }
  ChannelFuture future = ctx.writeAndFlush(std::move(response));
  future.addListener(keepAlive ? ChannelFutureListener::kCloseOnFailure
                               : ChannelFutureListener::kClose);
}

void CorsHandler::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  if (!config_.enabled) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  if (HttpResponse* response = msg.getIf<HttpResponse>()) {
    informational_ = isInformational(*response);
    if (!informational_ && !pending_.empty()) {
      decorate(*response, pending_.front().allowOrigin);
    }
  }
  if (!msg.is<LastHttpContent>()) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  // The end of a response: the request it answered is done, unless it was a 1xx.
  const bool answered = !informational_;
  informational_ = false;
  ctx.write(std::move(msg), std::move(promise));
  if (answered && !pending_.empty()) {
    pending_.pop_front();
    writeQueuedResponses(ctx);
  }
}

void CorsHandler::writeQueuedResponses(ChannelHandlerContext& ctx) {
  while (!pending_.empty() && pending_.front().ownResponse) {
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    if (next.closeAfterResponse) {
      ctx.channel().closeReason().record(CloseInitiator::Peer, "Connection: close");
    }
    ChannelFuture future = ctx.writeAndFlush(std::move(next.ownResponse));
    future.addListener(next.closeAfterResponse ? ChannelFutureListener::kClose
                                               : ChannelFutureListener::kCloseOnFailure);
  }
}

void CorsHandler::decorate(HttpResponse& response, const std::string& allowOrigin) const {
  if (variesByOrigin_) {
    addVaryOrigin(response);
  }
  if (allowOrigin.empty()) {
    return;  // not a CORS request, or an origin that is not allowed
  }
  HttpHeaders& headers = response.headers();
  headers.set(HttpHeaderNames::kAccessControlAllowOrigin, allowOrigin);
  if (config_.allowCredentials) {
    headers.set(HttpHeaderNames::kAccessControlAllowCredentials, "true");
  }
  if (!exposeHeaders_.empty()) {
    headers.set(HttpHeaderNames::kAccessControlExposeHeaders, exposeHeaders_);
  }
}

void CorsHandler::addVaryOrigin(HttpResponse& response) const {
  HttpHeaders& headers = response.headers();
  // RFC 9110 12.5.5: "*" already says the response varies by everything; a field already
  // naming Origin needs no second one.
  if (headers.containsValue(HttpHeaderNames::kVary, "*", false) ||
      headers.containsValue(HttpHeaderNames::kVary, "origin", true)) {
    return;
  }
  headers.add(HttpHeaderNames::kVary, "Origin");
}

}  // namespace sluice::http
