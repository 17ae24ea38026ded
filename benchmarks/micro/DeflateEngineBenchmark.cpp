// The permessage-deflate engines side by side: zlib (streaming, with or without context
// takeover) and libdeflate (whole messages, no context takeover), compressing and inflating
// one message of JSON-like text at a time, 4 KiB and 64 KiB, at level 6 and window 15 (the
// defaults), plus zlib at the dedicated tiers' smaller windows. Reports the message's
// uncompressed bytes per second and the compressed size ("ratio" = compressed / original).
//
//   build/release/benchmarks/micro/DeflateEngineBenchmark

#include <benchmark/benchmark.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/websocket/DeflateEngine.h>

#include <cstdint>
#include <span>
#include <string>

namespace {

using namespace sluice;             // NOLINT: benchmark file
using namespace sluice::websocket;  // NOLINT: benchmark file

const std::string& jsonText(std::size_t size) {
  static std::string cache[2];
  std::string& s = cache[size > 4096 ? 1 : 0];
  if (s.size() != size) {
    s = "[";
    for (int i = 0; s.size() < size; ++i) {
      s += "{\"id\":" + std::to_string(i * 7919 % 100000) + ",\"name\":\"user" +
           std::to_string(i * 31 % 997) + "\",\"email\":\"user" + std::to_string(i) +
           "@example.com\",\"active\":" + (i % 3 == 0 ? "true" : "false") +
           ",\"score\":" + std::to_string(i * 13 % 1000) + "},";
    }
    s.resize(size);
  }
  return s;
}

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

MessageDeflaterConfig deflaterConfig(const benchmark::State& state) {
  return MessageDeflaterConfig{.windowBits = static_cast<int>(state.range(2)),
                               .memLevel = static_cast<int>(state.range(3)),
                               .noContextTakeover = state.range(1) != 0};
}

// range(0): message size; range(1): no context takeover; range(2): window; range(3): memLevel.
void deflateCase(benchmark::State& state, DeflateEngineKind kind) {
  const std::string& text = jsonText(static_cast<std::size_t>(state.range(0)));
  auto deflater = newMessageDeflater(deflaterConfig(state), kind);
  ByteBuf out = ByteBufAllocator::defaultAllocator().buffer(text.size());
  std::size_t compressed = 0;
  for (auto _ : state) {
    out.clear();
    deflater->deflate(bytes(text), out, true);
    compressed = out.readableBytes();
    benchmark::DoNotOptimize(out.memoryAddress());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["ratio"] = static_cast<double>(compressed) / static_cast<double>(text.size());
}

void inflateCase(benchmark::State& state, DeflateEngineKind kind) {
  const std::string& text = jsonText(static_cast<std::size_t>(state.range(0)));
  MessageDeflaterConfig dc = deflaterConfig(state);
  // With context takeover every message is inflated by the same stream, so the input is a
  // sequence of messages from one sender; without it, one message made once suffices.
  auto source = newMessageDeflater(dc, DeflateEngineKind::Zlib);
  auto inflater = newMessageInflater(
      {.windowBits = dc.windowBits, .noContextTakeover = dc.noContextTakeover}, kind);
  ByteBuf payload = ByteBufAllocator::defaultAllocator().buffer(text.size());
  ByteBuf out = ByteBufAllocator::defaultAllocator().buffer(text.size());
  source->deflate(bytes(text), payload, true);
  if (!dc.noContextTakeover) {
    // The stream's first message, so that later ones refer to a window the inflater has.
    if (inflater->inflate(payload.readableSpan(), out, true)) {
      state.SkipWithError("inflate failed");
      return;
    }
  }
  for (auto _ : state) {
    if (!dc.noContextTakeover) {
      state.PauseTiming();
      payload.clear();
      source->deflate(bytes(text), payload, true);
      state.ResumeTiming();
    }
    out.clear();
    if (inflater->inflate(payload.readableSpan(), out, true)) {
      state.SkipWithError("inflate failed");
      break;
    }
    benchmark::DoNotOptimize(out.memoryAddress());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_DeflateEngineZlibDeflate(benchmark::State& state) {
  deflateCase(state, DeflateEngineKind::Zlib);
}
void BM_DeflateEngineLibdeflateDeflate(benchmark::State& state) {
  deflateCase(state, DeflateEngineKind::Libdeflate);
}
void BM_DeflateEngineZlibInflate(benchmark::State& state) {
  inflateCase(state, DeflateEngineKind::Zlib);
}
void BM_DeflateEngineLibdeflateInflate(benchmark::State& state) {
  inflateCase(state, DeflateEngineKind::Libdeflate);
}

// {size, noContextTakeover, windowBits, memLevel}
void sharedArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"size", "noctx", "window", "mem"});
  b->Args({4096, 1, 15, 8})->Args({65536, 1, 15, 8});
}
void zlibArgs(benchmark::internal::Benchmark* b) {
  sharedArgs(b);
  for (const auto& [window, mem] : {std::pair{15, 8}, std::pair{12, 5}, std::pair{10, 3}}) {
    b->Args({4096, 0, window, mem})->Args({65536, 0, window, mem});
  }
}

BENCHMARK(BM_DeflateEngineZlibDeflate)->Apply(zlibArgs);
BENCHMARK(BM_DeflateEngineLibdeflateDeflate)->Apply(sharedArgs);
BENCHMARK(BM_DeflateEngineZlibInflate)->Apply(zlibArgs);
BENCHMARK(BM_DeflateEngineLibdeflateInflate)->Apply(sharedArgs);

}  // namespace

BENCHMARK_MAIN();
