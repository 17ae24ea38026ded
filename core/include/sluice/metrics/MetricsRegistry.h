#pragma once

#include <sluice/metrics/Counter.h>
#include <sluice/metrics/Gauge.h>
#include <sluice/metrics/Histogram.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

/// Label names and values of one series, e.g. {{"initiator", "peer"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { Counter, Gauge, Histogram };

/// "counter", "gauge" or "histogram", as Prometheus's `# TYPE` line spells them.
std::string_view toString(MetricType type) noexcept;

/// One series of a family, read by MetricsRegistry::collect().
struct MetricSample {
  MetricLabels labels;
  /// Counter and gauge value.
  double value = 0;
  /// Histogram buckets, count and sum.
  Histogram::Snapshot histogram;
};

/// A metric name with its help, type, bucket bounds (histograms) and series.
struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::Counter;
  std::vector<double> bounds;
  std::vector<MetricSample> samples;
};

/// Where metrics live: counters, gauges and histograms by name and labels (Prometheus's data
/// model), written lock-free from the loops and merged when read.
///
/// The framework feeds the process-wide registry, global(), with what every server wants to
/// see (connections, bytes, WebSocket frames and close codes, handshake failures, write
/// queues, pool memory, loop lag: docs/operations.md lists them all); an application adds its
/// own series to it the same way. Reading is collect(), or PrometheusTextFormat for a
/// /metrics endpoint (HttpMetricsHandler serves one).
///
/// Registering looks the series up under a mutex: do it once and keep the reference, which
/// stays valid as long as the registry. The same name and labels give the same series;
/// the same name with another type throws std::logic_error.
///
/// Process-wide state (DESIGN.md): global() and the enabled flag. Thread: any.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  /// The registry the framework feeds.
  static MetricsRegistry& global();

  /// Turns recording on or off for every registry (on by default). Off, an update costs one
  /// relaxed load and records nothing; values already recorded stay.
  static void setEnabled(bool enabled) noexcept;
  static bool isEnabled() noexcept;

  Counter& counter(std::string_view name, std::string_view help, MetricLabels labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, MetricLabels labels = {});
  /// `bounds` are used by the first registration of `name`; later ones share its buckets.
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       MetricLabels labels = {});

  /// Keeps a sampled gauge registered; unregisters it when destroyed. Movable.
  class Registration {
   public:
    Registration() noexcept = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&& other) noexcept;
    ~Registration();
    /// Unregisters now (idempotent).
    void reset() noexcept;

   private:
    friend class MetricsRegistry;
    Registration(MetricsRegistry* registry, std::uint64_t id) noexcept
        : registry_(registry), id_(id) {}
    MetricsRegistry* registry_ = nullptr;
    std::uint64_t id_ = 0;
  };

  /// A gauge whose value `sample()` reads when the registry is collected (pool memory, a task
  /// queue's depth). `sample` runs on the collecting thread, so it must be thread-safe; it is
  /// not called after the Registration is gone.
  [[nodiscard]] Registration gaugeCallback(std::string_view name, std::string_view help,
                                           MetricLabels labels, std::function<double()> sample);

  /// Every family, sorted by name, each series sorted by labels.
  std::vector<MetricFamily> collect() const;

 private:
  struct State;
  void unregister(std::uint64_t id) noexcept;
  std::unique_ptr<State> state_;
};

}  // namespace sluice
