// Message's type tests: the exact test (one compare) and the is-a test through declared
// supertypes, against dynamic_cast through the same hierarchy.

#include <benchmark/benchmark.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Message.h>

namespace {

struct Frame {
  virtual ~Frame() = default;
  int rsv = 0;
};
struct DataFrame : Frame {
  using MessageSupertypes = sluice::MessageSupertypes<DataFrame, Frame>;
};
struct TextFrame : DataFrame {
  using MessageSupertypes = sluice::MessageSupertypes<TextFrame, DataFrame>;
};
struct Unrelated {};

void BM_MessageIsExactly(benchmark::State& state) {
  sluice::Message msg = sluice::Unpooled::copiedBuffer("x");
  for (auto _ : state) {
    benchmark::DoNotOptimize(&msg);
    benchmark::DoNotOptimize(msg.isExactly<sluice::ByteBuf>());
  }
}
BENCHMARK(BM_MessageIsExactly);

void BM_MessageIsATwoLevelsUp(benchmark::State& state) {
  sluice::Message msg = TextFrame{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(&msg);
    benchmark::DoNotOptimize(msg.is<Frame>());
  }
}
BENCHMARK(BM_MessageIsATwoLevelsUp);

void BM_MessageIsAMiss(benchmark::State& state) {
  sluice::Message msg = TextFrame{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(&msg);
    benchmark::DoNotOptimize(msg.is<Unrelated>());
  }
}
BENCHMARK(BM_MessageIsAMiss);

void BM_DynamicCastTwoLevelsUp(benchmark::State& state) {
  TextFrame frame;
  Frame* base = &frame;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base);
    benchmark::DoNotOptimize(dynamic_cast<TextFrame*>(base));
  }
}
BENCHMARK(BM_DynamicCastTwoLevelsUp);

void BM_MessageMoveByteBuf(benchmark::State& state) {
  sluice::Message a = sluice::Unpooled::copiedBuffer("x");
  for (auto _ : state) {
    sluice::Message b = std::move(a);
    benchmark::DoNotOptimize(&b);
    a = std::move(b);
  }
}
BENCHMARK(BM_MessageMoveByteBuf);

}  // namespace

BENCHMARK_MAIN();
