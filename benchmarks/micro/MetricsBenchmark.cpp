// The cost of recording a metric on a hot path: a counter add, a gauge add and a histogram
// observation, enabled and disabled, from one thread and from several at once (each thread
// adds to its own shard, so the per-add cost should not grow with threads).

#include <benchmark/benchmark.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/metrics/PrometheusTextFormat.h>

namespace {

sluice::MetricsRegistry& registry() {
  static sluice::MetricsRegistry r;
  return r;
}

void BM_CounterInc(benchmark::State& state) {
  sluice::Counter& counter = registry().counter("bench_total", "Bench.");
  sluice::MetricsRegistry::setEnabled(state.range(0) != 0);
  for (auto _ : state) {
    counter.inc();
    benchmark::ClobberMemory();
  }
  sluice::MetricsRegistry::setEnabled(true);
  state.SetLabel(state.range(0) != 0 ? "enabled" : "disabled");
}
BENCHMARK(BM_CounterInc)->Arg(1)->Arg(0);
BENCHMARK(BM_CounterInc)->Arg(1)->Threads(2);

void BM_GaugeAdd(benchmark::State& state) {
  sluice::Gauge& gauge = registry().gauge("bench_bytes", "Bench.");
  for (auto _ : state) {
    gauge.add(64);
    gauge.add(-64);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_GaugeAdd);

void BM_HistogramObserve(benchmark::State& state) {
  sluice::Histogram& h =
      registry().histogram("bench_seconds", "Bench.", sluice::Histogram::latencyBuckets());
  double v = 0.0001;
  for (auto _ : state) {
    h.observe(v);
    v = v < 5 ? v * 1.5 : 0.0001;
  }
}
BENCHMARK(BM_HistogramObserve);

// What the framework's own metrics add to a write: each message through a channel's outbound
// buffer moves sluice_write_queue_bytes twice (queued, written). Enabled against disabled is
// the price of that gauge on the write path.
void BM_OutboundBufferWriteQueueGauge(benchmark::State& state) {
  sluice::MetricsRegistry::setEnabled(state.range(0) != 0);
  sluice::EmbeddedChannel ch;
  sluice::ByteBuf payload = sluice::Unpooled::copiedBuffer("0123456789abcdef");
  for (auto _ : state) {
    ch.writeAndFlush(payload.duplicate());
    benchmark::DoNotOptimize(ch.readOutbound());
  }
  sluice::MetricsRegistry::setEnabled(true);
  state.SetLabel(state.range(0) != 0 ? "enabled" : "disabled");
}
BENCHMARK(BM_OutboundBufferWriteQueueGauge)->Arg(1)->Arg(0);

// A scrape of a registry about the size the framework makes (~40 series).
void BM_PrometheusWrite(benchmark::State& state) {
  sluice::MetricsRegistry r;
  for (int i = 0; i < 30; ++i) {
    r.counter("bench_series_total", "Bench.", {{"i", std::to_string(i)}})
        .inc(static_cast<std::uint64_t>(i));
  }
  for (int i = 0; i < 4; ++i) {
    r.histogram("bench_lag_seconds", "Bench.", sluice::Histogram::latencyBuckets(),
                {{"loop", std::to_string(i)}})
        .observe(0.001 * static_cast<double>(i));
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(sluice::PrometheusTextFormat::write(r));
  }
}
BENCHMARK(BM_PrometheusWrite);

}  // namespace

BENCHMARK_MAIN();
