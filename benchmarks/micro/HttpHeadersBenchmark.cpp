// HttpHeaders as a program uses it: names given as strings (each classified), a response's
// headers built with the HttpHeaderNames constants, lookups by constant and by string, and
// iteration as an encoder does it.

#include <benchmark/benchmark.h>
#include <sluice/http/HttpHeaders.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using sluice::http::HttpHeaderName;
using sluice::http::HttpHeaderNames;
using sluice::http::HttpHeaders;
using sluice::http::HttpHeaderValues;

// A browser's field names in the case they are sent, known and unknown ones mixed.
constexpr std::string_view kBrowserNames[] = {"Host",
                                              "Connection",
                                              "sec-ch-ua",
                                              "sec-ch-ua-mobile",
                                              "User-Agent",
                                              "Accept",
                                              "Sec-Fetch-Site",
                                              "Sec-Fetch-Mode",
                                              "Sec-Fetch-Dest",
                                              "Accept-Encoding",
                                              "Accept-Language",
                                              "Cookie",
                                              "Referer",
                                              "If-None-Match",
                                              "Upgrade-Insecure-Requests"};

void BM_HttpHeadersClassifyNames(benchmark::State& state) {
  for (auto _ : state) {
    for (const std::string_view name : kBrowserNames) {
      const HttpHeaderName classified(name);
      benchmark::DoNotOptimize(classified);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(std::size(kBrowserNames)));
}

HttpHeaders responseHeaders() {
  HttpHeaders h;
  h.add(HttpHeaderNames::kContentType, HttpHeaderValues::kTextPlain)
      .add(HttpHeaderNames::kContentLength, 13)
      .add(HttpHeaderNames::kServer, "sluice")
      .add(HttpHeaderNames::kDate, "Mon, 25 Nov 2024 17:00:00 GMT")
      .add(HttpHeaderNames::kCacheControl, HttpHeaderValues::kNoCache)
      .add(HttpHeaderNames::kConnection, HttpHeaderValues::kKeepAlive);
  return h;
}

void BM_HttpHeadersBuildResponse(benchmark::State& state) {
  for (auto _ : state) {
    HttpHeaders h = responseHeaders();
    benchmark::DoNotOptimize(h.size());
  }
}

void BM_HttpHeadersGetByConstant(benchmark::State& state) {
  const HttpHeaders h = responseHeaders();
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.get(HttpHeaderNames::kConnection));
    benchmark::DoNotOptimize(h.contains(HttpHeaderNames::kTransferEncoding));
  }
}

void BM_HttpHeadersGetByString(benchmark::State& state) {
  const HttpHeaders h = responseHeaders();
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.get("connection"));
    benchmark::DoNotOptimize(h.contains("X-Request-Id"));
  }
}

void BM_HttpHeadersIterate(benchmark::State& state) {
  const HttpHeaders h = responseHeaders();
  for (auto _ : state) {
    std::size_t bytes = 0;
    for (const auto& [name, value] : h) {
      bytes += name.size() + value.size();
    }
    benchmark::DoNotOptimize(bytes);
  }
}

BENCHMARK(BM_HttpHeadersClassifyNames);
BENCHMARK(BM_HttpHeadersBuildResponse);
BENCHMARK(BM_HttpHeadersGetByConstant);
BENCHMARK(BM_HttpHeadersGetByString);
BENCHMARK(BM_HttpHeadersIterate);

}  // namespace

BENCHMARK_MAIN();
