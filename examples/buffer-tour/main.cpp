// A tour of sluice's buffers: pooled allocation, wire-order integers, zero-copy slices,
// headroom for headers, composites for gathering writes, and the allocator's metrics.

#include <fmt/format.h>
#include <sluice/Version.h>
#include <sluice/buffer/ByteBufUtil.h>
#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sys/uio.h>

#include <array>
#include <cstdio>

int main() {
  using sluice::ByteBuf;
  auto& alloc = sluice::PooledByteBufAllocator::defaultAllocator();
  fmt::print("sluice {} buffer tour\n\n", SLUICE_VERSION_STRING);

  // A length-prefixed record: integers go out big-endian, as on the wire.
  ByteBuf record = alloc.buffer(64);
  record.writeInt(5).writeBytes("hello");
  fmt::print("record     {}  {}\n", record, sluice::ByteBufUtil::hexDump(record));

  // readSlice() shares memory: no copy, its own indices, its own reference.
  const auto length = record.readUnsignedInt();
  ByteBuf body = record.readSlice(length);
  fmt::print("body       '{}' (refCnt {} on the shared memory)\n", body.toStringView(),
             body.refCnt());

  // Headroom lets an encoder put a header in front of a payload without moving it.
  ByteBuf frame = alloc.bufferWithHeadroom(2, 5);
  frame.writeBytes("world");
  auto header = frame.prepend(2);
  header[0] = 0x81;  // a WebSocket text frame, FIN set
  header[1] = 5;     // payload length
  fmt::print("frame      {}\n", sluice::ByteBufUtil::hexDump(frame));

  // A composite reads several buffers as one and hands them to writev() together.
  sluice::CompositeByteBuf message = alloc.compositeBuffer();
  message.addComponent(alloc.copiedBuffer("HTTP/1.1 200 OK\r\n"));
  message.addComponent(alloc.copiedBuffer("content-length: 0\r\n\r\n"));
  std::array<iovec, 4> iov{};
  const std::size_t n = message.readableIovecs(iov);
  fmt::print("composite  {} bytes in {} iovecs, status line ends at {}\n", message.readableBytes(),
             n, message.indexOf(0, message.writerIndex(), '\n'));

  const auto m = alloc.metrics();
  fmt::print(
      "\nallocator  {} live buffers, {} B in use, {} B reserved, {} allocations, "
      "{:.0f}% from the thread cache\n",
      m.liveBuffers, m.usedBytes, m.reservedBytes, m.allocations, 100.0 * m.cacheHitRate());
  fmt::print("\n{}\n", sluice::ByteBufUtil::prettyHexDump(record.duplicate().readerIndex(0)));
  return 0;
}
