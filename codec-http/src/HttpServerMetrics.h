#pragma once

#include <sluice/http/HttpMethod.h>
#include <sluice/http/HttpResponseStatus.h>
#include <sluice/metrics/Counter.h>

#include <array>

namespace sluice::http::detail {

/// The HTTP server's series in MetricsRegistry::global(): sluice_http_requests_total{method}
/// (the nine standard methods, "other" for extension methods) and
/// sluice_http_responses_total{class} ("1xx".."5xx"), looked up once so that the codec only
/// adds. Thread: any.
class HttpServerMetrics {
 public:
  static HttpServerMetrics& get();

  /// Counts a request passed on.
  void countRequest(const HttpMethod& method) noexcept;
  /// Counts a response (interim ones too) as it starts.
  void countResponse(const HttpResponseStatus& status) noexcept;

 private:
  HttpServerMetrics();

  std::array<Counter*, 10> requests_{};  // the standard methods in HttpMethod's order, other
  std::array<Counter*, 6> responses_{};  // HttpStatusClass order; the last one is "other"
};

}  // namespace sluice::http::detail
