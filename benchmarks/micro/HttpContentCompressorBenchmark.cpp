// HttpContentCompressor and HttpContentDecompressor: the cost of gzip on a 16 KiB JSON-like
// body, whole (one FullHttpResponse) and streamed (4 KiB HttpContent pieces, one flush at the
// end), and of inflating it again. Each case runs the handler in an EmbeddedChannel, as a
// pipeline does, and reports the body's uncompressed bytes per second.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/compression/Deflater.h>
#include <sluice/http/HttpContentCompressor.h>
#include <sluice/http/HttpContentDecompressor.h>
#include <sluice/http/HttpUtil.h>

#include <memory>
#include <string>
#include <string_view>

namespace {

using namespace sluice;        // NOLINT: benchmark file
using namespace sluice::http;  // NOLINT: benchmark file

constexpr std::size_t kBodySize = 16384;
constexpr std::size_t kPiece = 4096;

const std::string& jsonBody() {
  static const std::string body = [] {
    std::string s = "[";
    for (int i = 0; s.size() < kBodySize; ++i) {
      s += "{\"id\":" + std::to_string(i * 7919 % 100000) + ",\"name\":\"user" +
           std::to_string(i * 31 % 997) + "\",\"email\":\"user" + std::to_string(i) +
           "@example.com\",\"active\":" + (i % 3 == 0 ? "true" : "false") +
           ",\"score\":" + std::to_string(i * 13 % 1000) + "},";
    }
    s.resize(kBodySize);
    return s;
  }();
  return body;
}

ByteBuf pooledCopy(std::string_view text) {
  ByteBuf buf = PooledByteBufAllocator::defaultAllocator().buffer(text.size());
  buf.writeBytes(text);
  return buf;
}

void receiveGzipRequest(EmbeddedChannel& ch) {
  Message request = Message::make<FullHttpRequest>(HttpVersion::kHttp11, HttpMethod::kGet, "/");
  request.get<HttpRequest>().headers().add(HttpHeaderNames::kAcceptEncoding, "gzip, deflate, br");
  ch.writeInbound(std::move(request));
  ch.readInbound().reset();
}

void BM_HttpContentCompressorFull(benchmark::State& state) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  std::size_t compressed = 0;
  for (auto _ : state) {
    receiveGzipRequest(ch);
    Message res = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                  pooledCopy(jsonBody()));
    HttpUtil::setContentLength(res.get<HttpResponse>(), kBodySize);
    ch.writeOutbound(std::move(res));
    Message out = ch.readOutbound();
    compressed = out.get<LastHttpContent>().content().readableBytes();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kBodySize));
  state.counters["ratio"] = static_cast<double>(kBodySize) / static_cast<double>(compressed);
}
BENCHMARK(BM_HttpContentCompressorFull);

void BM_HttpContentCompressorStreamed(benchmark::State& state) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string_view body = jsonBody();
  std::size_t compressed = 0;
  for (auto _ : state) {
    receiveGzipRequest(ch);
    ch.write(Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk));
    for (std::size_t i = 0; i + kPiece < kBodySize; i += kPiece) {
      ch.write(Message::make<HttpContent>(pooledCopy(body.substr(i, kPiece))));
    }
    ch.write(Message::make<LastHttpContent>(pooledCopy(body.substr(kBodySize - kPiece))));
    ch.flush();
    compressed = 0;
    while (Message m = ch.readOutbound()) {
      if (const auto* content = m.getIf<HttpContent>()) {
        compressed += content->content().readableBytes();
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kBodySize));
  state.counters["ratio"] = static_cast<double>(kBodySize) / static_cast<double>(compressed);
}
BENCHMARK(BM_HttpContentCompressorStreamed);

// The same streamed body with a flush after every piece: a sync point per 4 KiB.
void BM_HttpContentCompressorStreamedFlushEach(benchmark::State& state) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string_view body = jsonBody();
  std::size_t compressed = 0;
  for (auto _ : state) {
    receiveGzipRequest(ch);
    ch.writeAndFlush(Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk));
    for (std::size_t i = 0; i + kPiece < kBodySize; i += kPiece) {
      ch.writeAndFlush(Message::make<HttpContent>(pooledCopy(body.substr(i, kPiece))));
    }
    ch.writeAndFlush(Message::make<LastHttpContent>(pooledCopy(body.substr(kBodySize - kPiece))));
    compressed = 0;
    while (Message m = ch.readOutbound()) {
      if (const auto* content = m.getIf<HttpContent>()) {
        compressed += content->content().readableBytes();
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kBodySize));
  state.counters["ratio"] = static_cast<double>(kBodySize) / static_cast<double>(compressed);
}
BENCHMARK(BM_HttpContentCompressorStreamedFlushEach);

void BM_HttpContentDecompressorFull(benchmark::State& state) {
  Deflater deflater({.wrapper = ZlibWrapper::Gzip});
  ByteBuf gz = PooledByteBufAllocator::defaultAllocator().buffer(kBodySize);
  deflater.deflate(pooledCopy(jsonBody()), gz, DeflateFlush::Finish);
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  for (auto _ : state) {
    Message res = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                  gz.duplicate());
    res.get<HttpResponse>().headers().add(HttpHeaderNames::kContentEncoding, "gzip");
    ch.writeInbound(std::move(res));
    Message out = ch.readInbound();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kBodySize));
}
BENCHMARK(BM_HttpContentDecompressorFull);

}  // namespace

BENCHMARK_MAIN();
