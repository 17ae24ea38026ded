// ByteBuf's accessors against the loop a programmer writes by hand over a raw pointer: the
// same values, the same byte order, the same amount of memory, with no bounds checks and no
// indices kept in an object.
//
// Bar (docs/performance.md): each ByteBuf case within 1.5x of its raw-pointer twin.
//
// Every case writes or reads a 4 KiB message per iteration. Writes end with ClobberMemory so
// the stores must happen; reads feed a checksum that goes to DoNotOptimize, so the loads
// must happen. The values come from an array the compiler cannot see through, so nothing is
// folded into constants.
//
// The raw loops are kept scalar: the bar compares one checked access through a ByteBuf with
// one unchecked access through a pointer. Left alone, GCC turns the raw byte-copy loop into a
// memcpy call and the byte checksum into SIMD code, which measures the vectoriser, not an
// accessor. (A ByteBuf loop cannot be vectorised either way: each access checks its bounds.)
// Bulk copies are compared separately: writeBytes against memcpy.
//
// ByteBufWriter runs (one capacity check for a whole run of writes) are measured beside the
// per-call accessors, kept scalar like the raw loops so the comparison is store for store.

#include <benchmark/benchmark.h>
#include <sluice/buffer/ByteBufWriter.h>
#include <sluice/buffer/PooledByteBufAllocator.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__clang__)
#define SLUICE_SCALAR_FUNCTION
#define SLUICE_SCALAR_LOOP _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define SLUICE_SCALAR_FUNCTION \
  __attribute__((optimize("no-tree-vectorize", "no-tree-loop-distribute-patterns")))
#define SLUICE_SCALAR_LOOP
#endif

namespace sluice {
namespace {

constexpr std::size_t kMessageBytes = 4096;
constexpr std::size_t kInts = kMessageBytes / sizeof(std::uint32_t);

// Values to write, opaque to the optimizer.
std::vector<std::uint32_t> makeValues() {
  std::vector<std::uint32_t> values(kInts);
  std::uint32_t x = 0x9E3779B9U;
  for (auto& v : values) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v = x;
  }
  benchmark::DoNotOptimize(values.data());
  return values;
}

ByteBuf newMessageBuffer() {
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(kMessageBytes, kMessageBytes);
  buf.writeZero(kMessageBytes);
  return buf;
}

void setCounters(benchmark::State& state, std::size_t opsPerIteration) {
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kMessageBytes));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(opsPerIteration));
}

// ---- writeInt: 1024 big-endian 32-bit integers ----------------------------------------

void BM_ByteBufWriteInt(benchmark::State& state) {
  const auto values = makeValues();
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.clear();
    for (std::uint32_t v : values) {
      buf.writeInt(v);
    }
    benchmark::DoNotOptimize(buf.memoryAddress());
    benchmark::ClobberMemory();
  }
  setCounters(state, kInts);
}

SLUICE_SCALAR_FUNCTION void BM_RawPointerWriteInt(benchmark::State& state) {
  const auto values = makeValues();
  std::vector<std::uint8_t> memory(kMessageBytes);
  for (auto _ : state) {
    std::uint8_t* p = memory.data();
    benchmark::DoNotOptimize(p);
    SLUICE_SCALAR_LOOP
    for (std::uint32_t v : values) {
      const std::uint32_t be = __builtin_bswap32(v);
      std::memcpy(p, &be, sizeof(be));
      p += sizeof(be);
    }
    benchmark::ClobberMemory();
  }
  setCounters(state, kInts);
}

SLUICE_SCALAR_FUNCTION void BM_ByteBufWriterWriteInt(benchmark::State& state) {
  const auto values = makeValues();
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.clear();
    {
      ByteBufWriter out(buf, kMessageBytes);
      SLUICE_SCALAR_LOOP
      for (std::uint32_t v : values) {
        out.writeInt(v);
      }
    }
    benchmark::DoNotOptimize(buf.memoryAddress());
    benchmark::ClobberMemory();
  }
  setCounters(state, kInts);
}

// ---- readInt: 1024 big-endian 32-bit integers into a checksum ------------------------

void BM_ByteBufReadInt(benchmark::State& state) {
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.readerIndex(0);
    std::uint32_t sum = 0;
    while (buf.isReadable(sizeof(std::uint32_t))) {
      sum += buf.readUnsignedInt();
    }
    benchmark::DoNotOptimize(sum);
  }
  setCounters(state, kInts);
}

SLUICE_SCALAR_FUNCTION void BM_RawPointerReadInt(benchmark::State& state) {
  std::vector<std::uint8_t> memory(kMessageBytes);
  for (auto _ : state) {
    const std::uint8_t* p = memory.data();
    benchmark::DoNotOptimize(p);
    const std::uint8_t* end = p + kMessageBytes;
    std::uint32_t sum = 0;
    SLUICE_SCALAR_LOOP
    for (; p + sizeof(std::uint32_t) <= end; p += sizeof(std::uint32_t)) {
      std::uint32_t v;
      std::memcpy(&v, p, sizeof(v));
      sum += __builtin_bswap32(v);
    }
    benchmark::DoNotOptimize(sum);
  }
  setCounters(state, kInts);
}

// ---- writeByte / readByte: 4096 single bytes -----------------------------------------

void BM_ByteBufWriteByte(benchmark::State& state) {
  const auto values = makeValues();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.clear();
    for (std::size_t i = 0; i < kMessageBytes; ++i) {
      buf.writeByte(bytes[i]);
    }
    benchmark::DoNotOptimize(buf.memoryAddress());
    benchmark::ClobberMemory();
  }
  setCounters(state, kMessageBytes);
}

SLUICE_SCALAR_FUNCTION void BM_RawPointerWriteByte(benchmark::State& state) {
  const auto values = makeValues();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  std::vector<std::uint8_t> memory(kMessageBytes);
  for (auto _ : state) {
    std::uint8_t* p = memory.data();
    benchmark::DoNotOptimize(p);
    SLUICE_SCALAR_LOOP
    for (std::size_t i = 0; i < kMessageBytes; ++i) {
      *p++ = bytes[i];
    }
    benchmark::ClobberMemory();
  }
  setCounters(state, kMessageBytes);
}

SLUICE_SCALAR_FUNCTION void BM_ByteBufWriterWriteByte(benchmark::State& state) {
  const auto values = makeValues();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.clear();
    {
      ByteBufWriter out(buf, kMessageBytes);
      SLUICE_SCALAR_LOOP
      for (std::size_t i = 0; i < kMessageBytes; ++i) {
        out.writeByte(bytes[i]);
      }
    }
    benchmark::DoNotOptimize(buf.memoryAddress());
    benchmark::ClobberMemory();
  }
  setCounters(state, kMessageBytes);
}

void BM_ByteBufReadByte(benchmark::State& state) {
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.readerIndex(0);
    std::uint32_t sum = 0;
    while (buf.isReadable()) {
      sum += buf.readUnsignedByte();
    }
    benchmark::DoNotOptimize(sum);
  }
  setCounters(state, kMessageBytes);
}

SLUICE_SCALAR_FUNCTION void BM_RawPointerReadByte(benchmark::State& state) {
  std::vector<std::uint8_t> memory(kMessageBytes);
  for (auto _ : state) {
    const std::uint8_t* p = memory.data();
    benchmark::DoNotOptimize(p);
    const std::uint8_t* end = p + kMessageBytes;
    std::uint32_t sum = 0;
    SLUICE_SCALAR_LOOP
    while (p != end) {
      sum += *p++;
    }
    benchmark::DoNotOptimize(sum);
  }
  setCounters(state, kMessageBytes);
}

// ---- writeBytes: a 4 KiB message in 64-byte pieces -----------------------------------

constexpr std::size_t kPiece = 64;

void BM_ByteBufWriteBytes(benchmark::State& state) {
  const auto values = makeValues();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  ByteBuf buf = newMessageBuffer();
  for (auto _ : state) {
    buf.clear();
    for (std::size_t i = 0; i < kMessageBytes; i += kPiece) {
      buf.writeBytes(std::span<const std::uint8_t>(bytes + i, kPiece));
    }
    benchmark::DoNotOptimize(buf.memoryAddress());
    benchmark::ClobberMemory();
  }
  setCounters(state, kMessageBytes / kPiece);
}

void BM_RawPointerWriteBytes(benchmark::State& state) {
  const auto values = makeValues();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  std::vector<std::uint8_t> memory(kMessageBytes);
  for (auto _ : state) {
    std::uint8_t* p = memory.data();
    benchmark::DoNotOptimize(p);
    for (std::size_t i = 0; i < kMessageBytes; i += kPiece) {
      std::memcpy(p, bytes + i, kPiece);
      p += kPiece;
    }
    benchmark::ClobberMemory();
  }
  setCounters(state, kMessageBytes / kPiece);
}

BENCHMARK(BM_ByteBufWriteInt);
BENCHMARK(BM_ByteBufWriterWriteInt);
BENCHMARK(BM_RawPointerWriteInt);
BENCHMARK(BM_ByteBufReadInt);
BENCHMARK(BM_RawPointerReadInt);
BENCHMARK(BM_ByteBufWriteByte);
BENCHMARK(BM_ByteBufWriterWriteByte);
BENCHMARK(BM_RawPointerWriteByte);
BENCHMARK(BM_ByteBufReadByte);
BENCHMARK(BM_RawPointerReadByte);
BENCHMARK(BM_ByteBufWriteBytes);
BENCHMARK(BM_RawPointerWriteBytes);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
