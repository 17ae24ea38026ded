// The code shown in the buffer sections of docs/core.md. Each region between
// "// [docs:NAME]" and "// [docs:end]" appears verbatim in the page (checked by the
// docs.snippets test), and compiles and runs here, so the documentation cannot drift from
// the API.

#include <fmt/format.h>
#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/util/ResourceLeakDetector.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <string>

#include "support/SluiceTest.h"

namespace docs {

class BufferDocsTest : public sluice::testing::SluiceTest {};

TEST_F(BufferDocsTest, Ownership) {
  // [docs:ownership]
  sluice::ByteBufAllocator& alloc = sluice::ByteBufAllocator::defaultAllocator();
  sluice::ByteBuf frame = alloc.buffer(64);  // refCnt() == 1
  frame.writeShort(0x8105).writeBytes("hello");

  sluice::ByteBuf header = frame.readSlice(2);  // shares the memory: refCnt() == 2
  sluice::ByteBuf payload = frame.slice();      // the rest: refCnt() == 3
  sluice::ByteBuf kept = payload.copy();        // deep: new memory, refCnt() == 1

  sluice::ByteBuf moved = std::move(frame);  // a move hands the reference over: still 3
  moved = sluice::ByteBuf();                 // the frame's handle is gone: 2 left
  // header and payload stay valid; the memory goes back when the last of them goes.
  // [docs:end]
  EXPECT_EQ(header.getUnsignedShort(0), 0x8105);
  EXPECT_EQ(payload.toStringView(), "hello");
  EXPECT_EQ(payload.refCnt(), 2U);
  EXPECT_EQ(kept.refCnt(), 1U);
}

TEST_F(BufferDocsTest, Headroom) {
  // [docs:headroom]
  sluice::ByteBufAllocator& alloc = sluice::ByteBufAllocator::defaultAllocator();
  sluice::ByteBuf buf = alloc.bufferWithHeadroom(14, 5);  // readerIndex == writerIndex == 14
  buf.writeBytes("hello");                                // the payload

  if (buf.canPrepend(2)) {  // 2 bytes free in front, and no other handle can see them
    std::span<std::uint8_t> header = buf.prepend(2);  // readerIndex moves back by 2
    header[0] = 0x81;                                 // FIN + text frame
    header[1] = 5;                                    // payload length
  }
  // buf now reads 81 05 68 65 6c 6c 6f; the payload was never copied.
  // [docs:end]
  EXPECT_EQ(buf.readableBytes(), 7U);
  EXPECT_EQ(buf.getUnsignedByte(buf.readerIndex()), 0x81);
}

TEST_F(BufferDocsTest, Composite) {
  sluice::ByteBufAllocator& alloc = sluice::ByteBufAllocator::defaultAllocator();
  sluice::ByteBuf header = alloc.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n");
  sluice::ByteBuf body = alloc.copiedBuffer("hello");
  // [docs:composite]
  sluice::CompositeByteBuf message = alloc.compositeBuffer();
  message.addComponent(std::move(header)).addComponent(std::move(body));  // no copy

  std::array<iovec, 16> iov{};
  std::size_t n = message.readableIovecs(iov);  // one iovec a component, for writev()

  std::ptrdiff_t end = message.indexOf(0, message.writerIndex(), '\n');  // across components
  // [docs:end]
  EXPECT_EQ(n, 2U);
  EXPECT_EQ(end, 16);
}

TEST_F(BufferDocsTest, PooledConfig) {
  // [docs:pooled-config]
  sluice::PooledByteBufAllocator alloc({
      .numArenas = 4,
      .maxPooledSize = 256 << 10,             // larger blocks come from malloc
      .threadCacheBytesPerClass = 128 << 10,  // 0: no thread caches
  });
  // [docs:end]
  {
    sluice::ByteBuf buf = alloc.buffer(100);
    EXPECT_EQ(alloc.metrics().usedBytes, 192U);
  }
  expectNoOutstandingBuffers(alloc);
}

TEST_F(BufferDocsTest, Metrics) {
  sluice::PooledByteBufAllocator alloc;
  sluice::ByteBuf buf = alloc.buffer(100);
  // [docs:metrics]
  sluice::ByteBufAllocatorMetrics m = alloc.metrics();
  fmt::print("{} live buffers in {} of {} reserved bytes; {:.0f}% of allocations hit a cache\n",
             m.liveBuffers, m.usedBytes, m.reservedBytes, 100 * m.cacheHitRate());
  // [docs:end]
  EXPECT_EQ(m.liveBuffers, 1U);
  EXPECT_EQ(m.usedBytes, 192U);
}

TEST_F(BufferDocsTest, LeakReport) {
  const auto level = sluice::ResourceLeakDetector::level();
  // [docs:leak-report]
  sluice::ResourceLeakDetector::setLevel(sluice::LeakDetectionLevel::Paranoid);
  sluice::ByteBuf parked = sluice::ByteBufAllocator::defaultAllocator().buffer(100);

  for (const auto& record : sluice::ResourceLeakDetector::outstanding()) {
    fmt::print("{} bytes allocated at:\n{}", record.capacity, record.allocationStack);
  }
  // [docs:end]
  EXPECT_GE(sluice::ResourceLeakDetector::outstandingCount(), 1U);
  parked = sluice::ByteBuf();
  sluice::ResourceLeakDetector::setLevel(level);
}

}  // namespace docs
