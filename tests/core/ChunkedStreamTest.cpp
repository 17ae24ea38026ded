#include <gtest/gtest.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/stream/ChunkedStream.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class ChunkedStreamTest : public testing::SluiceTest {
 protected:
  ByteBufAllocator& alloc_ = ByteBufAllocator::defaultAllocator();
};

std::string text(ChunkResult& r) { return r.chunk().get<ByteBuf>().toString(); }

std::vector<std::string> drainText(EmbeddedChannel& ch) {
  std::vector<std::string> all;
  while (Message m = ch.readOutbound()) {
    all.push_back(m.get<ByteBuf>().toString());
  }
  return all;
}

TEST_F(ChunkedStreamTest, YieldsBuffersInOrderAndNoneWhileEmpty) {
  ChunkedStream stream;
  EXPECT_TRUE(stream.readChunk(alloc_).isNone());
  EXPECT_FALSE(stream.isEndOfInput());
  EXPECT_TRUE(stream.write(Unpooled::copiedBuffer("one")));
  EXPECT_TRUE(stream.write(Unpooled::copiedBuffer("two")));
  EXPECT_EQ(stream.queuedBytes(), 6U);
  ChunkResult a = stream.readChunk(alloc_);
  ChunkResult b = stream.readChunk(alloc_);
  EXPECT_EQ(text(a), "one");
  EXPECT_EQ(text(b), "two");
  EXPECT_TRUE(stream.readChunk(alloc_).isNone());
  EXPECT_EQ(stream.length(), -1);  // not known before the end
  EXPECT_EQ(stream.progress(), 6);
  stream.end();
  EXPECT_TRUE(stream.isEndOfInput());
  EXPECT_EQ(stream.length(), 6);
  EXPECT_FALSE(stream.write(Unpooled::copiedBuffer("late")));  // refused and released
}

TEST_F(ChunkedStreamTest, CopiesShareOneStream) {
  ChunkedStream producer;
  Message msg(producer);
  ASSERT_TRUE(msg.is<ChunkedInput>());
  producer.write(Unpooled::copiedBuffer("shared"));
  ChunkResult r = msg.get<ChunkedInput>().readChunk(alloc_);
  EXPECT_EQ(text(r), "shared");
}

TEST_F(ChunkedStreamTest, AMovedFromHandleStillWritesToTheStream) {
  ChunkedStream producer;
  Message msg(std::move(producer));  // NOLINT(bugprone-use-after-move): a move copies the handle
  EXPECT_TRUE(producer.write(Unpooled::copiedBuffer("after the move")));
  ChunkResult r = msg.get<ChunkedInput>().readChunk(alloc_);
  EXPECT_EQ(text(r), "after the move");
}

TEST_F(ChunkedStreamTest, ResumeCallbackRunsOnlyAfterTheReaderFoundNothing) {
  ChunkedStream stream;
  int resumes = 0;
  stream.setResumeCallback([&] { ++resumes; });
  stream.write(Unpooled::copiedBuffer("early"));
  EXPECT_EQ(resumes, 0);  // nobody was waiting
  EXPECT_TRUE(stream.readChunk(alloc_).hasChunk());
  EXPECT_TRUE(stream.readChunk(alloc_).isNone());  // now the reader waits
  stream.write(Unpooled::copiedBuffer("a"));
  stream.write(Unpooled::copiedBuffer("b"));
  EXPECT_EQ(resumes, 1);  // one wake-up per wait
  stream.readChunk(alloc_);
  stream.readChunk(alloc_);
  EXPECT_TRUE(stream.readChunk(alloc_).isNone());
  stream.end();
  EXPECT_EQ(resumes, 2);
}

TEST_F(ChunkedStreamTest, FailDropsTheQueueAndReportsTheError) {
  ChunkedStream stream;
  stream.write(Unpooled::copiedBuffer("dropped"));
  stream.fail(Error(CoreErrc::Timeout, "upstream timed out"));
  EXPECT_EQ(stream.queuedBytes(), 0U);
  ChunkResult r = stream.readChunk(alloc_);
  ASSERT_TRUE(r.hasError());
  EXPECT_EQ(r.error(), CoreErrc::Timeout);
  EXPECT_FALSE(stream.write(Unpooled::copiedBuffer("late")));
}

TEST_F(ChunkedStreamTest, CloseReleasesQueuedBuffersAndRefusesWrites) {
  ChunkedStream stream;
  stream.write(Unpooled::copiedBuffer("queued"));
  EXPECT_FALSE(stream.isClosed());
  stream.close();
  EXPECT_TRUE(stream.isClosed());
  EXPECT_EQ(stream.queuedBytes(), 0U);
  EXPECT_FALSE(stream.write(Unpooled::copiedBuffer("late")));
  // The fixture checks that both buffers were released.
}

TEST_F(ChunkedStreamTest, HandlerSuspendsWhileEmptyAndResumesOnWrite) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ChunkedStream body;
  ChannelFuture f = ch.write(Message(body));
  ChannelFuture after = ch.write(Unpooled::copiedBuffer("after"));
  ch.flush();
  EXPECT_TRUE(ch.outboundMessages().empty());  // suspended; "after" waits behind it
  EXPECT_FALSE(after.isDone());

  body.write(Unpooled::copiedBuffer("hello "));  // resumes at once on the loop's thread
  EXPECT_EQ(drainText(ch), std::vector<std::string>{"hello "});
  body.write(Unpooled::copiedBuffer("world"));
  EXPECT_EQ(drainText(ch), std::vector<std::string>{"world"});
  EXPECT_FALSE(f.isDone());

  body.end();
  EXPECT_TRUE(f.isSuccess());
  EXPECT_TRUE(after.isSuccess());
  EXPECT_TRUE(body.isClosed());  // the handler closed it at the end
  // The end writes an empty buffer (the stream had no chunk left to mark the end), then
  // the write queued behind it goes.
  EXPECT_EQ(drainText(ch), (std::vector<std::string>{"", "after"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedStreamTest, HandlerFailsTheWriteWhenTheProducerFails) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ChunkedStream body;
  ChannelFuture f = ch.writeAndFlush(Message(body));
  body.write(Unpooled::copiedBuffer("part"));
  body.fail(Error(CoreErrc::Cancelled, "upstream went away"));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause(), CoreErrc::Cancelled);
  EXPECT_EQ(f.cause().message(), "upstream went away");
  EXPECT_EQ(drainText(ch), std::vector<std::string>{"part"});
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedStreamTest, ChannelCloseTellsTheProducerToStop) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ChunkedStream body;
  ChannelFuture f = ch.writeAndFlush(Message(body));
  body.write(Unpooled::copiedBuffer("part"));
  ch.close();
  ch.runPendingTasks();
  EXPECT_EQ(f.cause(), CoreErrc::ClosedChannel);
  EXPECT_TRUE(body.isClosed());
  EXPECT_FALSE(body.write(Unpooled::copiedBuffer("more")));
  ch.finishAndReleaseAll();
}

TEST_F(ChunkedStreamTest, ProducerOnAnotherThreadWakesTheReader) {
  // The consumer waits as a loop would: on a resume callback that signals it, never by
  // polling. Every buffer arrives, in order, with no wake-up lost.
  ChunkedStream stream;
  std::mutex mutex;
  std::condition_variable cv;
  bool signalled = false;
  stream.setResumeCallback([&] {
    std::lock_guard lock(mutex);
    signalled = true;
    cv.notify_one();
  });
  constexpr int kBuffers = 2000;
  std::thread producer([stream]() mutable {
    for (int i = 0; i < kBuffers; ++i) {
      stream.write(Unpooled::copiedBuffer(std::to_string(i)));
    }
    stream.end();
  });
  int next = 0;
  while (!stream.isEndOfInput()) {
    ChunkResult r = stream.readChunk(alloc_);
    if (r.hasChunk()) {
      ASSERT_EQ(text(r), std::to_string(next));
      ++next;
      continue;
    }
    if (stream.isEndOfInput()) {
      break;  // ended between the loop's test and the read: none means the end here
    }
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return signalled; }));
    signalled = false;
  }
  producer.join();
  EXPECT_EQ(next, kBuffers);
}

}  // namespace
}  // namespace sluice
