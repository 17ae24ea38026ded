#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <string>

namespace sluice::http {

/// Where and what HttpMetricsHandler serves.
struct HttpMetricsConfig {
  /// The request path (query ignored) that gets the metrics.
  std::string path = "/metrics";
  /// The registry served; null means MetricsRegistry::global().
  const MetricsRegistry* registry = nullptr;
};

/// Serves a metrics registry in Prometheus's text format (PrometheusTextFormat) on GET and
/// HEAD of one path, and passes every other request on untouched. Put it after the
/// HttpServerCodec (and aggregator, if any), before the application's handlers:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast(metricsHandler);  // std::make_shared<HttpMetricsHandler>(), shared by all
/// p.addLast<MyHandler>();
/// ```
///
/// Another method on the path gets 405 with `Allow: GET, HEAD`. The body of a request it
/// answers is read and dropped. Keep-alive follows the request (HttpUtil::isKeepAlive).
///
/// Thread: the loop; one instance may be shared by every pipeline (what it must remember of
/// a connection, a request body to drop, it keeps in a channel attribute).
class HttpMetricsHandler : public ChannelInboundHandler {
 public:
  explicit HttpMetricsHandler(HttpMetricsConfig config = {});

  bool isSharable() const noexcept override { return true; }
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;

 private:
  HttpMetricsConfig config_;
};

}  // namespace sluice::http
