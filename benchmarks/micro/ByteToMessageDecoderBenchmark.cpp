// ByteToMessageDecoder cumulation: frames arriving whole in each read, and frames that
// straddle reads, with the Merge and Composite cumulators. Reads come from the pooled
// allocator, as a transport's would.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/LengthFieldBasedFrameDecoder.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace {

class CountingSink : public sluice::ChannelInboundHandler {
 public:
  std::int64_t frames = 0;
  void channelRead(sluice::ChannelHandlerContext&, sluice::Message msg) override {
    benchmark::DoNotOptimize(msg.get<sluice::ByteBuf>().readableBytes());
    ++frames;
  }
};

// 16 frames of `payload` bytes with a 4-byte length header, as one byte stream.
std::vector<std::uint8_t> makeStream(std::size_t payload) {
  std::vector<std::uint8_t> s;
  for (int i = 0; i < 16; ++i) {
    const auto n = static_cast<std::uint32_t>(payload);
    s.push_back(static_cast<std::uint8_t>(n >> 24));
    s.push_back(static_cast<std::uint8_t>(n >> 16));
    s.push_back(static_cast<std::uint8_t>(n >> 8));
    s.push_back(static_cast<std::uint8_t>(n));
    s.insert(s.end(), payload, static_cast<std::uint8_t>('a' + i));
  }
  return s;
}

// state.range(0): payload bytes; state.range(1): read size (0 = the whole stream at once).
void run(benchmark::State& state, sluice::Cumulator cumulator) {
  auto& alloc = sluice::PooledByteBufAllocator::defaultAllocator();
  const std::vector<std::uint8_t> stream = makeStream(static_cast<std::size_t>(state.range(0)));
  const std::size_t readSize =
      state.range(1) == 0 ? stream.size() : static_cast<std::size_t>(state.range(1));
  auto sink = std::make_unique<CountingSink>();
  CountingSink& counter = *sink;
  sluice::EmbeddedChannel ch(
      std::make_unique<sluice::LengthFieldBasedFrameDecoder>(
          sluice::LengthFieldBasedFrameDecoderConfig{.initialBytesToStrip = 4},
          sluice::ByteToMessageDecoderConfig{.cumulator = cumulator}),
      std::move(sink));
  for (auto _ : state) {
    for (std::size_t off = 0; off < stream.size(); off += readSize) {
      const std::size_t n = std::min(readSize, stream.size() - off);
      sluice::ByteBuf read = alloc.buffer(n);
      read.writeBytes(std::span<const std::uint8_t>(stream.data() + off, n));
      ch.pipeline().fireChannelRead(std::move(read));
    }
    ch.pipeline().fireChannelReadComplete();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
  state.SetItemsProcessed(counter.frames);
}

void BM_ByteToMessageDecoderMerge(benchmark::State& state) { run(state, sluice::Cumulator::Merge); }
void BM_ByteToMessageDecoderComposite(benchmark::State& state) {
  run(state, sluice::Cumulator::Composite);
}

// Whole stream per read (frames never straddle); 1 KiB reads (frames straddle often);
// 100-byte reads for 1 KiB frames (each frame spans ~11 reads).
#define SLUICE_CUMULATION_ARGS \
  Args({64, 0})->Args({64, 1024})->Args({1024, 0})->Args({1024, 1024})->Args({1024, 100})

BENCHMARK(BM_ByteToMessageDecoderMerge)->SLUICE_CUMULATION_ARGS;
BENCHMARK(BM_ByteToMessageDecoderComposite)->SLUICE_CUMULATION_ARGS;

}  // namespace

BENCHMARK_MAIN();
