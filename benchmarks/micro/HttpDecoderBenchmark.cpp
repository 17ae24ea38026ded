// HttpRequestDecoder: a typical browser GET (454 bytes, Chrome's headers without the client hints),
// one request per read and 16 pipelined requests in one read, plus a POST with a small body. Reads
// come from the pooled allocator, as a transport's would; the sink drops what it gets, as a handler
// that has finished with a request does. allocs_per_request counts the heap allocations (global
// operator new) made while decoding, per request.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpRequestDecoder.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "support/AllocationCounter.h"

namespace {

constexpr std::string_view kBrowserGet =
    "GET /chat/rooms/42/messages?since=1700000000&limit=50 HTTP/1.1\r\n"
    "Host: chat.example.com\r\n"
    "Connection: keep-alive\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;"
    "q=0.8\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n"
    "Cookie: session=6f1c0e2a9b8d4c7e; theme=dark\r\n"
    "\r\n";

constexpr std::string_view kSmallPost =
    "POST /api/messages HTTP/1.1\r\n"
    "Host: chat.example.com\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 27\r\n"
    "\r\n"
    "{\"room\":42,\"text\":\"hello!\"}";

class CountingSink : public sluice::ChannelInboundHandler {
 public:
  std::int64_t requests = 0;
  void channelRead(sluice::ChannelHandlerContext&, sluice::Message msg) override {
    if (const auto* request = msg.getIf<sluice::http::HttpRequest>()) {
      if (request->decoderResult().isFailure()) {
        std::abort();  // the benchmark input must decode
      }
      benchmark::DoNotOptimize(request->headers().size());
      ++requests;
    }
  }
};

// `copies` requests back to back in every read.
void run(benchmark::State& state, std::string_view request, int copies) {
  auto& alloc = sluice::PooledByteBufAllocator::defaultAllocator();
  std::string stream;
  for (int i = 0; i < copies; ++i) {
    stream += request;
  }
  auto sink = std::make_unique<CountingSink>();
  CountingSink& counter = *sink;
  sluice::EmbeddedChannel ch(std::make_unique<sluice::http::HttpRequestDecoder>(), std::move(sink));
  const std::int64_t allocationsBefore = sluice::testing::allocationCount();
  for (auto _ : state) {
    sluice::ByteBuf read = alloc.buffer(stream.size());
    read.writeBytes(stream);
    ch.pipeline().fireChannelRead(std::move(read));
    ch.pipeline().fireChannelReadComplete();
  }
  const std::int64_t allocations = sluice::testing::allocationCount() - allocationsBefore;
  if (counter.requests != state.iterations() * copies) {
    state.SkipWithError("not every request was decoded");
  }
  state.SetItemsProcessed(counter.requests);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
  state.counters["ns_per_request"] =
      benchmark::Counter(static_cast<double>(counter.requests),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["request_bytes"] = static_cast<double>(request.size());
  state.counters["allocs_per_request"] =
      static_cast<double>(allocations) /
      static_cast<double>(std::max<std::int64_t>(counter.requests, 1));
}

void BM_HttpDecoderBrowserGet(benchmark::State& state) { run(state, kBrowserGet, 1); }
void BM_HttpDecoderBrowserGetPipelined16(benchmark::State& state) { run(state, kBrowserGet, 16); }
void BM_HttpDecoderSmallPost(benchmark::State& state) { run(state, kSmallPost, 1); }

BENCHMARK(BM_HttpDecoderBrowserGet);
BENCHMARK(BM_HttpDecoderBrowserGetPipelined16);
BENCHMARK(BM_HttpDecoderSmallPost);

}  // namespace

BENCHMARK_MAIN();
