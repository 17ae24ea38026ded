#include <gtest/gtest.h>
#include <sluice/metrics/PrometheusTextFormat.h>

#include <cmath>

namespace sluice {
namespace {

TEST(PrometheusTextFormatTest, WritesHelpTypeAndOneLinePerSeries) {
  MetricsRegistry registry;
  registry.counter("sluice_x_total", "Things done.", {{"kind", "a"}}).inc(3);
  registry.counter("sluice_x_total", "Things done.", {{"kind", "b"}});
  registry.gauge("sluice_open", "Open now.").add(-2);
  EXPECT_EQ(PrometheusTextFormat::write(registry),
            "# HELP sluice_open Open now.\n"
            "# TYPE sluice_open gauge\n"
            "sluice_open -2\n"
            "# HELP sluice_x_total Things done.\n"
            "# TYPE sluice_x_total counter\n"
            "sluice_x_total{kind=\"a\"} 3\n"
            "sluice_x_total{kind=\"b\"} 0\n");
}

TEST(PrometheusTextFormatTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricsRegistry registry;
  Histogram& h = registry.histogram("lag_seconds", "Loop lag.", {0.001, 0.5}, {{"loop", "0"}});
  h.observe(0.0005);
  h.observe(0.25);
  h.observe(3);
  EXPECT_EQ(PrometheusTextFormat::write(registry),
            "# HELP lag_seconds Loop lag.\n"
            "# TYPE lag_seconds histogram\n"
            "lag_seconds_bucket{loop=\"0\",le=\"0.001\"} 1\n"
            "lag_seconds_bucket{loop=\"0\",le=\"0.5\"} 2\n"
            "lag_seconds_bucket{loop=\"0\",le=\"+Inf\"} 3\n"
            "lag_seconds_sum{loop=\"0\"} 3.2505\n"
            "lag_seconds_count{loop=\"0\"} 3\n");
}

TEST(PrometheusTextFormatTest, EscapesHelpAndLabelValues) {
  MetricsRegistry registry;
  registry.counter("c_total", "a \\ b\nc \"q\"", {{"v", "x\\y\n\"z\""}}).inc();
  EXPECT_EQ(PrometheusTextFormat::write(registry),
            "# HELP c_total a \\\\ b\\nc \"q\"\n"
            "# TYPE c_total counter\n"
            "c_total{v=\"x\\\\y\\n\\\"z\\\"\"} 1\n");
}

TEST(PrometheusTextFormatTest, WritesSpecialAndFractionalValues) {
  MetricsRegistry registry;
  auto nan = registry.gaugeCallback("g_nan", "n", {}, [] { return std::nan(""); });
  auto inf = registry.gaugeCallback("g_inf", "i", {}, [] { return -INFINITY; });
  auto frac = registry.gaugeCallback("g_ratio", "r", {}, [] { return 0.875; });
  const std::string text = PrometheusTextFormat::write(registry);
  EXPECT_NE(text.find("g_nan NaN\n"), std::string::npos);
  EXPECT_NE(text.find("g_inf -Inf\n"), std::string::npos);
  EXPECT_NE(text.find("g_ratio 0.875\n"), std::string::npos);
}

TEST(PrometheusTextFormatTest, EmptyRegistryWritesNothing) {
  MetricsRegistry registry;
  EXPECT_EQ(PrometheusTextFormat::write(registry), "");
}

}  // namespace
}  // namespace sluice
