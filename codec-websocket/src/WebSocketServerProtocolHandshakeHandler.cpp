#include "WebSocketServerProtocolHandshakeHandler.h"

#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpRequestDecoder.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerHandshaker13.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <cctype>
#include <utility>

#include "WebSocketChars.h"
#include "WebSocketHandshakeHold.h"
#include "WebSocketMetrics.h"

namespace sluice::websocket::detail {

using http::FullHttpRequest;
using http::FullHttpResponse;
using http::HttpHeaderNames;

namespace {

using detail::equalsIgnoreCase;

}  // namespace

WebSocketServerProtocolHandshakeHandler::WebSocketServerProtocolHandshakeHandler(
    WebSocketServerProtocolHandler& owner)
    : owner_(owner), config_(owner.config()) {}

WebSocketServerProtocolHandshakeHandler::~WebSocketServerProtocolHandshakeHandler() = default;

void WebSocketServerProtocolHandshakeHandler::handlerAdded(ChannelHandlerContext& ctx) {
  ctx_ = &ctx;
}

void WebSocketServerProtocolHandshakeHandler::handlerRemoved(ChannelHandlerContext& ctx) {
  (void)ctx;
  finish();
  ctx_ = nullptr;
  alive_.reset();
  request_.reset();
}

void WebSocketServerProtocolHandshakeHandler::channelInactive(ChannelHandlerContext& ctx) {
  finish();
  request_.reset();
  ctx.fireChannelInactive();
}

bool WebSocketServerProtocolHandshakeHandler::isWebSocketPath(
    const WebSocketServerProtocolConfig& config, std::string_view uri) {
  const std::string_view path = uri.substr(0, uri.find('?'));
  const std::string_view wsPath = config.websocketPath;
  if (!config.checkStartsWith) {
    return path == wsPath;
  }
  if (path.substr(0, wsPath.size()) != wsPath) {
    return false;
  }
  // "/ws" covers "/ws/room" but not "/wsx".
  return path.size() == wsPath.size() || wsPath.ends_with('/') || path[wsPath.size()] == '/';
}

void WebSocketServerProtocolHandshakeHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (state_ != State::Idle || !msg.is<FullHttpRequest>() ||
      !isWebSocketPath(config_, msg.get<FullHttpRequest>().uri())) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  request_.emplace(msg.take<FullHttpRequest>());
  const FullHttpRequest& request = *request_;
  if (config_.handshakeTimeout.count() > 0) {
    timeout_ = ctx.executor().schedule(
        [this, alive = std::weak_ptr<int>(alive_)]() {
          if (!alive.expired()) {
            onTimeout();
          }
        },
        config_.handshakeTimeout);
  }
  if (Error error = checkRequest(request)) {
    refuse(ctx, WebSocketServerHandshaker::newRefusalResponse(error), CloseInitiator::Protocol,
           error);
    return;
  }
  const std::string url =
      "ws://" + std::string(request.headers().get(HttpHeaderNames::kHost, {})) + request.uri();
  handshaker_ = std::make_unique<WebSocketServerHandshaker13>(url, config_.subprotocols,
                                                              config_.decoderConfig);
  for (const auto& h : config_.extensionHandshakers) {
    handshaker_->addExtensionHandshaker(h);
  }
  if (config_.authorizer) {
    authorize(ctx);
  } else {
    completeHandshake(ctx, http::HttpHeaders());
  }
}

Error WebSocketServerProtocolHandshakeHandler::checkRequest(const FullHttpRequest& request) const {
  if (request.decoderResult().isFailure()) {
    return Error(make_error_code(WebSocketHandshakeErrc::MissingUpgrade));
  }
  // A plain request for the WebSocket path (no Upgrade at all) is refused too, with 400,
  // unless its method already rules it out (405).
  if (Error error = WebSocketServerHandshaker13("").validateRequest(request)) {
    return error;
  }
  if (!config_.allowedOrigins.empty()) {
    // RFC 6455 10.2: the Origin field lets a server refuse pages of other sites. Clients
    // that are not browsers send none and are not concerned.
    const std::optional<std::string_view> origin = request.headers().get(HttpHeaderNames::kOrigin);
    if (origin) {
      bool allowed = false;
      for (const std::string& o : config_.allowedOrigins) {
        if (o == "*" || equalsIgnoreCase(o, *origin)) {
          allowed = true;
          break;
        }
      }
      if (!allowed) {
        return Error(make_error_code(WebSocketHandshakeErrc::OriginNotAllowed));
      }
    }
  }
  return {};
}

void WebSocketServerProtocolHandshakeHandler::authorize(ChannelHandlerContext& ctx) {
  state_ = State::Authorizing;
  Future<WebSocketAuthorization> decision;
  try {
    decision = config_.authorizer(ctx.channel(), *request_);
  } catch (...) {
    Log::log(LogLevel::Warn, "websocket", "{} the WebSocket authorizer threw: {}",
             ctx.channel().toString(), Error::fromCurrentException().message());
  }
  if (!decision.isValid()) {
    const Error error(WebSocketHandshakeErrc::NotAuthorized);
    refuse(ctx, WebSocketServerHandshaker::newRefusalResponse(error), CloseInitiator::Error, error);
    return;
  }
  if (decision.isDone()) {
    onAuthorized(decision);
    return;
  }
  // The decision comes later, maybe on another thread: the bytes after the request must
  // not be parsed as HTTP meanwhile.
  holdHttpDecoding(ctx);
  EventLoop* loop = &ctx.channel().eventLoop();
  decision.addListener(
      [this, loop, alive = std::weak_ptr<int>(alive_),
       keep = ctx.channel().taskKeepAlive()](const Future<WebSocketAuthorization>& f) mutable {
        auto run = [this, alive, f]() {
          if (!alive.expired()) {
            onAuthorized(f);
          }
        };
        if (loop->inEventLoop()) {
          run();
        } else {
          loop->execute([run = std::move(run), keep = std::move(keep)]() mutable { run(); });
        }
      });
}

void WebSocketServerProtocolHandshakeHandler::holdHttpDecoding(ChannelHandlerContext& ctx) {
  ChannelPipeline& p = ctx.pipeline();
  if (ChannelHandlerContext* codec = p.context<http::HttpServerCodec>()) {
    // The codec gives way to a response encoder (for the 101 or the refusal) and the hold,
    // which receives the bytes its decoder still has.
    const std::string name = codec->name();
    p.addBefore(name, "httpresponseencoder", std::make_unique<http::HttpResponseEncoder>());
    p.addAfter(name, WebSocketHandshakeHold::kName, std::make_unique<WebSocketHandshakeHold>());
    p.remove(name);
  } else if (ChannelHandlerContext* decoder = p.context<http::HttpRequestDecoder>()) {
    p.replace(decoder->name(), WebSocketHandshakeHold::kName,
              std::make_unique<WebSocketHandshakeHold>());
  } else {
    return;
  }
  holding_ = true;
  // Reading pauses while the decision is pending, so the kept bytes stay few.
  restoreAutoRead_ = ctx.channel().config().isAutoRead();
  ctx.channel().config().setAutoRead(false);
}

void WebSocketServerProtocolHandshakeHandler::onAuthorized(
    const Future<WebSocketAuthorization>& decision) {
  if (state_ != State::Authorizing || ctx_ == nullptr || !ctx_->channel().isActive()) {
    return;  // timed out, or the connection closed meanwhile
  }
  ChannelHandlerContext& ctx = *ctx_;
  if (!decision.isSuccess()) {
    Log::log(LogLevel::Warn, "websocket", "{} the WebSocket authorizer failed: {}",
             ctx.channel().toString(), decision.cause().message());
    FullHttpResponse response(http::HttpVersion::kHttp11,
                              http::HttpResponseStatus::kInternalServerError);
    response.headers().set(HttpHeaderNames::kContentLength, 0);
    refuse(ctx, std::move(response), CloseInitiator::Error,
           Error(WebSocketHandshakeErrc::NotAuthorized, decision.cause().message()));
    return;
  }
  const WebSocketAuthorization& a = decision.getNow();
  if (a.isAccepted()) {
    completeHandshake(ctx, a.headers());
    return;
  }
  FullHttpResponse response(http::HttpVersion::kHttp11, a.status(),
                            Unpooled::copiedBuffer(a.body()));
  response.headers().add(a.headers());
  response.headers().set(HttpHeaderNames::kContentLength,
                         static_cast<std::int64_t>(response.content().readableBytes()));
  // The application's decision.
  refuse(ctx, std::move(response), CloseInitiator::Application,
         Error(WebSocketHandshakeErrc::NotAuthorized));
}

void WebSocketServerProtocolHandshakeHandler::completeHandshake(
    ChannelHandlerContext& ctx, const http::HttpHeaders& responseHeaders) {
  ChannelPipeline& p = ctx.pipeline();
  // The bytes kept while authorizing go to the frame decoder after the handshake events, so
  // the application hears of the handshake before its first frame.
  std::vector<ByteBuf> held;
  if (auto* hold = dynamic_cast<WebSocketHandshakeHold*>(p.get(WebSocketHandshakeHold::kName))) {
    held = hold->take();
  }
  ChannelFuture done = handshaker_->handshake(ctx.channel(), *request_, responseHeaders);
  if (done.isDone() && !done.isSuccess()) {
    Log::log(LogLevel::Warn, "websocket", "{} WebSocket handshake failed: {}",
             ctx.channel().toString(), done.cause().message());
    refuse(ctx, WebSocketServerHandshaker::newRefusalResponse(done.cause()),
           CloseInitiator::Protocol, done.cause(),
           done.cause().code().category() == webSocketHandshakeCategory());
    return;
  }
  if (holding_ && restoreAutoRead_) {
    ctx.channel().config().setAutoRead(true);
  }
  holding_ = false;
  finish();
  FullHttpRequest request = std::move(*request_);
  request_.reset();
  std::optional<std::string> subprotocol = handshaker_->selectedSubprotocol();
  owner_.onHandshakeComplete(std::move(handshaker_));
  ctx.fireUserEventTriggered(
      WebSocketServerProtocolHandler::ServerHandshakeStateEvent::HandshakeComplete);
  ctx.fireUserEventTriggered(Message::make<WebSocketServerProtocolHandler::HandshakeComplete>(
      request.uri(), request.headers(), std::move(subprotocol)));
  if (!held.empty()) {
    if (ChannelHandlerContext* encoder = p.context("wsencoder")) {
      // Fired from the encoder's place, the bytes reach "wsdecoder", right after it.
      for (ByteBuf& buf : held) {
        encoder->fireChannelRead(std::move(buf));
      }
      encoder->fireChannelReadComplete();
    }
  }
  if (!ctx.isRemoved()) {
    p.remove(*this);
  }
}

void WebSocketServerProtocolHandshakeHandler::refuse(ChannelHandlerContext& ctx,
                                                     FullHttpResponse response, CloseInitiator by,
                                                     const Error& why, bool counted) {
  if (!counted) {
    countHandshakeFailure(why);
  }
  CloseReason& reason = ctx.channel().closeReason();
  reason.record(by, "WebSocket handshake: " + why.message(),
                by == CloseInitiator::Error ? why : Error());
  reason.recordSent(response.status().code());
  finish();
  request_.reset();
  handshaker_.reset();
  // The connection cannot go back to HTTP: the client may already have sent frames.
  response.headers().set(HttpHeaderNames::kConnection, http::HttpHeaderValues::kClose);
  ctx.writeAndFlush(std::move(response)).addListener(ChannelFutureListener::kClose);
}

void WebSocketServerProtocolHandshakeHandler::onTimeout() {
  if (state_ == State::Done || ctx_ == nullptr) {
    return;
  }
  finish();
  ChannelHandlerContext& ctx = *ctx_;
  Log::log(LogLevel::Debug, "websocket", "{} WebSocket handshake timed out",
           ctx.channel().toString());
  const Error error(WebSocketHandshakeErrc::HandshakeTimeout);
  countHandshakeFailure(error);
  ctx.channel().closeReason().record(
      CloseInitiator::Timeout,
      fmt::format("handshake timeout {} ms", config_.handshakeTimeout.count()));
  ctx.fireUserEventTriggered(
      WebSocketServerProtocolHandler::ServerHandshakeStateEvent::HandshakeTimeout);
  ctx.close();
}

void WebSocketServerProtocolHandshakeHandler::userEventTriggered(ChannelHandlerContext& ctx,
                                                                 Message event) {
  if (DrainEvent* drain = event.getIf<DrainEvent>();
      drain != nullptr && !drain->handled && state_ == State::Authorizing) {
    // The HTTP codec has given way to the hold: the handshake in flight ends first, then
    // the protocol handler sends its close 1001.
    drain->handled = true;
    owner_.drainAfterHandshake_ = true;
  }
  ctx.fireUserEventTriggered(std::move(event));
}

void WebSocketServerProtocolHandshakeHandler::finish() noexcept {
  state_ = State::Done;
  if (timeout_.isValid()) {
    timeout_.cancel();
    timeout_ = ScheduledFuture();
  }
}

}  // namespace sluice::websocket::detail
