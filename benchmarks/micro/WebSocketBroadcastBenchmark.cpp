// Broadcasting one 4 KiB JSON-like text message to 1,000 permessage-deflate connections
// (the shared tier: no context takeover, so one compressed frame can serve them all):
//   CompressOnce  WebSocketBroadcast: compressed once, the frame shared by every member
//   PerMember     the same ChannelGroup, each member handed a TextWebSocketFrame that its own
//                 PerMessageDeflateEncoder compresses (what a broadcast costs without it)
//   Plain         no extension: one encoded frame shared (the floor)
// Each connection is the classic server pipeline on an EmbeddedChannel (no sockets); what the
// members wrote is drained outside the timed region.
//
//   build/release/benchmarks/micro/WebSocketBroadcastBenchmark

#include <benchmark/benchmark.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketBroadcast.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace sluice;             // NOLINT: benchmark file
using namespace sluice::websocket;  // NOLINT: benchmark file

constexpr std::size_t kMembers = 1000;

std::string jsonText(std::size_t size) {
  std::string s = "[";
  for (int i = 0; s.size() < size; ++i) {
    s += "{\"id\":" + std::to_string(i * 7919 % 100000) + ",\"name\":\"user" +
         std::to_string(i * 31 % 997) + "\",\"active\":" + (i % 3 == 0 ? "true" : "false") + "},";
  }
  s.resize(size);
  return s;
}

struct Room {
  std::vector<std::shared_ptr<EmbeddedChannel>> members;
  ChannelGroup group;

  explicit Room(bool deflate) {
    const std::string request =
        std::string(
            "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n") +
        (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n";
    for (std::size_t i = 0; i < kMembers; ++i) {
      auto ch = std::make_shared<EmbeddedChannel>(
          std::make_unique<http::HttpServerCodec>(),
          std::make_unique<http::HttpObjectAggregator>(65536),
          std::make_unique<WebSocketServerCompressionHandler>(
              PerMessageDeflateServerConfig::sharedTier()),
          std::make_unique<WebSocketServerProtocolHandler>("/ws"));
      ch->writeInbound(Unpooled::copiedBuffer(request));
      drain(*ch);
      group.add(ch);
      members.push_back(std::move(ch));
    }
  }
  ~Room() {
    for (auto& ch : members) {
      ch->finishAndReleaseAll();
    }
  }
  static std::size_t drain(EmbeddedChannel& ch) {
    std::size_t bytes = 0;
    while (Message m = ch.readOutbound()) {
      bytes += m.get<ByteBuf>().readableBytes();
    }
    return bytes;
  }
  std::size_t drainAll() {
    std::size_t bytes = 0;
    for (auto& ch : members) {
      bytes += drain(*ch);
    }
    return bytes;
  }
};

template <typename Broadcast>
void run(benchmark::State& state, bool deflate, Broadcast broadcast) {
  Room room(deflate);
  const std::string json = jsonText(4096);
  std::size_t wire = 0;
  for (auto _ : state) {
    broadcast(room.group, json);
    state.PauseTiming();
    wire = room.drainAll();
    state.ResumeTiming();
  }
  state.counters["wire_bytes_per_member"] = static_cast<double>(wire) / kMembers;
  state.counters["members"] = kMembers;
}

void BM_WebSocketBroadcastCompressOnce(benchmark::State& state) {
  run(state, true, [](ChannelGroup& g, const std::string& json) {
    WebSocketBroadcast::writeAndFlushText(g, json, {.voidPromise = true});
  });
}

void BM_WebSocketBroadcastPerMember(benchmark::State& state) {
  run(state, true, [](ChannelGroup& g, const std::string& json) {
    ByteBuf payload = Unpooled::copiedBuffer(json);
    g.writeAndFlushEach(
        [&payload](Channel&) { return Message(TextWebSocketFrame(payload.duplicate())); },
        {.voidPromise = true});
  });
}

void BM_WebSocketBroadcastPlain(benchmark::State& state) {
  run(state, false, [](ChannelGroup& g, const std::string& json) {
    WebSocketBroadcast::writeAndFlushText(g, json, {.voidPromise = true});
  });
}

BENCHMARK(BM_WebSocketBroadcastCompressOnce)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WebSocketBroadcastPerMember)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WebSocketBroadcastPlain)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
