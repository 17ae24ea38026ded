#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpContentDecoder.h>
#include <sluice/http/HttpContentEncoder.h>
#include <sluice/http/HttpHeaderNames.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpRequestEncoder.h>
#include <sluice/http/HttpResponseDecoder.h>
#include <sluice/websocket/WebSocketClientExtensionHandler.h>
#include <sluice/websocket/WebSocketClientHandshaker.h>
#include <sluice/websocket/WebSocketHandshakeError.h>

#include <stdexcept>
#include <system_error>
#include <utility>

#include "WebSocketChars.h"
#include "WebSocketMetrics.h"
#include "WebSocketPipelineSwitch.h"

namespace sluice::websocket {

using http::FullHttpResponse;
using http::HttpHeaderNames;
using http::HttpHeaders;

namespace {

using detail::equalsIgnoreCase;
using detail::installExtensionHandlers;
using detail::removeAll;
using detail::trim;

Error handshakeError(WebSocketHandshakeErrc errc, std::string message) {
  return Error(make_error_code(errc), std::move(message));
}

// RFC 6455 3: a ws or wss URL, without a fragment.
WebSocketUri parseTarget(std::string_view url) {
  auto parsed = WebSocketUri::parse(url);
  if (!parsed) {
    throw std::invalid_argument(
        fmt::format("invalid WebSocket URL \"{}\": not ws:// or wss://, no host, a port outside "
                    "1..65535, a fragment, credentials, or a space or control character",
                    url));
  }
  return *parsed;
}

}  // namespace

struct WebSocketClientHandshaker::AcceptedExtension {
  std::unique_ptr<WebSocketClientExtension> extension;
  WebSocketExtensionData data;
};

WebSocketClientHandshaker::WebSocketClientHandshaker(int version, std::string uri,
                                                     WebSocketClientHandshakerConfig config)
    : version_(version),
      uri_(std::move(uri)),
      config_(std::move(config)),
      target_(parseTarget(uri_)) {}

WebSocketClientHandshaker::~WebSocketClientHandshaker() = default;

std::string WebSocketClientHandshaker::upgradeUrl() const {
  return config_.absoluteUpgradeUrl ? target_.toString() : target_.requestTarget();
}

std::string WebSocketClientHandshaker::hostHeaderValue() const { return target_.hostHeader(); }

std::string WebSocketClientHandshaker::originHeaderValue() const { return target_.origin(); }

void WebSocketClientHandshaker::addExtensionHandshaker(
    std::shared_ptr<const WebSocketClientExtensionHandshaker> handshaker) {
  config_.extensionHandshakers.push_back(std::move(handshaker));
}

ChannelFuture WebSocketClientHandshaker::handshake(Channel& channel) {
  return handshake(channel, channel.newPromise());
}

ChannelFuture WebSocketClientHandshaker::handshake(Channel& channel, ChannelPromise promise) {
  if (channel.eventLoop().inEventLoop()) {
    handshakeOnLoop(channel, promise);
    return promise;
  }
  channel.eventLoop().execute([this, &channel, keep = channel.taskKeepAlive(), promise]() {
    handshakeOnLoop(channel, promise);
  });
  return promise;
}

void WebSocketClientHandshaker::handshakeOnLoop(Channel& channel, const ChannelPromise& promise) {
  ChannelPipeline& p = channel.pipeline();
  if (p.context<http::HttpClientCodec>() == nullptr &&
      (p.context<http::HttpResponseDecoder>() == nullptr ||
       p.context<http::HttpRequestEncoder>() == nullptr)) {
    promise.tryFailure(Error(std::make_error_code(std::errc::invalid_argument),
                             "no HttpClientCodec, or HttpResponseDecoder and HttpRequestEncoder, "
                             "in the pipeline"));
    return;
  }
  http::FullHttpRequest request = newHandshakeRequest();
  offeredHandshakers_ = config_.extensionHandshakers;
  for (const std::string& name : p.names()) {
    if (auto* h = dynamic_cast<WebSocketClientExtensionHandler*>(p.get(name))) {
      offeredHandshakers_.insert(offeredHandshakers_.end(), h->handshakers().begin(),
                                 h->handshakers().end());
    }
  }
  offeredExtensions_.clear();
  std::string offers;
  for (const auto& h : offeredHandshakers_) {
    WebSocketExtensionData offer = h->newRequestData();
    if (!offers.empty()) {
      offers += ", ";
    }
    offers += offer.toString();
    offeredExtensions_.push_back(std::move(offer.name));
  }
  if (!offers.empty()) {
    request.headers().set(HttpHeaderNames::kSecWebSocketExtensions, offers);
  } else {
    request.headers().remove(HttpHeaderNames::kSecWebSocketExtensions);
  }
  channel.writeAndFlush(std::move(request), promise);
}

Error WebSocketClientHandshaker::finishHandshake(Channel& channel,
                                                 const FullHttpResponse& response) {
  Error error = checkAndSwitch(channel, response);
  if (error) {
    detail::countHandshakeFailure(error);
  } else {
    detail::WebSocketMetrics::get().clientHandshake().inc();
  }
  return error;
}

Error WebSocketClientHandshaker::checkAndSwitch(Channel& channel,
                                                const FullHttpResponse& response) {
  if (response.decoderResult().isFailure()) {
    return handshakeError(WebSocketHandshakeErrc::InvalidUpgradeResponse,
                          fmt::format("the server's response could not be parsed: {}",
                                      response.decoderResult().cause().message()));
  }
  if (Error error = verify(response)) {
    return error;
  }
  std::optional<std::string> subprotocol;
  if (Error error = checkSubprotocol(response.headers(), subprotocol)) {
    return error;
  }
  std::vector<AcceptedExtension> accepted;
  if (Error error = negotiateExtensions(response.headers(), accepted)) {
    return error;
  }
  if (Error error = switchPipeline(channel, accepted)) {
    return error;
  }
  actualSubprotocol_ = std::move(subprotocol);
  responseHeaders_ = response.headers();
  acceptedExtensions_.clear();
  for (const AcceptedExtension& a : accepted) {
    acceptedExtensions_.push_back(a.data);
  }
  handshakeComplete_ = true;
  return {};
}

Error WebSocketClientHandshaker::checkSubprotocol(const HttpHeaders& headers,
                                                  std::optional<std::string>& selectedOut) const {
  const std::vector<std::string_view> values =
      headers.getAll(HttpHeaderNames::kSecWebSocketProtocol);
  if (values.empty()) {
    // RFC 6455 4.1 item 6 and 4.2.2: the server selected none; whether that is acceptable
    // is the application's choice (actualSubprotocol() tells it).
    return {};
  }
  const std::string_view selected = trim(values.front());
  if (values.size() > 1 || selected.find(',') != std::string_view::npos) {
    return handshakeError(WebSocketHandshakeErrc::SubprotocolNotOffered,
                          "the server selected more than one subprotocol");
  }
  // RFC 6455 4.1 item 6: a value not among those the client offered fails the connection.
  for (const std::string& offered : config_.subprotocols) {
    if (offered == selected) {
      selectedOut = offered;
      return {};
    }
  }
  return handshakeError(
      WebSocketHandshakeErrc::SubprotocolNotOffered,
      config_.subprotocols.empty()
          ? fmt::format("the server selected subprotocol \"{}\" but none was offered", selected)
          : fmt::format("the server selected subprotocol \"{}\", which was not offered ({})",
                        selected, fmt::join(config_.subprotocols, ", ")));
}

Error WebSocketClientHandshaker::negotiateExtensions(
    const HttpHeaders& headers, std::vector<AcceptedExtension>& accepted) const {
  std::string answers;
  for (std::string_view v : headers.getAll(HttpHeaderNames::kSecWebSocketExtensions)) {
    if (!answers.empty()) {
      answers += ',';
    }
    answers += v;
  }
  int rsv = 0;
  for (const WebSocketExtensionData& answer : WebSocketExtensionData::parse(answers)) {
    // RFC 6455 9.1: the server may only answer with extensions the client offered.
    bool offered = false;
    for (const std::string& name : offeredExtensions_) {
      offered = offered || equalsIgnoreCase(name, answer.name);
    }
    if (!offered) {
      return handshakeError(
          WebSocketHandshakeErrc::ExtensionNotOffered,
          fmt::format("the server accepted extension \"{}\", which was not offered", answer.name));
    }
    std::unique_ptr<WebSocketClientExtension> extension;
    for (const auto& h : offeredHandshakers_) {
      extension = h->handshakeExtension(answer);
      if (extension) {
        break;
      }
    }
    if (!extension) {
      return handshakeError(
          WebSocketHandshakeErrc::InvalidExtension,
          fmt::format("no extension handshaker accepts the server's \"{}\"", answer.toString()));
    }
    // RFC 6455 5.2: each RSV bit has one meaning, given by one negotiated extension.
    if ((extension->rsv() & rsv) != 0) {
      return handshakeError(
          WebSocketHandshakeErrc::ExtensionConflict,
          fmt::format("extension \"{}\" claims an RSV bit another accepted extension claims",
                      answer.name));
    }
    rsv |= extension->rsv();
    accepted.push_back({std::move(extension), answer});
  }
  return {};
}

Error WebSocketClientHandshaker::switchPipeline(Channel& channel,
                                                std::vector<AcceptedExtension>& accepted) {
  ChannelPipeline& p = channel.pipeline();
  ChannelHandlerContext* codec = p.context<http::HttpClientCodec>();
  ChannelHandlerContext* decoder = nullptr;
  ChannelHandlerContext* encoder = nullptr;
  if (codec == nullptr) {
    decoder = p.context<http::HttpResponseDecoder>();
    encoder = p.context<http::HttpRequestEncoder>();
    if (decoder == nullptr) {
      return Error(std::make_error_code(std::errc::invalid_argument),
                   "no HttpClientCodec or HttpResponseDecoder in the pipeline");
    }
  }
  WebSocketDecoderConfig decoderConfig = config_.decoderConfig;
  for (const AcceptedExtension& a : accepted) {
    if (a.extension->rsv() != 0) {
      // RFC 6455 5.2: the RSV bits may be set once an extension defining them is negotiated.
      decoderConfig.allowExtensions = true;
    }
  }

  // Handlers that only make sense for HTTP messages go; the aggregator would wait for HTTP
  // content forever.
  removeAll<http::HttpObjectAggregator>(p);
  removeAll<http::HttpContentDecoder>(p);
  removeAll<http::HttpContentEncoder>(p);
  removeAll<WebSocketClientExtensionHandler>(p);

  if (codec != nullptr) {
    const std::string codecName = codec->name();
    // The encoder sits before the decoder, so the close frames the decoder sends on a
    // protocol violation are encoded.
    p.addAfter(codecName, "wsencoder", newWebSocketEncoder());
    p.addAfter("wsencoder", "wsdecoder", newWebsocketDecoder(decoderConfig));
    installExtensionHandlers(p, "wsdecoder", accepted);
    // Removing the codec hands the bytes its decoder holds after the 101 to "wsdecoder",
    // once the 101 has been handled (this runs while the codec is firing it).
    p.remove(codecName);
  } else {
    const std::string decoderName = decoder->name();
    p.addBefore(decoderName, "wsencoder", newWebSocketEncoder());
    installExtensionHandlers(p, decoderName, accepted);
    if (encoder != nullptr) {
      p.remove(encoder->handler());
    }
    // The new decoder is added after the old one, which then hands it what it holds.
    p.replace(decoderName, "wsdecoder", newWebsocketDecoder(decoderConfig));
  }
  return {};
}

ChannelFuture WebSocketClientHandshaker::close(Channel& channel, CloseWebSocketFrame frame) {
  return channel.writeAndFlush(std::move(frame));
}

}  // namespace sluice::websocket
