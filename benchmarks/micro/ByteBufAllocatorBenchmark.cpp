// Allocating and releasing one buffer: the pooled allocator against the unpooled one and
// against a bare malloc/free of the same size, in one run so that the figures compare.
//
// Bars (docs/performance.md): pooled at least 2x faster than unpooled at every size, and no
// slower than malloc/free.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>

#include <cstdlib>

namespace sluice {
namespace {

// Each iteration allocates one buffer of state.range(0) bytes and releases it (the handle
// goes out of scope). DoNotOptimize on the memory keeps the allocation observable.
void allocateAndRelease(benchmark::State& state, ByteBufAllocator& alloc) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    ByteBuf buf = alloc.buffer(size);
    benchmark::DoNotOptimize(buf.memoryAddress());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ByteBufAllocatorPooled(benchmark::State& state) {
  allocateAndRelease(state, PooledByteBufAllocator::defaultAllocator());
}

void BM_ByteBufAllocatorUnpooled(benchmark::State& state) {
  allocateAndRelease(state, UnpooledByteBufAllocator::defaultAllocator());
}

// The baseline: the C library's allocator, same size, nothing else.
void BM_ByteBufAllocatorMalloc(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ByteBufAllocatorPooled)->Arg(64)->Arg(1024)->Arg(16384);
BENCHMARK(BM_ByteBufAllocatorUnpooled)->Arg(64)->Arg(1024)->Arg(16384);
BENCHMARK(BM_ByteBufAllocatorMalloc)->Arg(64)->Arg(1024)->Arg(16384);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
