#include <sluice/concurrent/DefaultEventLoop.h>
#include <sluice/concurrent/Future.h>

#include <chrono>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class FutureTest : public testing::SluiceTest {};

TEST_F(FutureTest, CompletesOnceWithAValue) {
  auto p = Promise<int>::make(nullptr);
  EXPECT_FALSE(p.isDone());
  EXPECT_TRUE(p.trySuccess(7));
  EXPECT_FALSE(p.trySuccess(8));
  EXPECT_FALSE(p.tryFailure(Error(CoreErrc::Timeout)));
  EXPECT_TRUE(p.isDone());
  EXPECT_TRUE(p.isSuccess());
  EXPECT_EQ(p.getNow(), 7);
  EXPECT_EQ(p.future().get(), 7);
  EXPECT_FALSE(p.cause());
  EXPECT_THROW(p.setSuccess(9), std::logic_error);
}

TEST_F(FutureTest, FailureCarriesTheErrorAndSyncThrowsIt) {
  auto p = Promise<void>::make(nullptr);
  p.setFailure(Error(CoreErrc::Timeout, "too slow"));
  EXPECT_FALSE(p.isSuccess());
  EXPECT_EQ(p.cause(), CoreErrc::Timeout);
  EXPECT_EQ(p.cause().message(), "too slow");
  try {
    p.sync();
    FAIL() << "sync() returned on a failed future";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error(), CoreErrc::Timeout);
    EXPECT_EQ(e.code(), make_error_code(CoreErrc::Timeout));
  }
}

TEST_F(FutureTest, CancelCompletesAPendingFuture) {
  auto p = Promise<void>::make(nullptr);
  EXPECT_TRUE(p.cancel());
  EXPECT_TRUE(p.isCancelled());
  EXPECT_EQ(p.cause(), CoreErrc::Cancelled);
  EXPECT_FALSE(p.trySuccess());
  EXPECT_FALSE(p.cancel());
}

TEST_F(FutureTest, ListenersRunInOrderOnceCompleted) {
  auto p = Promise<int>::make(nullptr);
  std::vector<int> seen;
  p.addListener([&](const Future<int>& f) { seen.push_back(f.getNow()); });
  p.addListener([&](const Future<int>& f) { seen.push_back(f.getNow() * 10); });
  EXPECT_TRUE(seen.empty());
  p.trySuccess(3);
  EXPECT_EQ(seen, (std::vector<int>{3, 30}));
  p.addListener([&](const Future<int>&) { seen.push_back(-1); });  // already done: at once
  EXPECT_EQ(seen.back(), -1);
}

TEST_F(FutureTest, AThrowingListenerDoesNotStopTheOthers) {
  auto p = Promise<void>::make(nullptr);
  int ran = 0;
  p.addListener([](const Future<void>&) { throw std::runtime_error("listener"); });
  p.addListener([&](const Future<void>&) { ++ran; });
  p.trySuccess();
  EXPECT_EQ(ran, 1);
}

TEST_F(FutureTest, AwaitReturnsWhenAnotherThreadCompletes) {
  auto p = Promise<int>::make(nullptr);
  std::thread completer([p] { p.trySuccess(99); });
  EXPECT_EQ(p.future().get(), 99);
  completer.join();
}

TEST_F(FutureTest, AwaitWithTimeoutReportsWhetherItCompleted) {
  auto p = Promise<void>::make(nullptr);
  EXPECT_FALSE(p.await(10ms));
  p.trySuccess();
  EXPECT_TRUE(p.await(10ms));
}

TEST_F(FutureTest, ListenersRunOnTheFuturesExecutor) {
  DefaultEventLoop loop;
  auto p = Promise<void>::make(&loop);
  auto ranOnLoop = Promise<bool>::make(nullptr);
  p.addListener([&](const Future<void>&) { ranOnLoop.trySuccess(loop.inEventLoop()); });
  p.trySuccess();  // completed here, off the loop: the listener is posted there
  EXPECT_TRUE(ranOnLoop.future().get());
  loop.shutdownGracefully(0ms, 1s).sync();
}

TEST_F(FutureTest, BlockingOnAnEventLoopFailsFastInsteadOfDeadlocking) {
  DefaultEventLoop loop;
  auto pending = Promise<void>::make(&loop);
  auto outcome = loop.submit([pending] {
    try {
      pending.sync();
      return Error();
    } catch (const ErrorException& e) {
      return e.error();
    }
  });
  EXPECT_EQ(outcome.get(), CoreErrc::BlockingOperation);
  // A completed future may be read anywhere, the loop included.
  pending.trySuccess();
  EXPECT_TRUE(loop.submit([pending] { return pending.sync().isSuccess(); }).get());
  loop.shutdownGracefully(0ms, 1s).sync();
}

TEST_F(FutureTest, ReadyMadeFutures) {
  EXPECT_TRUE(makeSucceededFuture().isSuccess());
  EXPECT_EQ(makeSucceededFuture(std::string("v")).getNow(), "v");
  auto failed = makeFailedFuture<int>(Error(CoreErrc::ClosedChannel));
  EXPECT_EQ(failed.cause(), CoreErrc::ClosedChannel);
}

}  // namespace
}  // namespace sluice
