// Allocates from the pooled allocator of an installed sluice and uses its HTTP module;
// exits 0 on success.
#include <sluice/Version.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/http/HttpUtil.h>

#include <cstdio>
#include <string_view>

int main() {
  sluice::ByteBufAllocator& alloc = sluice::PooledByteBufAllocator::defaultAllocator();
  sluice::ByteBuf buf = alloc.buffer(64);
  buf.writeBytes(std::string_view("hello"));
  if (buf.readableBytes() != 5) {
    std::fprintf(stderr, "expected 5 readable bytes, got %zu\n",
                 static_cast<std::size_t>(buf.readableBytes()));
    return 1;
  }
  sluice::http::HttpRequest request(sluice::http::HttpVersion::kHttp10,
                                    sluice::http::HttpMethod::kGet, "/");
  request.headers().add("Connection", "keep-alive");
  if (!sluice::http::HttpUtil::isKeepAlive(request)) {
    std::fprintf(stderr, "expected an HTTP/1.0 keep-alive request\n");
    return 1;
  }
  std::printf("sluice %s: find_package consumer OK\n", SLUICE_VERSION_STRING);
  return 0;
}
