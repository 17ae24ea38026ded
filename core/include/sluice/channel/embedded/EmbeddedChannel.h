#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/embedded/EmbeddedEventLoop.h>

#include <deque>
#include <optional>
#include <typeinfo>
#include <utility>

namespace sluice {

namespace detail {
// Holds the loop so that it exists before the Channel base class is built.
struct EmbeddedLoopHolder {
  EmbeddedEventLoop loop;
};
}  // namespace detail

/// A channel with no socket, for testing handlers (Netty's EmbeddedChannel). What is written
/// inbound runs through the pipeline and what reaches the tail lands in inboundMessages();
/// what is written outbound and flushed lands in outboundMessages(). An error that reaches
/// the tail is kept and rethrown by checkException(). Tasks and timers run on an
/// EmbeddedEventLoop with a virtual clock, so timeout handlers are tested by advancing time.
///
/// ```cpp
/// sluice::EmbeddedChannel ch(std::make_unique<LineBasedFrameDecoder>(80));
/// ASSERT_TRUE(ch.writeInbound(sluice::Unpooled::copiedBuffer("hi\n")));
/// auto line = ch.readInbound<sluice::ByteBuf>();
/// EXPECT_EQ(line->toStringView(), "hi");
/// EXPECT_FALSE(ch.finish());
/// ```
///
/// The channel is registered and active once constructed. It may live on the stack; own it
/// with std::make_shared for code that needs a ChannelPtr. Its handlers live as long as it
/// does, even after finish(), so a test may inspect them. Thread: the test's thread.
class EmbeddedChannel final : private detail::EmbeddedLoopHolder, public Channel {
 public:
  EmbeddedChannel();
  /// Adds `handlers` (unique_ptr or shared_ptr each) in order, then registers and activates.
  template <HandlerPointer... Handlers>
  explicit EmbeddedChannel(Handlers... handlers) : EmbeddedChannel(NoSetup{}) {
    (pipeline().addLast(std::move(handlers)), ...);
    setUp();
  }
  /// Closes the channel if it is still open.
  ~EmbeddedChannel() override;

  EmbeddedEventLoop& embeddedEventLoop() noexcept { return loop; }

  bool isOpen() const noexcept override { return open_; }
  bool isActive() const noexcept override { return open_; }

  /// Fires each message through the pipeline, then channelReadComplete; runs pending tasks;
  /// rethrows a recorded error. True when inboundMessages() is not empty.
  template <typename... Msgs>
  bool writeInbound(Msgs&&... msgs) {
    (pipeline().fireChannelRead(Message(std::forward<Msgs>(msgs))), ...);
    return afterWriteInbound();
  }
  /// Writes each message from the tail, then flushes; runs pending tasks; rethrows a
  /// recorded error. True when outboundMessages() is not empty.
  template <typename... Msgs>
  bool writeOutbound(Msgs&&... msgs) {
    (write(Message(std::forward<Msgs>(msgs))), ...);
    return afterWriteOutbound();
  }

  /// The next message that reached the tail, or an empty Message.
  Message readInbound();
  /// The next message that was flushed out, or an empty Message.
  Message readOutbound();
  /// The next inbound message as a T (its exact type); nullopt when there is none. Throws
  /// std::bad_cast when the next one is of another type.
  template <typename T>
  std::optional<T> readInbound() {
    return take<T>(readInbound());
  }
  template <typename T>
  std::optional<T> readOutbound() {
    return take<T>(readOutbound());
  }
  std::deque<Message>& inboundMessages() noexcept { return inbound_; }
  std::deque<Message>& outboundMessages() noexcept { return outbound_; }

  /// Closes the channel, runs pending tasks, rethrows a recorded error. True when messages
  /// are left in either queue.
  bool finish();
  /// As finish(), then releases what is left in both queues.
  bool finishAndReleaseAll();
  /// Releases what is left; true if anything was.
  bool releaseInbound();
  bool releaseOutbound();

  /// Whether flushed messages stay queued in the channel instead of moving to
  /// outboundMessages() at once (default false), as bytes wait on a socket whose peer reads
  /// slowly. Held messages count against the write buffer water marks, so isWritable() turns
  /// false above the high mark and channelWritabilityChanged fires; drainOutbound() lets them
  /// go.
  void setOutboundHeld(bool held) noexcept { outboundHeld_ = held; }
  /// Moves the messages flushed so far to outboundMessages(), completing their promises, as
  /// a socket write would; writability turns true again below the low mark. Messages flushed
  /// while it runs (by handlers hearing that) stay queued. Returns how many moved.
  std::size_t drainOutbound();
  /// Bytes written and not yet moved to outboundMessages(), as the water marks count them.
  std::size_t pendingOutboundBytes() noexcept { return outboundBuffer().totalPendingWriteBytes(); }

  /// Rethrows, as ErrorException, the first error that reached the tail since the last call.
  void checkException();

  /// Runs queued tasks and due scheduled tasks; rethrows a recorded error.
  void runPendingTasks();
  /// Runs due scheduled tasks; returns the delay until the next one (negative: none).
  EventExecutor::Duration runScheduledPendingTasks();
  /// Moves the virtual clock forward; call runPendingTasks() to run what became due.
  void advanceTimeBy(EventExecutor::Duration duration) noexcept { loop.advanceTimeBy(duration); }

 protected:
  bool ownsEventLoop() const noexcept override { return true; }
  bool doClose() noexcept override;
  void doBeginRead() override {}
  void doWrite(ChannelOutboundBuffer& buffer) override;
  void onUnhandledInboundMessage(Message msg) noexcept override;
  void onUnhandledException(const Error& error) noexcept override;

 private:
  struct NoSetup {};
  explicit EmbeddedChannel(NoSetup);
  void setUp();
  bool afterWriteInbound();
  bool afterWriteOutbound();

  template <typename T>
  static std::optional<T> take(Message msg) {
    if (!msg) {
      return std::nullopt;
    }
    return msg.take<T>();
  }

  std::deque<Message> inbound_;
  std::deque<Message> outbound_;
  Error recordedError_;
  bool open_ = true;
  bool outboundHeld_ = false;
};

}  // namespace sluice
