#include <sluice/util/MoveOnlyFunction.h>

#include <array>
#include <memory>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class MoveOnlyFunctionTest : public testing::SluiceTest {};

TEST_F(MoveOnlyFunctionTest, HoldsMoveOnlyState) {
  auto p = std::make_unique<int>(41);
  MoveOnlyFunction<int(int)> f = [p = std::move(p)](int x) { return *p + x; };
  EXPECT_EQ(f(1), 42);
  MoveOnlyFunction<int(int)> g = std::move(f);
  EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(g(2), 43);
}

TEST_F(MoveOnlyFunctionTest, LargeCallablesWorkAndAreDestroyedOnce) {
  auto counter = std::make_shared<int>(0);
  std::array<char, 200> big{};
  big[0] = 'x';
  {
    MoveOnlyFunction<char()> f = [counter, big] { return big[0]; };
    MoveOnlyFunction<char()> g = std::move(f);
    EXPECT_EQ(g(), 'x');
    EXPECT_EQ(counter.use_count(), 2);
  }
  EXPECT_EQ(counter.use_count(), 1);
}

TEST_F(MoveOnlyFunctionTest, EmptyThrowsWhenCalled) {
  MoveOnlyFunction<void()> f;
  EXPECT_THROW(f(), std::bad_function_call);
  void (*null)() = nullptr;
  MoveOnlyFunction<void()> g = null;
  EXPECT_FALSE(g);
}

}  // namespace
}  // namespace sluice
