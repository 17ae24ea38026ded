// Allocates from the pooled allocator of an installed sluice; exits 0 on success.
#include <sluice/Version.h>
#include <sluice/buffer/PooledByteBufAllocator.h>

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
  std::printf("sluice %s: find_package consumer OK\n", SLUICE_VERSION_STRING);
  return 0;
}
