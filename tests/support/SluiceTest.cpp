#include "support/SluiceTest.h"

#include <fmt/format.h>
#include <sluice/buffer/ByteBufUtil.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/util/ResourceLeakDetector.h>

namespace sluice::testing {

void SluiceTest::SetUp() {
  pooledAtStart_ = PooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  unpooledAtStart_ = UnpooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
}

void SluiceTest::TearDown() {
  const auto pooled = PooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  const auto unpooled = UnpooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  if (pooled != pooledAtStart_ || unpooled != unpooledAtStart_) {
    std::string stacks;
    for (const auto& record : ResourceLeakDetector::outstanding()) {
      stacks += fmt::format("buffer of {} bytes allocated at:\n{}", record.capacity,
                            record.allocationStack);
    }
    ADD_FAILURE() << "buffers outstanding when the test ended: pooled " << pooledAtStart_ << " -> "
                  << pooled << ", unpooled " << unpooledAtStart_ << " -> " << unpooled << "\n"
                  << (stacks.empty() ? "(no sampled stacks; run with "
                                       "SLUICE_LEAK_DETECTION=paranoid)"
                                     : stacks);
  }
}

void SluiceTest::expectNoOutstandingBuffers(const ByteBufAllocator& alloc) {
  EXPECT_EQ(alloc.metrics().liveBuffers, 0U) << "buffers outstanding in a test's allocator";
}

}  // namespace sluice::testing

namespace sluice {

void PrintTo(const ByteBuf& buf, std::ostream* os) {
  *os << fmt::format("{}\n{}", buf, ByteBufUtil::prettyHexDump(buf));
}

void PrintTo(const CompositeByteBuf& buf, std::ostream* os) {
  const std::string bytes = buf.toString();
  *os << fmt::format("CompositeByteBuf(ridx: {}, widx: {}, components: {})\n{}", buf.readerIndex(),
                     buf.writerIndex(), buf.numComponents(),
                     ByteBufUtil::prettyHexDump(std::span<const std::uint8_t>(
                         reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
}

}  // namespace sluice
