#pragma once

#include <sluice/metrics/MetricsRegistry.h>

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// Prometheus's text exposition format, version 0.0.4: `# HELP`, `# TYPE`, one line per
/// series, histograms as cumulative `_bucket{le=...}`, `_sum` and `_count`; label values and
/// help escaped as the format says.
class PrometheusTextFormat {
 public:
  /// The Content-Type a /metrics response carries.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  static std::string write(const std::vector<MetricFamily>& families);
  static std::string write(const MetricsRegistry& registry) { return write(registry.collect()); }
};

}  // namespace sluice
