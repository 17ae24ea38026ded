#pragma once

#include <gtest/gtest.h>
#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/CompositeByteBuf.h>

#include <cstdint>
#include <ostream>

namespace sluice::testing {

/// The fixture every sluice test derives from. It records how many buffers the default
/// pooled and unpooled allocators have alive when a test starts, and fails the test if that
/// number differs when it ends, printing the allocation stacks the leak detector sampled.
///
/// A test that makes its own allocator checks it with expectNoOutstandingBuffers(alloc)
/// before destroying it.
class SluiceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Adds a failure if `alloc` has live buffers.
  static void expectNoOutstandingBuffers(const ByteBufAllocator& alloc);

 private:
  std::uint64_t pooledAtStart_ = 0;
  std::uint64_t unpooledAtStart_ = 0;
};

}  // namespace sluice::testing

namespace sluice {

// GoogleTest prints buffers in failure messages as a hex table, found by argument-dependent
// lookup. Test-only: library code never uses iostreams.
void PrintTo(const ByteBuf& buf, std::ostream* os);
void PrintTo(const CompositeByteBuf& buf, std::ostream* os);

}  // namespace sluice
