// WebSocket frame codec costs: decoding masked client frames and encoding server frames at
// 32 B and 64 KiB, masking throughput, and UTF-8 validation of ASCII and multilingual text.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/Utf8Validator.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace sluice;             // NOLINT(google-build-using-namespace)
using namespace sluice::websocket;  // NOLINT(google-build-using-namespace)

// A masked client-to-server binary frame with an n-byte payload.
std::string maskedFrame(std::size_t n) {
  std::string f;
  f.push_back('\x82');
  if (n <= 125) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.push_back('\xFE');
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back('\xFF');
    for (int i = 7; i >= 0; --i) {
      f.push_back(static_cast<char>(n >> (8 * i)));
    }
  }
  const char key[4] = {0x37, static_cast<char>(0xFA), 0x21, 0x3D};
  f.append(key, 4);
  for (std::size_t i = 0; i < n; ++i) {
    f.push_back(static_cast<char>(static_cast<char>('a' + i % 26) ^ key[i % 4]));
  }
  return f;
}

// Drops every frame: the benchmark measures the decoder, not a queue.
class Sink : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext&, Message msg) override { benchmark::DoNotOptimize(msg); }
};

// One read holding `perRead` frames of `payload` bytes each, decoded per iteration.
void BM_WebSocketFrameDecode(benchmark::State& state) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  const std::size_t perRead = payload <= 64 ? 64 : 1;
  std::string wire;
  for (std::size_t i = 0; i < perRead; ++i) {
    wire += maskedFrame(payload);
  }
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>(), std::make_unique<Sink>());
  auto& alloc = PooledByteBufAllocator::defaultAllocator();
  for (auto _ : state) {
    ByteBuf in = alloc.buffer(wire.size());
    in.writeBytes(wire);
    ch.writeInbound(std::move(in));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(perRead));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(BM_WebSocketFrameDecode)->Arg(32)->Arg(65536);

// Encodes a server frame whose payload has headroom (the header is prepended, no copy).
void BM_WebSocketFrameEncode(benchmark::State& state) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  const bool masked = state.range(1) != 0;
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(masked));
  auto& alloc = PooledByteBufAllocator::defaultAllocator();
  const std::string text(payload, 'x');
  for (auto _ : state) {
    ByteBuf buf = alloc.bufferWithHeadroom(WebSocketFrame::kMaxHeaderSize, payload);
    buf.writeBytes(text);
    ch.writeOutbound(BinaryWebSocketFrame(std::move(buf)));
    ch.outboundMessages().clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload));
}
BENCHMARK(BM_WebSocketFrameEncode)
    ->Args({32, 0})
    ->Args({65536, 0})
    ->Args({32, 1})
    ->Args({65536, 1});

void BM_WebSocketMask(benchmark::State& state) {
  std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0x5A);
  for (auto _ : state) {
    WebSocketUtil::mask(data, 0x3D21FA37);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_WebSocketMask)->Arg(32)->Arg(65536);

std::string multilingual(std::size_t n) {
  const std::string piece =
      "Hello, world! \xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80 "
      "\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C \xCE\xBA\xCF\x8C\xCF\x83\xCE\xBC\xCE\xB5 "
      "\xF0\x9F\x98\x80 caf\xC3\xA9 ";
  std::string s;
  while (s.size() + piece.size() <= n) {
    s += piece;
  }
  return s;
}

void BM_WebSocketUtf8Validate(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::string text = state.range(1) == 0 ? std::string(n, 'a') : multilingual(n);
  for (auto _ : state) {
    Utf8Validator v;
    benchmark::DoNotOptimize(v.update(text));
    benchmark::DoNotOptimize(v.finish());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetLabel(state.range(1) == 0 ? "ascii" : "multilingual");
}
BENCHMARK(BM_WebSocketUtf8Validate)->Args({65536, 0})->Args({65536, 1})->Args({32, 0});

}  // namespace

BENCHMARK_MAIN();
