#include <fcntl.h>
#include <gtest/gtest.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/stream/ChunkedFile.h>
#include <sluice/handler/stream/ChunkedStream.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

std::uint8_t byteAt(std::uint64_t i) { return static_cast<std::uint8_t>(i * 7 + i / 251); }

std::size_t openDescriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

// What a test input saw.
struct Stats {
  int reads = 0;
  int closes = 0;
};

// `count` chunks of `size` bytes, each filled with 'a' + its index; counts reads and closes.
class CountingInput : public ChunkedInput {
 public:
  CountingInput(int count, std::size_t size, Stats* stats)
      : count_(count), size_(size), stats_(stats) {}

  bool isEndOfInput() override { return produced_ == count_; }
  void close() override { ++stats_->closes; }
  ChunkResult readChunk(ByteBufAllocator& alloc) override {
    ++stats_->reads;
    if (produced_ == count_) {
      return {};
    }
    ByteBuf buf = alloc.buffer(size_);
    buf.writeBytes(std::string(size_, static_cast<char>('a' + produced_ % 26)));
    ++produced_;
    return Message(std::move(buf));
  }
  std::int64_t length() override { return count_ * static_cast<std::int64_t>(size_); }
  std::int64_t progress() override { return produced_ * static_cast<std::int64_t>(size_); }

 private:
  int count_;
  std::size_t size_;
  Stats* stats_;
  int produced_ = 0;
};

// Throws from readChunk.
class ThrowingInput : public ChunkedInput {
 public:
  explicit ThrowingInput(Stats* stats) : stats_(stats) {}
  bool isEndOfInput() override { return false; }
  void close() override { ++stats_->closes; }
  ChunkResult readChunk(ByteBufAllocator&) override { throw std::runtime_error("boom"); }
  std::int64_t length() override { return -1; }
  std::int64_t progress() override { return 0; }

 private:
  Stats* stats_;
};

// Returns none until opened; installs no resume callback, so only resumeTransfer() helps.
class GatedInput : public ChunkedInput {
 public:
  explicit GatedInput(bool* open) : open_(open) {}
  bool isEndOfInput() override { return done_; }
  void close() override {}
  ChunkResult readChunk(ByteBufAllocator&) override {
    if (!*open_ || done_) {
      return {};
    }
    done_ = true;
    return Message(Unpooled::copiedBuffer("gated"));
  }
  std::int64_t length() override { return 5; }
  std::int64_t progress() override { return done_ ? 5 : 0; }

 private:
  bool* open_;
  bool done_ = false;
};

// Fails the promise of its `n`th write (counting from 1) and passes the others on.
class FailNthWrite : public ChannelOutboundHandler {
 public:
  explicit FailNthWrite(int n) : n_(n) {}
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    if (++writes_ == n_) {
      promise.tryFailure(Error(CoreErrc::UnsupportedOperation, "refused"));
      return;
    }
    ctx.write(std::move(msg), std::move(promise));
  }

 private:
  int n_;
  int writes_ = 0;
};

std::string text(const Message& msg) { return msg.get<ByteBuf>().toString(); }

std::vector<std::string> drainText(EmbeddedChannel& ch) {
  std::vector<std::string> all;
  while (Message m = ch.readOutbound()) {
    all.push_back(text(m));
  }
  return all;
}

class ChunkedWriteHandlerTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
    testing::SluiceTest::TearDown();
  }

  // A file in /tmp of `size` bytes of byteAt(i), written 1 MiB at a time.
  void makeFile(std::uint64_t size) {
    std::string name = "/tmp/sluice-chunked-write-XXXXXX";
    const int fd = ::mkstemp(name.data());
    ASSERT_GE(fd, 0);
    path_ = name;
    std::vector<std::uint8_t> block(1 << 20);
    for (std::uint64_t at = 0; at < size; at += block.size()) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - at));
      for (std::size_t i = 0; i < n; ++i) {
        block[i] = byteAt(at + i);
      }
      ASSERT_EQ(::write(fd, block.data(), n), static_cast<ssize_t>(n));
    }
    ::close(fd);
  }
  int openFile() const { return ::open(path_.c_str(), O_RDONLY | O_CLOEXEC); }

  std::string path_;
};

TEST_F(ChunkedWriteHandlerTest, WritesEveryChunkThenCompletesThePromise) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  Stats stats;
  ChannelFuture f = ch.writeAndFlush(Message(CountingInput(3, 4, &stats)));
  EXPECT_EQ(drainText(ch), (std::vector<std::string>{"aaaa", "bbbb", "cccc"}));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(stats.closes, 1);
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, OtherMessagesPassThroughInOrder) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  Stats stats;
  ChannelFuture before = ch.write(Unpooled::copiedBuffer("before"));
  ChannelFuture chunked = ch.write(Message(CountingInput(2, 2, &stats)));
  ChannelFuture after = ch.write(Unpooled::copiedBuffer("after"));
  EXPECT_TRUE(ch.outboundMessages().empty());  // nothing moves before the flush
  EXPECT_EQ(stats.reads, 0);
  ch.flush();
  EXPECT_EQ(drainText(ch), (std::vector<std::string>{"before", "aa", "bb", "after"}));
  EXPECT_TRUE(before.isSuccess());
  EXPECT_TRUE(chunked.isSuccess());
  EXPECT_TRUE(after.isSuccess());
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, StopsReadingWhileUnwritableAndResumesWhenDrained) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ch.config().setWriteBufferWaterMark({.low = 8192, .high = 16384});
  ch.setOutboundHeld(true);
  Stats stats;
  constexpr std::size_t kChunk = 4096;
  ChannelFuture f = ch.writeAndFlush(Message(CountingInput(20, kChunk, &stats)));

  // Four chunks reach the high mark exactly; the fifth goes above it and the handler stops.
  EXPECT_EQ(stats.reads, 5);
  EXPECT_FALSE(ch.isWritable());
  EXPECT_EQ(ch.pendingOutboundBytes(), 5 * kChunk);
  ch.runPendingTasks();  // channelWritabilityChanged (unwritable) reads nothing
  ch.flush();            // nor does a flush while unwritable
  EXPECT_EQ(stats.reads, 5);
  EXPECT_FALSE(f.isDone());

  std::size_t drained = 0;
  int rounds = 0;
  while (!f.isDone()) {
    ASSERT_LT(++rounds, 100);
    ASSERT_GT(ch.drainOutbound(), 0U);  // the peer reads: writable again below the low mark
    ch.runPendingTasks();
    while (Message m = ch.readOutbound()) {
      ASSERT_EQ(m.get<ByteBuf>().readableBytes(), kChunk);
      ++drained;
    }
    // Never more than the high water mark plus one chunk in the channel.
    EXPECT_LE(ch.pendingOutboundBytes(), 16384 + kChunk);
    EXPECT_LE(static_cast<std::size_t>(stats.reads) - drained, 16384 / kChunk + 1);
  }
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(drained, 20U);
  EXPECT_EQ(stats.reads, 20);  // the last chunk says it is the end: no read after it
  EXPECT_EQ(stats.closes, 1);
  EXPECT_GT(rounds, 3);
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, PromiseCompletesOnlyWhenTheLastChunkHasLeft) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ch.setOutboundHeld(true);
  Stats stats;
  ChannelFuture f = ch.writeAndFlush(Message(CountingInput(2, 10, &stats)));
  EXPECT_EQ(stats.reads, 2);  // all read (far below the high mark) ...
  EXPECT_FALSE(f.isDone());   // ... but not written yet
  EXPECT_EQ(stats.closes, 0);
  EXPECT_EQ(ch.drainOutbound(), 2U);
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(stats.closes, 1);
  ch.releaseOutbound();
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, LargeFileStaysWithinTheWaterMarks) {
  constexpr std::uint64_t kSize = 64ULL << 20;
  makeFile(kSize);
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ch.setOutboundHeld(true);
  const WriteBufferWaterMark marks = ch.config().writeBufferWaterMark();  // 32 / 64 KiB
  ByteBufAllocator& alloc = ch.alloc();
  const std::uint64_t usedAtStart = alloc.metrics().usedBytes;

  ChannelFuture f = ch.writeAndFlush(Message(ChunkedFile(openFile(), 0, kSize)));
  std::size_t maxPending = 0;
  std::uint64_t maxUsed = 0;
  std::uint64_t received = 0;
  while (!f.isDone()) {
    maxPending = std::max(maxPending, ch.pendingOutboundBytes());
    maxUsed = std::max(maxUsed, alloc.metrics().usedBytes - usedAtStart);
    ASSERT_GT(ch.drainOutbound(), 0U);
    ch.runPendingTasks();
    while (Message m = ch.readOutbound()) {
      const ByteBuf& buf = m.get<ByteBuf>();
      const std::span<const std::uint8_t> bytes = buf.readableSpan();
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] != byteAt(received + i)) {
          FAIL() << "byte " << received + i << " differs";
        }
      }
      received += bytes.size();
    }
  }
  ASSERT_TRUE(f.isSuccess()) << f.cause().message();
  EXPECT_EQ(received, kSize);
  EXPECT_LE(maxPending, marks.high + ChunkedFile::kDefaultChunkSize);
  EXPECT_GE(maxPending, marks.high);
  // Live buffers are the queued chunks, counted in whole pool blocks.
  EXPECT_LE(maxUsed, 2 * (marks.high + ChunkedFile::kDefaultChunkSize));
  RecordProperty("maxPendingBytes", static_cast<int>(maxPending));
  RecordProperty("maxUsedBytes", static_cast<int>(maxUsed));
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, ReadErrorFailsTheWriteAndLaterWritesGoOn) {
  makeFile(1000);
  const std::size_t fds = openDescriptors();
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ChannelFuture f = ch.write(Message(ChunkedFile(openFile(), 0, 5000, 512)));
  ChannelFuture after = ch.write(Unpooled::copiedBuffer("after"));
  ch.flush();
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), std::errc::io_error);
  EXPECT_EQ(f.cause().message(), "unexpected end of file at offset 1000");
  EXPECT_EQ(openDescriptors(), fds);  // closed on failure
  EXPECT_TRUE(after.isSuccess());
  std::vector<std::string> out = drainText(ch);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].size(), 512U);
  EXPECT_EQ(out[1], "after");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, InputThatThrowsFailsTheWrite) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  Stats stats;
  ChannelFuture f = ch.writeAndFlush(Message(ThrowingInput(&stats)));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause(), CoreErrc::HandlerException);
  EXPECT_EQ(f.cause().message(), "boom");
  EXPECT_EQ(stats.closes, 1);
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, FailureWithAVoidPromiseReachesExceptionCaughtOnce) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  Stats stats;
  ch.writeAndFlush(Message(ThrowingInput(&stats)), ch.voidPromise());
  try {
    ch.checkException();
    FAIL() << "no error reached the tail";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().message(), "boom");
  }
  EXPECT_NO_THROW(ch.checkException());
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, FailedChunkWriteFailsTheWriteAndClosesTheInput) {
  EmbeddedChannel ch(std::make_unique<FailNthWrite>(2), std::make_unique<ChunkedWriteHandler>());
  Stats stats;
  ChannelFuture f = ch.writeAndFlush(Message(CountingInput(5, 3, &stats)));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause(), CoreErrc::UnsupportedOperation);
  EXPECT_EQ(stats.closes, 1);
  EXPECT_EQ(stats.reads, 2);  // nothing read after the failure
  ChannelFuture after = ch.writeAndFlush(Unpooled::copiedBuffer("after"));
  EXPECT_TRUE(after.isSuccess());
  EXPECT_EQ(drainText(ch), (std::vector<std::string>{"aaa", "after"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, EmptyInputWritesAnEmptyBufferAndSucceeds) {
  makeFile(0);
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ChannelFuture f = ch.writeAndFlush(Message(ChunkedFile(openFile(), 0, 0)));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(drainText(ch), std::vector<std::string>{""});
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, CloseFailsPendingWritesAndReleasesEverything) {
  makeFile(1 << 20);
  const std::size_t fds = openDescriptors();
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ch.setOutboundHeld(true);
  ChannelFuture first = ch.write(Message(ChunkedFile(openFile(), 0, 1 << 20)));
  ChannelFuture plain = ch.write(Unpooled::copiedBuffer("plain"));
  ChannelFuture second = ch.write(Message(ChunkedFile(openFile(), 0, 1 << 20)));
  ch.flush();
  EXPECT_FALSE(ch.isWritable());
  EXPECT_EQ(openDescriptors(), fds + 2);
  ch.close();
  ch.runPendingTasks();
  ASSERT_TRUE(first.isDone() && plain.isDone() && second.isDone());
  EXPECT_EQ(first.cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(plain.cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(second.cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(openDescriptors(), fds);
  ch.finishAndReleaseAll();
  // The fixture checks that no chunk was left behind.
}

TEST_F(ChunkedWriteHandlerTest, WritesAfterCloseFailWithoutReading) {
  EmbeddedChannel ch(std::make_unique<ChunkedWriteHandler>());
  ch.close();
  Stats stats;
  ChannelFuture f = ch.writeAndFlush(Message(CountingInput(3, 3, &stats)));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(stats.reads, 0);
}

TEST_F(ChunkedWriteHandlerTest, RemovingTheHandlerFailsWhatIsQueued) {
  auto handler = std::make_unique<ChunkedWriteHandler>();
  ChunkedWriteHandler& h = *handler;
  EmbeddedChannel ch(std::move(handler));
  ChunkedStream stream;
  ChannelFuture streamed = ch.write(Message(stream));
  ChannelFuture plain = ch.write(Unpooled::copiedBuffer("plain"));
  ch.flush();  // the stream has no data: both wait
  EXPECT_FALSE(streamed.isDone());
  EXPECT_FALSE(plain.isDone());
  ch.pipeline().remove(h);
  ASSERT_TRUE(streamed.isDone() && plain.isDone());
  EXPECT_EQ(streamed.cause(), CoreErrc::Cancelled);
  EXPECT_EQ(plain.cause(), CoreErrc::Cancelled);
  EXPECT_TRUE(stream.isClosed());
  EXPECT_FALSE(stream.write(Unpooled::copiedBuffer("late")));
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(ChunkedWriteHandlerTest, ResumeTransferContinuesAnInputThatHadNoData) {
  auto handler = std::make_unique<ChunkedWriteHandler>();
  ChunkedWriteHandler& h = *handler;
  EmbeddedChannel ch(std::move(handler));
  bool open = false;
  ChannelFuture f = ch.write(Message(GatedInput(&open)));
  ch.write(Unpooled::copiedBuffer("next"));
  ch.flush();
  EXPECT_TRUE(ch.outboundMessages().empty());
  h.resumeTransfer();  // still nothing: stays suspended
  EXPECT_TRUE(ch.outboundMessages().empty());
  open = true;
  h.resumeTransfer();
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(drainText(ch), (std::vector<std::string>{"gated", "next"}));
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
