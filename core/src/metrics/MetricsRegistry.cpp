#include <fmt/format.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <variant>

namespace sluice {
namespace {

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

// Prometheus's data model: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]*, and label names starting "__" are reserved.
void checkName(std::string_view name, bool metric) {
  bool ok = !name.empty() && (isNameStart(name[0]) || (metric && name[0] == ':'));
  for (std::size_t i = 1; ok && i < name.size(); ++i) {
    ok = isNameChar(name[i]) || (metric && name[i] == ':');
  }
  if (!ok || (!metric && name.starts_with("__"))) {
    throw std::invalid_argument(
        fmt::format("invalid {} name '{}'", metric ? "metric" : "label", name));
  }
}

struct Callback {
  MetricLabels labels;
  std::function<double()> sample;
};

struct Family {
  std::string help;
  MetricType type;
  std::vector<double> bounds;
  // Series are never removed: references handed out stay valid as long as the registry.
  std::map<MetricLabels, std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
                                      std::unique_ptr<Histogram>>>
      series;
  std::map<std::uint64_t, Callback> callbacks;
};

}  // namespace

std::string_view toString(MetricType type) noexcept {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
  }
  return "untyped";
}

struct MetricsRegistry::State {
  mutable std::mutex mutex;
  std::map<std::string, Family, std::less<>> families;
  std::map<std::uint64_t, std::string> callbackFamilies;
  std::uint64_t nextId = 1;

  Family& family(std::string_view name, std::string_view help, MetricType type,
                 const MetricLabels& labels) {
    auto it = families.find(name);
    if (it == families.end()) {
      checkName(name, true);
      it = families.emplace(std::string(name), Family{std::string(help), type, {}, {}, {}}).first;
    } else if (it->second.type != type) {
      throw std::logic_error(fmt::format("metric {} is a {}, not a {}", name,
                                         toString(it->second.type), toString(type)));
    }
    for (const auto& [label, value] : labels) {
      checkName(label, false);
    }
    return it->second;
  }
};

MetricsRegistry::MetricsRegistry() : state_(std::make_unique<State>()) {}
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry& MetricsRegistry::global() {
  // Never destroyed: loops and their channels may still count while the process exits.
  static auto* registry = new MetricsRegistry;
  return *registry;
}

void MetricsRegistry::setEnabled(bool enabled) noexcept {
  detail::gMetricsEnabled.store(enabled, std::memory_order_relaxed);
}

bool MetricsRegistry::isEnabled() noexcept { return detail::metricsEnabled(); }

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  MetricLabels labels) {
  std::lock_guard lock(state_->mutex);
  Family& f = state_->family(name, help, MetricType::Counter, labels);
  auto it = f.series.find(labels);
  if (it == f.series.end()) {
    it = f.series.emplace(std::move(labels), std::make_unique<Counter>()).first;
  }
  return *std::get<0>(it->second);
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, MetricLabels labels) {
  std::lock_guard lock(state_->mutex);
  Family& f = state_->family(name, help, MetricType::Gauge, labels);
  auto it = f.series.find(labels);
  if (it == f.series.end()) {
    it = f.series.emplace(std::move(labels), std::make_unique<Gauge>()).first;
  }
  return *std::get<1>(it->second);
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::vector<double> bounds, MetricLabels labels) {
  std::lock_guard lock(state_->mutex);
  Family& f = state_->family(name, help, MetricType::Histogram, labels);
  if (f.series.empty() && f.bounds.empty()) {
    f.bounds = std::move(bounds);
  }
  auto it = f.series.find(labels);
  if (it == f.series.end()) {
    it = f.series.emplace(std::move(labels), std::make_unique<Histogram>(f.bounds)).first;
  }
  return *std::get<2>(it->second);
}

MetricsRegistry::Registration MetricsRegistry::gaugeCallback(std::string_view name,
                                                             std::string_view help,
                                                             MetricLabels labels,
                                                             std::function<double()> sample) {
  std::lock_guard lock(state_->mutex);
  Family& f = state_->family(name, help, MetricType::Gauge, labels);
  const std::uint64_t id = state_->nextId++;
  f.callbacks.emplace(id, Callback{std::move(labels), std::move(sample)});
  state_->callbackFamilies.emplace(id, std::string(name));
  return Registration(this, id);
}

void MetricsRegistry::unregister(std::uint64_t id) noexcept {
  std::lock_guard lock(state_->mutex);
  auto it = state_->callbackFamilies.find(id);
  if (it == state_->callbackFamilies.end()) {
    return;
  }
  auto family = state_->families.find(it->second);
  if (family != state_->families.end()) {
    family->second.callbacks.erase(id);
  }
  state_->callbackFamilies.erase(it);
}

std::vector<MetricFamily> MetricsRegistry::collect() const {
  std::vector<MetricFamily> out;
  // Callbacks run under the lock, so none runs once its Registration is gone.
  std::lock_guard lock(state_->mutex);
  out.reserve(state_->families.size());
  for (const auto& [name, f] : state_->families) {
    MetricFamily family{name, f.help, f.type, f.bounds, {}};
    for (const auto& [labels, series] : f.series) {
      MetricSample sample{labels, 0, {}};
      if (const auto* c = std::get_if<0>(&series)) {
        sample.value = static_cast<double>((*c)->value());
      } else if (const auto* g = std::get_if<1>(&series)) {
        sample.value = static_cast<double>((*g)->value());
      } else {
        sample.histogram = std::get<2>(series)->snapshot();
      }
      family.samples.push_back(std::move(sample));
    }
    for (const auto& [id, callback] : f.callbacks) {
      family.samples.push_back(MetricSample{callback.labels, callback.sample(), {}});
    }
    std::stable_sort(
        family.samples.begin(), family.samples.end(),
        [](const MetricSample& a, const MetricSample& b) { return a.labels < b.labels; });
    if (!family.samples.empty()) {
      out.push_back(std::move(family));
    }
  }
  return out;
}

// ---- Registration ----------------------------------------------------------------------------

MetricsRegistry::Registration::Registration(Registration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(std::exchange(other.id_, 0)) {}

MetricsRegistry::Registration& MetricsRegistry::Registration::operator=(
    Registration&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

MetricsRegistry::Registration::~Registration() { reset(); }

void MetricsRegistry::Registration::reset() noexcept {
  if (registry_ != nullptr) {
    std::exchange(registry_, nullptr)->unregister(id_);
  }
}

}  // namespace sluice
