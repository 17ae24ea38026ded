#include <gtest/gtest.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sluice {
namespace {

const MetricFamily* find(const std::vector<MetricFamily>& families, std::string_view name) {
  for (const MetricFamily& f : families) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

TEST(MetricsRegistryTest, SameNameAndLabelsGiveTheSameSeries) {
  MetricsRegistry registry;
  Counter& a = registry.counter("requests_total", "Requests.", {{"method", "GET"}});
  Counter& b = registry.counter("requests_total", "Requests.", {{"method", "GET"}});
  Counter& c = registry.counter("requests_total", "Requests.", {{"method", "POST"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.inc();
  b.inc(2);
  c.inc();
  EXPECT_EQ(a.value(), 3u);
  EXPECT_EQ(c.value(), 1u);
}

TEST(MetricsRegistryTest, ANameKeepsItsType) {
  MetricsRegistry registry;
  registry.counter("things_total", "Things.");
  EXPECT_THROW(registry.gauge("things_total", "Things."), std::logic_error);
  EXPECT_THROW(registry.histogram("things_total", "Things.", {1, 2}), std::logic_error);
}

TEST(MetricsRegistryTest, RejectsNamesPrometheusCannotParse) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter("1st", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("a-b", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok", "x", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok", "x", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_NO_THROW(registry.counter("ns:sub_total", "x", {{"_l", "any \"value\"\n"}}));
}

TEST(MetricsRegistryTest, CountsFromManyThreadsSumOnRead) {
  MetricsRegistry registry;
  Counter& counter = registry.counter("adds_total", "Adds.");
  Gauge& gauge = registry.gauge("level", "Level.");
  constexpr int kThreads = 24;  // more than there are shards: shared shards still add up
  constexpr int kAdds = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAdds; ++i) {
        counter.inc();
        gauge.inc();
        if (i % 2 == 0) {
          gauge.dec();
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(counter.value(), std::uint64_t{kThreads} * kAdds);
  EXPECT_EQ(gauge.value(), std::int64_t{kThreads} * kAdds / 2);
}

TEST(MetricsRegistryTest, GaugeGoesBelowZeroAndBack) {
  MetricsRegistry registry;
  Gauge& gauge = registry.gauge("open", "Open.");
  gauge.dec();
  EXPECT_EQ(gauge.value(), -1);
  gauge.add(5);
  EXPECT_EQ(gauge.value(), 4);
}

TEST(MetricsRegistryTest, HistogramPutsValuesInTheFirstBucketThatHoldsThem) {
  MetricsRegistry registry;
  Histogram& h = registry.histogram("lag_seconds", "Lag.", {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0, 50.0}) {
    h.observe(v);
  }
  const Histogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.counts, (std::vector<std::uint64_t>{2, 2, 1, 2}));  // <=0.1, <=1, <=10, +Inf
  EXPECT_EQ(s.count, 7u);
  EXPECT_DOUBLE_EQ(s.sum, 0.05 + 0.1 + 0.5 + 1.0 + 5.0 + 100.0);
}

TEST(MetricsRegistryTest, HistogramBoundsMustAscend) {
  EXPECT_THROW(Histogram{std::vector<double>({1, 1})}, std::invalid_argument);
  EXPECT_THROW(Histogram{std::vector<double>({2, 1})}, std::invalid_argument);
  EXPECT_NO_THROW(Histogram{Histogram::latencyBuckets()});
  EXPECT_NO_THROW(Histogram{Histogram::sizeBuckets()});
}

TEST(MetricsRegistryTest, LaterHistogramSeriesShareTheFirstBounds) {
  MetricsRegistry registry;
  Histogram& a = registry.histogram("size_bytes", "Size.", {10, 100}, {{"dir", "in"}});
  Histogram& b = registry.histogram("size_bytes", "Size.", {1, 2, 3}, {{"dir", "out"}});
  EXPECT_EQ(a.bounds(), b.bounds());
}

TEST(MetricsRegistryTest, DisabledRecordsNothingAndKeepsWhatWasRecorded) {
  MetricsRegistry registry;
  Counter& counter = registry.counter("n_total", "N.");
  Histogram& h = registry.histogram("h", "H.", {1});
  counter.inc();
  MetricsRegistry::setEnabled(false);
  counter.inc(10);
  h.observe(0.5);
  const bool wasEnabled = MetricsRegistry::isEnabled();
  MetricsRegistry::setEnabled(true);
  EXPECT_FALSE(wasEnabled);
  EXPECT_EQ(counter.value(), 1u);
  EXPECT_EQ(h.snapshot().count, 0u);
  counter.inc();
  EXPECT_EQ(counter.value(), 2u);
}

TEST(MetricsRegistryTest, CallbackGaugesAreSampledUntilTheirRegistrationGoes) {
  MetricsRegistry registry;
  std::atomic<int> depth{7};
  int calls = 0;
  auto registration = registry.gaugeCallback("queue_depth", "Depth.", {{"loop", "0"}}, [&] {
    ++calls;
    return static_cast<double>(depth.load());
  });
  auto families = registry.collect();
  const MetricFamily* family = find(families, "queue_depth");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, MetricType::Gauge);
  ASSERT_EQ(family->samples.size(), 1u);
  EXPECT_EQ(family->samples[0].value, 7);
  EXPECT_EQ(family->samples[0].labels, (MetricLabels{{"loop", "0"}}));

  MetricsRegistry::Registration moved = std::move(registration);
  depth = 9;
  families = registry.collect();
  EXPECT_EQ(find(families, "queue_depth")->samples[0].value, 9);
  moved.reset();
  EXPECT_EQ(find(registry.collect(), "queue_depth"), nullptr);
  EXPECT_EQ(calls, 2);
}

TEST(MetricsRegistryTest, CollectSortsFamiliesByNameAndSeriesByLabels) {
  MetricsRegistry registry;
  registry.counter("b_total", "B.", {{"k", "z"}}).inc();
  registry.counter("b_total", "B.", {{"k", "a"}}).inc(2);
  registry.gauge("a", "A.").inc();
  const auto families = registry.collect();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "a");
  EXPECT_EQ(families[1].name, "b_total");
  ASSERT_EQ(families[1].samples.size(), 2u);
  EXPECT_EQ(families[1].samples[0].labels[0].second, "a");
  EXPECT_EQ(families[1].samples[0].value, 2);
}

TEST(MetricsRegistryTest, GlobalIsOneRegistry) {
  EXPECT_EQ(&MetricsRegistry::global(), &MetricsRegistry::global());
}

}  // namespace
}  // namespace sluice
