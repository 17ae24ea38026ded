#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/http/HttpContentDecoder.h>
#include <sluice/http/HttpContentEncoder.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpRequestDecoder.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpServerExpectContinueHandler.h>
#include <sluice/http/HttpServerKeepAliveHandler.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerExtensionHandler.h>
#include <sluice/websocket/WebSocketServerHandshaker.h>

#include <memory>
#include <system_error>
#include <utility>

#include "WebSocketChars.h"
#include "WebSocketHandshakeHold.h"
#include "WebSocketMetrics.h"
#include "WebSocketPipelineSwitch.h"

namespace sluice::websocket {

using http::FullHttpRequest;
using http::FullHttpResponse;
using http::HttpHeaderNames;
using http::HttpHeaders;
using http::HttpResponseStatus;

namespace {

using detail::installExtensionHandlers;
using detail::removeAll;
using detail::trim;

}  // namespace

struct WebSocketServerHandshaker::AcceptedExtension {
  std::unique_ptr<WebSocketServerExtension> extension;
  WebSocketExtensionData responseData;
};

WebSocketServerHandshaker::WebSocketServerHandshaker(int version, std::string uri,
                                                     std::vector<std::string> subprotocols,
                                                     WebSocketDecoderConfig decoderConfig)
    : version_(version),
      uri_(std::move(uri)),
      subprotocols_(std::move(subprotocols)),
      decoderConfig_(decoderConfig) {}

WebSocketServerHandshaker::~WebSocketServerHandshaker() = default;

void WebSocketServerHandshaker::addExtensionHandshaker(
    std::shared_ptr<const WebSocketServerExtensionHandshaker> handshaker) {
  extensionHandshakers_.push_back(std::move(handshaker));
}

std::optional<std::string> WebSocketServerHandshaker::selectSubprotocol(
    std::string_view requested) const {
  // The client's order decides (RFC 6455 4.2.2 item 5.4 leaves the choice to the server;
  // taking the client's first supported value is what Netty and browsers expect).
  while (!requested.empty()) {
    const std::size_t comma = requested.find(',');
    const std::string_view value = trim(requested.substr(0, comma));
    requested = comma == std::string_view::npos ? std::string_view{} : requested.substr(comma + 1);
    if (value.empty()) {
      continue;
    }
    for (const std::string& supported : subprotocols_) {
      if (supported == kSubprotocolWildcard || supported == value) {
        return std::string(value);
      }
    }
  }
  return std::nullopt;
}

ChannelFuture WebSocketServerHandshaker::handshake(Channel& channel,
                                                   const FullHttpRequest& request) {
  return handshake(channel, request, HttpHeaders(), channel.newPromise());
}

ChannelFuture WebSocketServerHandshaker::handshake(Channel& channel, const FullHttpRequest& request,
                                                   const HttpHeaders& responseHeaders) {
  return handshake(channel, request, responseHeaders, channel.newPromise());
}

ChannelFuture WebSocketServerHandshaker::handshake(Channel& channel, const FullHttpRequest& request,
                                                   const HttpHeaders& responseHeaders,
                                                   ChannelPromise promise) {
  if (channel.eventLoop().inEventLoop()) {
    handshakeOnLoop(channel, request, responseHeaders, promise);
    return promise;
  }
  // The pipeline changes and the 101 must happen together, on the loop.
  channel.eventLoop().execute(
      [this, &channel, keep = channel.taskKeepAlive(),
       request = std::make_shared<FullHttpRequest>(request.copy()), headers = responseHeaders,
       promise]() { handshakeOnLoop(channel, *request, headers, promise); });
  return promise;
}

void WebSocketServerHandshaker::handshakeOnLoop(Channel& channel, const FullHttpRequest& request,
                                                const HttpHeaders& responseHeaders,
                                                const ChannelPromise& promise) {
  if (Error error = validate(request)) {
    detail::countHandshakeFailure(error);
    promise.tryFailure(std::move(error));
    return;
  }
  ChannelPipeline& p = channel.pipeline();
  ChannelHandlerContext* codec = p.context<http::HttpServerCodec>();
  ChannelHandlerContext* decoder = nullptr;
  ChannelHandlerContext* encoder = nullptr;
  if (codec == nullptr) {
    decoder = p.context<http::HttpRequestDecoder>();
    if (decoder == nullptr) {
      decoder = p.context(detail::WebSocketHandshakeHold::kName);
    }
    encoder = p.context<http::HttpResponseEncoder>();
    if (decoder == nullptr || encoder == nullptr) {
      promise.tryFailure(Error(std::make_error_code(std::errc::invalid_argument),
                               "no HttpServerCodec, or HttpRequestDecoder and HttpResponseEncoder, "
                               "in the pipeline"));
      return;
    }
  }

  FullHttpResponse response = newHandshakeResponse(request, responseHeaders);
  std::vector<AcceptedExtension> accepted = negotiateExtensions(channel, request);
  WebSocketDecoderConfig decoderConfig = decoderConfig_;
  acceptedExtensions_.clear();
  std::string extensionsHeader;
  for (const AcceptedExtension& a : accepted) {
    if (a.extension->rsv() != 0) {
      // RFC 6455 5.2: the RSV bits may be set once an extension defining them is negotiated.
      decoderConfig.allowExtensions = true;
    }
    if (!extensionsHeader.empty()) {
      extensionsHeader += ", ";
    }
    extensionsHeader += a.responseData.toString();
    acceptedExtensions_.push_back(a.responseData);
  }
  if (!extensionsHeader.empty()) {
    response.headers().set(HttpHeaderNames::kSecWebSocketExtensions, extensionsHeader);
  }

  // Handlers that only make sense for HTTP messages go; none of them would pass frames on
  // usefully, and the aggregator would wait for HTTP content forever.
  removeAll<http::HttpObjectAggregator>(p);
  removeAll<http::HttpContentEncoder>(p);
  removeAll<http::HttpContentDecoder>(p);
  removeAll<http::HttpServerKeepAliveHandler>(p);
  removeAll<http::HttpServerExpectContinueHandler>(p);
  removeAll<WebSocketServerExtensionHandler>(p);

  ChannelFuture written;
  if (codec != nullptr) {
    const std::string codecName = codec->name();
    // The encoder sits before the decoder, so the close frames the decoder sends on a
    // protocol violation are encoded.
    p.addAfter(codecName, "wsencoder", newWebSocketEncoder());
    p.addAfter("wsencoder", "wsdecoder", newWebsocketDecoder(decoderConfig));
    installExtensionHandlers(p, "wsdecoder", accepted);
    // Encoding is synchronous on the loop: the codec has turned the 101 into bytes when
    // writeAndFlush returns, so it can go at once. Removing it hands the bytes its decoder
    // holds after the request to "wsdecoder" (after the request's own messages, when this
    // runs while the codec is firing them).
    written = channel.writeAndFlush(std::move(response), promise);
    p.remove(codecName);
  } else {
    const std::string decoderName = decoder->name();
    const std::string encoderName = encoder->name();
    p.addBefore(decoderName, "wsencoder", newWebSocketEncoder());
    installExtensionHandlers(p, decoderName, accepted);
    written = channel.writeAndFlush(std::move(response), promise);
    p.remove(encoderName);
    // The new decoder is added after the old one, which then hands it what it holds.
    p.replace(decoderName, "wsdecoder", newWebsocketDecoder(decoderConfig));
  }
  if (!written.isVoid()) {
    written.addListener(ChannelFutureListener::kCloseOnFailure);
  }
  detail::WebSocketMetrics::get().serverHandshake().inc();
}

std::vector<WebSocketServerHandshaker::AcceptedExtension>
WebSocketServerHandshaker::negotiateExtensions(Channel& channel, const http::HttpRequest& request) {
  std::vector<std::shared_ptr<const WebSocketServerExtensionHandshaker>> handshakers =
      extensionHandshakers_;
  ChannelPipeline& p = channel.pipeline();
  for (const std::string& name : p.names()) {
    if (auto* h = dynamic_cast<WebSocketServerExtensionHandler*>(p.get(name))) {
      handshakers.insert(handshakers.end(), h->handshakers().begin(), h->handshakers().end());
    }
  }
  std::vector<AcceptedExtension> accepted;
  if (handshakers.empty()) {
    return accepted;
  }
  std::string offers;
  for (std::string_view v : request.headers().getAll(HttpHeaderNames::kSecWebSocketExtensions)) {
    if (!offers.empty()) {
      offers += ',';
    }
    offers += v;
  }
  int rsv = 0;
  for (const WebSocketExtensionData& offer : WebSocketExtensionData::parse(offers)) {
    std::unique_ptr<WebSocketServerExtension> extension;
    for (const auto& h : handshakers) {
      extension = h->handshakeExtension(offer);
      if (extension) {
        break;
      }
    }
    // Two extensions may not give the same RSV bit a meaning (RFC 6455 9: the server
    // accepts at most one of the alternatives a client offers for the same bits).
    if (extension && (extension->rsv() & rsv) == 0) {
      rsv |= extension->rsv();
      WebSocketExtensionData data = extension->newResponseData();
      accepted.push_back({std::move(extension), std::move(data)});
    }
  }
  return accepted;
}

ChannelFuture WebSocketServerHandshaker::close(Channel& channel, CloseWebSocketFrame frame) {
  // The frame encoder records the close frame (the application's, unless recorded first).
  ChannelFuture written = channel.writeAndFlush(std::move(frame));
  written.addListener(ChannelFutureListener::kClose);
  return written;
}

FullHttpResponse WebSocketServerHandshaker::newRefusalResponse(const Error& error) {
  HttpResponseStatus status = HttpResponseStatus::kBadRequest;
  const bool handshakeError = error.code().category() == webSocketHandshakeCategory();
  const auto errc = static_cast<WebSocketHandshakeErrc>(error.code().value());
  if (handshakeError) {
    status = statusOf(errc);
  }
  FullHttpResponse response(http::HttpVersion::kHttp11, status,
                            Unpooled::copiedBuffer(error.message() + "\n"));
  HttpHeaders& h = response.headers();
  h.set(HttpHeaderNames::kContentType, "text/plain; charset=utf-8");
  h.set(HttpHeaderNames::kContentLength,
        static_cast<std::int64_t>(response.content().readableBytes()));
  if (handshakeError && errc == WebSocketHandshakeErrc::MethodNotAllowed) {
    // RFC 9110 15.5.6: a 405 lists the methods the resource supports.
    h.set(HttpHeaderNames::kAllow, "GET");
  }
  if (handshakeError && errc == WebSocketHandshakeErrc::UnsupportedVersion) {
    // RFC 6455 4.2.2: the 426 names the versions the server speaks.
    h.set(HttpHeaderNames::kSecWebSocketVersion, "13");
  }
  h.set(HttpHeaderNames::kConnection, http::HttpHeaderValues::kClose);
  return response;
}

}  // namespace sluice::websocket
