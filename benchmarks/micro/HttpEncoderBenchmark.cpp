// HttpResponseEncoder: the cost of encoding a typical small response, and where copying
// content into the header buffer stops paying (HttpObjectEncoderConfig::contentMergeThreshold).
//
// The encoder is called as HttpServerCodec calls it: write(ctx, msg, promise) with the
// context of its place in an EmbeddedChannel, so each encoded buffer lands in the channel's
// outbound buffer, which is flushed and emptied every 64 responses. Building the response
// (headers, a pooled content buffer, the Message) is part of every case; BM_HttpResponseBuild
// measures that alone and BM_HttpEncoderPassThrough the channel around the encoder, so the
// encoder's own cost is what is left. allocs/op counts calls to the global operator new per
// response.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpResponseEncoder.h>

#include <memory>
#include <string_view>

#include "support/AllocationCounter.h"

namespace {

using namespace sluice::http;  // NOLINT(google-build-using-namespace): a benchmark file

constexpr std::string_view kBody = "Hello, World!";
constexpr int kBatch = 64;

sluice::Message helloWorld(sluice::ByteBufAllocator& alloc) {
  sluice::ByteBuf body = alloc.buffer(kBody.size());
  body.writeBytes(kBody);
  sluice::Message msg = sluice::Message::make<FullHttpResponse>(
      HttpVersion::kHttp11, HttpResponseStatus::kOk, std::move(body));
  HttpHeaders& h = msg.get<FullHttpResponse>().headers();
  h.add(HttpHeaderNames::kContentType, HttpHeaderValues::kTextPlain)
      .add(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(kBody.size()))
      .add(HttpHeaderNames::kDate, "Thu, 01 Jan 2026 00:00:00 GMT")
      .add(HttpHeaderNames::kServer, "sluice");
  return msg;
}

// An encoder in a channel, driven directly as a codec that owns it would.
struct Harness {
  explicit Harness(HttpObjectEncoderConfig config = {})
      : Harness(std::make_unique<HttpResponseEncoder>(config)) {}
  explicit Harness(std::unique_ptr<HttpResponseEncoder> owned)
      : encoder(*owned), ch(std::move(owned)), ctx(*ch.pipeline().firstContext()) {}

  void afterWrite() {
    if (++pending == kBatch) {
      ch.flush();
      ch.outboundMessages().clear();
      pending = 0;
    }
  }

  HttpResponseEncoder& encoder;
  sluice::EmbeddedChannel ch;
  sluice::ChannelHandlerContext& ctx;
  int pending = 0;
};

void reportAllocations(benchmark::State& state, long before) {
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(sluice::testing::allocationCount() - before),
                         benchmark::Counter::kAvgIterations);
}

// Builds the typical response and drops it: the part of every case below that is not the
// encoder's.
void BM_HttpResponseBuild(benchmark::State& state) {
  auto& alloc = sluice::PooledByteBufAllocator::defaultAllocator();
  const long before = sluice::testing::allocationCount();
  for (auto _ : state) {
    sluice::Message msg = helloWorld(alloc);
    benchmark::DoNotOptimize(msg);
  }
  reportAllocations(state, before);
}
BENCHMARK(BM_HttpResponseBuild);

// A pooled buffer of the typical response's encoded size, passed through the encoder
// untouched: what the channel around the encoder costs (allocation, the write to the
// outbound buffer, flush and release).
void BM_HttpEncoderPassThrough(benchmark::State& state) {
  Harness h;
  auto& alloc = h.ctx.alloc();
  const long before = sluice::testing::allocationCount();
  for (auto _ : state) {
    sluice::ByteBuf buf = alloc.buffer(128);
    buf.writeZero(128);
    h.encoder.write(h.ctx, std::move(buf), h.ctx.voidPromise());
    h.afterWrite();
  }
  reportAllocations(state, before);
}
BENCHMARK(BM_HttpEncoderPassThrough);

// The typical 200 response: four header fields and a 13-byte body, encoded into one
// buffer. range(0): 1 with a promise per write (as ctx.writeAndFlush(response) makes), 0
// with the void promise.
void BM_HttpEncoderHelloWorld(benchmark::State& state) {
  Harness h;
  auto& alloc = h.ctx.alloc();
  const bool withPromise = state.range(0) != 0;
  for (int i = 0; i < 1000; ++i) {  // warm the allocator's thread cache and the ring
    h.encoder.write(h.ctx, helloWorld(alloc), h.ctx.voidPromise());
    h.afterWrite();
  }
  const long before = sluice::testing::allocationCount();
  for (auto _ : state) {
    h.encoder.write(h.ctx, helloWorld(alloc),
                    withPromise ? h.ctx.newPromise() : h.ctx.voidPromise());
    h.afterWrite();
  }
  reportAllocations(state, before);
}
BENCHMARK(BM_HttpEncoderHelloWorld)->Arg(0)->Arg(1);

// A 200 response with a body of range(0) bytes (a shared duplicate of one buffer, as
// static content would be), copied into the header buffer (range(1) = 1) or passed on as
// a second buffer (range(1) = 0), with a promise per write.
void BM_HttpEncoderBody(benchmark::State& state) {
  const auto bodyBytes = static_cast<std::size_t>(state.range(0));
  const bool merge = state.range(1) != 0;
  Harness h(HttpObjectEncoderConfig{.contentMergeThreshold = merge ? bodyBytes : 0});
  auto& alloc = h.ctx.alloc();
  sluice::ByteBuf body = alloc.buffer(bodyBytes);
  body.writeZero(bodyBytes);
  const auto make = [&] {
    sluice::Message msg = sluice::Message::make<FullHttpResponse>(
        HttpVersion::kHttp11, HttpResponseStatus::kOk, body.retainedDuplicate());
    HttpHeaders& headers = msg.get<FullHttpResponse>().headers();
    headers.add(HttpHeaderNames::kContentType, HttpHeaderValues::kApplicationOctetStream)
        .add(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(bodyBytes))
        .add(HttpHeaderNames::kDate, "Thu, 01 Jan 2026 00:00:00 GMT")
        .add(HttpHeaderNames::kServer, "sluice");
    return msg;
  };
  for (int i = 0; i < 1000; ++i) {
    h.encoder.write(h.ctx, make(), h.ctx.voidPromise());
    h.afterWrite();
  }
  const long before = sluice::testing::allocationCount();
  for (auto _ : state) {
    h.encoder.write(h.ctx, make(), h.ctx.newPromise());
    h.afterWrite();
  }
  reportAllocations(state, before);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bodyBytes));
}
BENCHMARK(BM_HttpEncoderBody)
    ->ArgsProduct({{256, 1024, 2048, 4096, 8192, 16384}, {0, 1}})
    ->ArgNames({"body", "merge"});

// One 8 KiB chunk of a streamed chunked response: framed around the content in three
// buffers (range(0) = 0), or in place in the content's headroom and tailroom (range(0) = 1).
void BM_HttpEncoderChunk(benchmark::State& state) {
  constexpr std::size_t kChunk = 8192;
  const bool inPlace = state.range(0) != 0;
  Harness h;
  auto& alloc = h.ctx.alloc();
  HttpResponse start(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  h.encoder.write(h.ctx, std::move(start), h.ctx.voidPromise());
  const long before = sluice::testing::allocationCount();
  for (auto _ : state) {
    sluice::ByteBuf data =
        inPlace ? alloc.bufferWithHeadroom(16, kChunk + 16) : alloc.buffer(kChunk);
    data.writeZero(kChunk);
    h.encoder.write(h.ctx, HttpContent(std::move(data)), h.ctx.newPromise());
    h.afterWrite();
  }
  reportAllocations(state, before);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kChunk));
}
BENCHMARK(BM_HttpEncoderChunk)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
