// The memory one permessage-deflate connection costs under each tier. For each tier, 1,000
// server connections are set up on EmbeddedChannels through the classic pipeline
// (HttpServerCodec, HttpObjectAggregator, WebSocketServerCompressionHandler,
// WebSocketServerProtocolHandler, an echo handler), each upgraded with the offer
// "permessage-deflate; client_max_window_bits", each receiving one 4 KiB compressed JSON
// message and echoing it (so every window and table a tier keeps is allocated). Reported
// per connection, after the message, while the connections stay open:
//   heap_per_conn   malloc'd bytes in use (glibc mallinfo2: zlib's state, handlers, frames)
//   pool_per_conn   pooled ByteBuf bytes in use (the default allocator's usedBytes)
//   rss_per_conn    growth of the resident set
//   pmd_per_conn    heap_per_conn minus the same pipeline without permessage-deflate
// The "none" row is the baseline: the same connections with no extension offered.
//
//   build/release/benchmarks/micro/PerMessageDeflateMemoryBenchmark

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace sluice;             // NOLINT: benchmark file
using namespace sluice::websocket;  // NOLINT: benchmark file

constexpr std::size_t kConnections = 1000;

class Echo : public SimpleChannelInboundHandler<TextWebSocketFrame> {
 protected:
  void channelRead0(ChannelHandlerContext& ctx, TextWebSocketFrame& frame) override {
    ctx.writeAndFlush(TextWebSocketFrame(std::move(frame.content())));
  }
};

std::string jsonText(std::size_t size) {
  std::string s = "[";
  for (int i = 0; s.size() < size; ++i) {
    s += "{\"id\":" + std::to_string(i * 7919 % 100000) + ",\"name\":\"user" +
         std::to_string(i * 31 % 997) + "\",\"active\":" + (i % 3 == 0 ? "true" : "false") + "},";
  }
  s.resize(size);
  return s;
}

// A masked frame (key 0: the payload unchanged) with RSV1 when compressed.
std::string clientFrame(const std::string& payload, bool compressed) {
  std::string f;
  f.push_back(static_cast<char>(compressed ? 0xC1 : 0x81));
  if (payload.size() <= 125) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size()));
  }
  f.append(4, '\0');
  return f + payload;
}

std::size_t heapInUse() { return mallinfo2().uordblks; }

std::size_t rssBytes() {
  long pages = 0;
  long resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) {
      resident = 0;
    }
    std::fclose(f);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

struct Tier {
  const char* name;
  bool offer;
  PerMessageDeflateServerConfig config;
  int clientWindow;  // what the client compresses with under this tier's answer
};

const std::vector<Tier>& tiers() {
  static const std::vector<Tier> t = {
      {"none", false, {}, 15},
      {"shared", true, PerMessageDeflateServerConfig::sharedTier(), 15},
      {"dedicated", true, PerMessageDeflateServerConfig::dedicatedTier(), 15},
      {"dedicated-small", true, PerMessageDeflateServerConfig::dedicatedSmallTier(), 12},
      {"dedicated-tiny", true, PerMessageDeflateServerConfig::dedicatedTinyTier(), 10},
  };
  return t;
}

std::size_t noneHeapPerConnection = 0;

void BM_PerMessageDeflateMemory(benchmark::State& state) {
  const Tier& tier = tiers()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(tier.name);
  const std::string request =
      std::string(
          "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n") +
      (tier.offer ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                  : "") +
      "\r\n";
  const std::string text = jsonText(4096);
  std::string payload = text;
  if (tier.offer) {
    auto deflater = newMessageDeflater({.windowBits = tier.clientWindow}, DeflateEngineKind::Zlib);
    ByteBuf out = ByteBufAllocator::defaultAllocator().buffer(text.size());
    deflater->deflate({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, out, true);
    payload = out.toString();
  }
  const std::string frame = clientFrame(payload, tier.offer);
  for (auto _ : state) {
    malloc_trim(0);
    const std::size_t heapBefore = heapInUse();
    const std::size_t poolBefore = ByteBufAllocator::defaultAllocator().metrics().usedBytes;
    const std::size_t rssBefore = rssBytes();
    std::vector<std::unique_ptr<EmbeddedChannel>> connections;
    connections.reserve(kConnections);
    for (std::size_t i = 0; i < kConnections; ++i) {
      auto ch = std::make_unique<EmbeddedChannel>(
          std::make_unique<http::HttpServerCodec>(),
          std::make_unique<http::HttpObjectAggregator>(65536),
          std::make_unique<WebSocketServerCompressionHandler>(tier.config),
          std::make_unique<WebSocketServerProtocolHandler>("/ws"), std::make_unique<Echo>());
      ch->writeInbound(Unpooled::copiedBuffer(request));
      ch->writeInbound(Unpooled::copiedBuffer(frame));
      while (Message m = ch->readOutbound()) {
      }
      connections.push_back(std::move(ch));
    }
    const double heap = static_cast<double>(heapInUse() - heapBefore) / kConnections;
    const double pool =
        static_cast<double>(ByteBufAllocator::defaultAllocator().metrics().usedBytes - poolBefore) /
        kConnections;
    const double rss = static_cast<double>(rssBytes() - rssBefore) / kConnections;
    if (std::strcmp(tier.name, "none") == 0) {
      noneHeapPerConnection = static_cast<std::size_t>(heap);
    }
    state.counters["heap_per_conn"] = heap;
    state.counters["pool_per_conn"] = pool;
    state.counters["rss_per_conn"] = rss;
    state.counters["pmd_per_conn"] = heap - static_cast<double>(noneHeapPerConnection);
    for (auto& ch : connections) {
      ch->finishAndReleaseAll();
    }
  }
}

BENCHMARK(BM_PerMessageDeflateMemory)
    ->DenseRange(0, 4)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
