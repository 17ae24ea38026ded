// Cross-thread execute(): how many tasks per second another thread can hand to an event loop,
// through its multi-producer queue and one uv_async wake-up per batch.

#include <benchmark/benchmark.h>
#include <sluice/concurrent/DefaultEventExecutor.h>
#include <sluice/transport/UvEventLoop.h>

#include <atomic>

namespace {

template <typename Executor>
void runExecuteBenchmark(benchmark::State& state, Executor& executor) {
  const auto batch = static_cast<int>(state.range(0));
  std::atomic<long> ran{0};
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      executor.execute([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
    }
    executor.submit([] {}).sync();  // the batch has run
  }
  state.SetItemsProcessed(state.iterations() * batch);
  benchmark::DoNotOptimize(ran.load());
}

void BM_UvEventLoopExecuteCrossThread(benchmark::State& state) {
  sluice::UvEventLoop loop;
  runExecuteBenchmark(state, loop);
}
BENCHMARK(BM_UvEventLoopExecuteCrossThread)->Arg(1)->Arg(64)->Arg(1024)->UseRealTime();

void BM_DefaultEventExecutorExecuteCrossThread(benchmark::State& state) {
  sluice::DefaultEventExecutor executor;
  runExecuteBenchmark(state, executor);
}
BENCHMARK(BM_DefaultEventExecutorExecuteCrossThread)->Arg(1)->Arg(64)->Arg(1024)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
