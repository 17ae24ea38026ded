#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/http/CorsConfig.h>
#include <sluice/http/HttpObject.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::http {

/// Cross-Origin Resource Sharing for a server, as the Fetch standard's CORS protocol
/// describes it (Netty's CorsHandler). Put it after the HttpServerCodec (and the aggregator,
/// if any), before the handlers that answer requests:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::CorsHandler>(sluice::http::CorsConfig{.origins =
/// {"https://a.example"}}); p.addLast<MyHandler>();
/// ```
///
/// - A preflight (an OPTIONS request with Origin and Access-Control-Request-Method) is
///   answered here with "200 OK" and never reaches the handlers after this one. From an
///   allowed origin the answer carries Access-Control-Allow-Origin, -Allow-Methods,
///   -Allow-Headers, -Allow-Credentials, -Max-Age and the configured extra fields; from
///   another origin it carries none of them, and the browser fails the preflight (or, with
///   shortCircuit, it is a 403). The browser, not the server, checks the requested method
///   and headers against the lists, so the lists are sent as configured.
/// - Any other request is passed on. When the response to it is written, it gets
///   Access-Control-Allow-Origin, -Allow-Credentials and -Expose-Headers if the request's
///   origin is allowed. With shortCircuit, a request from an origin that is not allowed is
///   answered 403 here instead; a request without Origin is never refused.
/// - Access-Control-Allow-Origin is "*" only for `anyOrigin` without credentials, and then
///   every response carries it, whether the request had Origin or not; otherwise it echoes
///   the request's origin, and then every response (to CORS requests and to others) says
///   "Vary: Origin", so that a cache never hands one origin's answer to another (Fetch, "CORS
///   protocol and HTTP caches").
/// - Pipelined requests are remembered in order: each response is decorated for the
///   request it answers, and an answer written here (preflight, 403) waits until the
///   responses to the requests before it have been written, so responses keep the order of
///   the requests (RFC 9112 9.3.2). Netty remembers only the last request.
/// - Answers written here are empty (Content-Length: 0), take the request's HTTP version
///   and keep-alive, and close the connection after them when the request asked for the
///   close. The content of a request answered here is dropped.
/// - A 1xx response is not an answer: it passes untouched.
///
/// Thread: the loop.
class CorsHandler : public ChannelDuplexHandler {
 public:
  /// Throws std::invalid_argument when a configured header name is not a token or a value
  /// is not a valid field value (RFC 9110 5.5, 5.6.2).
  explicit CorsHandler(CorsConfig config);

  const CorsConfig& config() const noexcept { return config_; }

  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

 private:
  // A request read and not yet answered, oldest first.
  struct Pending {
    std::string allowOrigin{};        // Access-Control-Allow-Origin for its response; "" for none
    Message ownResponse{};            // an answer of this handler's, waiting for its turn
    bool closeAfterResponse = false;  // the request asked for the close (ownResponse only)
  };

  /// The Access-Control-Allow-Origin value for a request from `origin`; nullopt when that
  /// origin is not allowed.
  std::optional<std::string> allowOriginFor(std::string_view origin) const;
  void handlePreflight(ChannelHandlerContext& ctx, const HttpRequest& request,
                       const std::optional<std::string>& allowOrigin, bool full);
  void respond(ChannelHandlerContext& ctx, const HttpRequest& request, FullHttpResponse response,
               bool full);
  void decorate(HttpResponse& response, const std::string& allowOrigin) const;
  void addVaryOrigin(HttpResponse& response) const;
  void writeQueuedResponses(ChannelHandlerContext& ctx);

  CorsConfig config_;
  bool anyOrigin_ = false;       // config_.anyOrigin, or "*" among the origins
  bool variesByOrigin_ = false;  // the answer depends on Origin: responses say Vary: Origin
  std::string allowMethods_;     // the lists, joined with ", " once
  std::string allowHeaders_;
  std::string exposeHeaders_;
  std::string maxAge_;

  std::deque<Pending> pending_;
  bool discardingContent_ = false;  // dropping the content of a request answered here
  bool informational_ = false;      // a streamed 1xx response is being written
};

}  // namespace sluice::http
