#include "HttpServerMetrics.h"

#include <sluice/metrics/MetricsRegistry.h>

#include <string>

namespace sluice::http::detail {
namespace {

const HttpMethod* const kMethods[] = {
    &HttpMethod::kGet,     &HttpMethod::kHead,   &HttpMethod::kPost,
    &HttpMethod::kPut,     &HttpMethod::kDelete, &HttpMethod::kConnect,
    &HttpMethod::kOptions, &HttpMethod::kTrace,  &HttpMethod::kPatch,
};
constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

}  // namespace

HttpServerMetrics& HttpServerMetrics::get() {
  static HttpServerMetrics metrics;
  return metrics;
}

HttpServerMetrics::HttpServerMetrics() {
  MetricsRegistry& r = MetricsRegistry::global();
  constexpr std::string_view kRequestsHelp = "HTTP requests received by servers, by method.";
  for (std::size_t i = 0; i < std::size(kMethods); ++i) {
    requests_[i] = &r.counter("sluice_http_requests_total", kRequestsHelp,
                              {{"method", std::string(kMethods[i]->name())}});
  }
  requests_.back() = &r.counter("sluice_http_requests_total", kRequestsHelp, {{"method", "other"}});
  for (std::size_t i = 0; i < responses_.size(); ++i) {
    responses_[i] = &r.counter("sluice_http_responses_total",
                               "HTTP responses sent by servers, by status class.",
                               {{"class", std::string(kClasses[i])}});
  }
}

void HttpServerMetrics::countRequest(const HttpMethod& method) noexcept {
  for (std::size_t i = 0; i < std::size(kMethods); ++i) {
    if (method == *kMethods[i]) {
      requests_[i]->inc();
      return;
    }
  }
  requests_.back()->inc();
}

void HttpServerMetrics::countResponse(const HttpResponseStatus& status) noexcept {
  const auto index = static_cast<std::size_t>(status.codeClass());
  responses_[index < responses_.size() ? index : responses_.size() - 1]->inc();
}

}  // namespace sluice::http::detail
