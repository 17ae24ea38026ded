// What a channel reports as it closes: ChannelClosedEvent right before channelInactive, the
// close reason recorded by whoever closed it, the connection metrics and the one log line.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelClosedEvent.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/embedded/EmbeddedEventLoop.h>
#include <sluice/handler/ReadTimeoutHandler.h>
#include <sluice/handler/WriteTimeoutHandler.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/util/Log.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "support/SluiceTest.h"
#include "support/TestChannel.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class ChannelClosedEventTest : public testing::SluiceTest {};

// Records the close event and the order of the last inbound events.
struct CloseWatcher : ChannelInboundHandler {
  std::vector<std::string> events;
  std::optional<ChannelClosedEvent> closed;
  bool wasOpenAtEvent = true;

  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (const auto* e = event.getIf<ChannelClosedEvent>()) {
      events.emplace_back("closed");
      closed = *e;
      wasOpenAtEvent = ctx.channel().isOpen();
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
  void channelInactive(ChannelHandlerContext& ctx) override {
    events.emplace_back("inactive");
    ctx.fireChannelInactive();
  }
  void exceptionCaught(ChannelHandlerContext&, const Error&) override {}
  void channelRead(ChannelHandlerContext&, Message) override {}
};

// Marks every DrainEvent handled and keeps the channel open: a protocol that winds down by
// itself.
struct DrainAnswerer : ChannelInboundHandler {
  int drains = 0;
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (auto* drain = event.getIf<DrainEvent>()) {
      drain->handled = true;
      ++drains;
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};

std::uint64_t closedTotal(std::string_view initiator) {
  return MetricsRegistry::global()
      .counter("sluice_connections_closed_total", "", {{"initiator", std::string(initiator)}})
      .value();
}
std::int64_t openConnections() {
  return MetricsRegistry::global().gauge("sluice_connections_open", "").value();
}
std::uint64_t counterValue(std::string_view name) {
  return MetricsRegistry::global().counter(name, "").value();
}

// Captures the "channel" log records while it lives; restores the previous sink after.
class ChannelLogCapture {
 public:
  ChannelLogCapture()
      : previous_(
            Log::setSink([this](LogLevel level, std::string_view logger, std::string_view message) {
              if (logger == "channel") {
                std::lock_guard lock(mutex_);
                lines_.push_back({level, std::string(message)});
              }
            })) {}
  ~ChannelLogCapture() { Log::setSink(std::move(previous_)); }

  std::vector<std::pair<LogLevel, std::string>> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
  Log::Sink previous_;
};

TEST_F(ChannelClosedEventTest, ApplicationCloseFiresTheEventRightBeforeChannelInactive) {
  EmbeddedChannel ch;
  CloseWatcher& w = ch.pipeline().addLast<CloseWatcher>();
  ch.close();
  EXPECT_EQ(w.events, (std::vector<std::string>{"closed", "inactive"}));
  ASSERT_TRUE(w.closed.has_value());
  EXPECT_FALSE(w.wasOpenAtEvent);
  EXPECT_EQ(w.closed->reason.initiator, CloseInitiator::Application);
  EXPECT_EQ(ch.closeReason().initiator, CloseInitiator::Application);
  EXPECT_TRUE(w.closed->reason.rule.empty());
  EXPECT_FALSE(w.closed->reason.error);
}

TEST_F(ChannelClosedEventTest, CarriesTheReasonRecordedBeforeTheClose) {
  EmbeddedChannel ch;
  CloseWatcher& w = ch.pipeline().addLast<CloseWatcher>();
  ch.closeReason().record(CloseInitiator::Protocol, "RFC 6455 5.1: a client frame must be masked");
  ch.closeReason().recordSent(1002, "unmasked frame");
  // Later reasons lose: the first initiator stays, the codes are kept once each.
  EXPECT_FALSE(ch.closeReason().record(CloseInitiator::Peer, "end of stream"));
  ch.closeReason().recordSent(1000);
  ch.close();
  ASSERT_TRUE(w.closed.has_value());
  EXPECT_EQ(w.closed->reason.initiator, CloseInitiator::Protocol);
  EXPECT_EQ(w.closed->reason.rule, "RFC 6455 5.1: a client frame must be masked");
  EXPECT_EQ(w.closed->reason.codeSent, 1002);
  EXPECT_EQ(w.closed->reason.reasonSent, "unmasked frame");
}

TEST_F(ChannelClosedEventTest, FiresOnceAndOnlyForAChannelThatWasActive) {
  EmbeddedEventLoop loop;
  auto never = std::make_shared<testing::TestChannel>(loop);
  CloseWatcher& w = never->pipeline().addLast<CloseWatcher>();
  const std::int64_t open = openConnections();
  const std::uint64_t app = closedTotal("application");
  never->close();
  EXPECT_TRUE(w.events.empty());
  EXPECT_EQ(openConnections(), open);
  EXPECT_EQ(closedTotal("application"), app);

  EmbeddedChannel ch;
  CloseWatcher& w2 = ch.pipeline().addLast<CloseWatcher>();
  ch.close();
  ch.close();
  EXPECT_EQ(w2.events, (std::vector<std::string>{"closed", "inactive"}));
}

TEST_F(ChannelClosedEventTest, UnhandledDrainEventClosesTheChannelAtTheTail) {
  EmbeddedChannel ch;
  CloseWatcher& w = ch.pipeline().addLast<CloseWatcher>();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  ch.pipeline().fireUserEventTriggered(DrainEvent{.deadline = deadline});
  EXPECT_FALSE(ch.isOpen());
  ASSERT_TRUE(w.closed.has_value());
  EXPECT_EQ(w.closed->reason.initiator, CloseInitiator::Shutdown);
  EXPECT_EQ(w.closed->reason.rule, "drain");
}

TEST_F(ChannelClosedEventTest, HandledDrainEventLeavesTheClosingToTheHandler) {
  EmbeddedChannel ch;
  DrainAnswerer& answerer = ch.pipeline().addLast<DrainAnswerer>();
  ch.pipeline().fireUserEventTriggered(DrainEvent{.deadline = std::chrono::steady_clock::now()});
  EXPECT_EQ(answerer.drains, 1);
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.closeReason().isRecorded());
}

TEST_F(ChannelClosedEventTest, ReadTimeoutIsReportedAsTimeout) {
  EmbeddedChannel ch(std::make_unique<ReadTimeoutHandler>(30s));
  CloseWatcher& w = ch.pipeline().addLast<CloseWatcher>();
  const std::uint64_t timeouts = closedTotal("timeout");
  ch.advanceTimeBy(30s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  ASSERT_TRUE(w.closed.has_value());
  EXPECT_EQ(w.closed->reason.initiator, CloseInitiator::Timeout);
  EXPECT_EQ(w.closed->reason.rule, "read timeout 30000 ms");
  EXPECT_EQ(closedTotal("timeout"), timeouts + 1);
}

// Holds writes (a peer that does not read).
struct Stall : ChannelOutboundHandler {
  std::vector<std::pair<Message, ChannelPromise>> held;
  void write(ChannelHandlerContext&, Message msg, ChannelPromise promise) override {
    held.emplace_back(std::move(msg), std::move(promise));
  }
};

TEST_F(ChannelClosedEventTest, WriteTimeoutIsReportedAsTimeout) {
  auto stall = std::make_unique<Stall>();
  Stall& s = *stall;
  EmbeddedChannel ch(std::move(stall), std::make_unique<WriteTimeoutHandler>(5s));
  CloseWatcher& w = ch.pipeline().addLast<CloseWatcher>();
  ch.writeAndFlush(Unpooled::copiedBuffer("stuck"));
  ch.advanceTimeBy(5s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  ASSERT_TRUE(w.closed.has_value());
  EXPECT_EQ(w.closed->reason.initiator, CloseInitiator::Timeout);
  EXPECT_EQ(w.closed->reason.rule, "write timeout 5000 ms");
  s.held.clear();
}

TEST_F(ChannelClosedEventTest, CountsOpenAndClosedConnectionsByInitiator) {
  const std::int64_t open = openConnections();
  const std::uint64_t app = closedTotal("application");
  const std::uint64_t peer = closedTotal("peer");
  {
    EmbeddedChannel a;
    EmbeddedChannel b;
    EXPECT_EQ(openConnections(), open + 2);
    a.close();
    EXPECT_EQ(openConnections(), open + 1);
    b.closeReason().record(CloseInitiator::Peer, "end of stream");
    b.close();
  }
  EXPECT_EQ(openConnections(), open);
  EXPECT_EQ(closedTotal("application"), app + 1);
  EXPECT_EQ(closedTotal("peer"), peer + 1);
}

TEST_F(ChannelClosedEventTest, CarriesTheBytesTheTransportMovedAndTheirMetrics) {
  EmbeddedEventLoop loop;
  auto ch = std::make_shared<testing::TestChannel>(loop);
  CloseWatcher& w = ch->pipeline().addLast<CloseWatcher>();
  ch->start();
  const std::uint64_t read = counterValue("sluice_bytes_read_total");
  const std::uint64_t written = counterValue("sluice_bytes_written_total");
  ch->receive(Unpooled::copiedBuffer("hello"));
  ch->receive(Unpooled::copiedBuffer("world!"));
  ch->writeAndFlush(Unpooled::copiedBuffer("0123456789"));
  EXPECT_EQ(ch->bytesRead(), 11U);
  EXPECT_EQ(ch->bytesWritten(), 10U);
  EXPECT_EQ(counterValue("sluice_bytes_read_total"), read + 11);
  EXPECT_EQ(counterValue("sluice_bytes_written_total"), written + 10);
  ch->close();
  ASSERT_TRUE(w.closed.has_value());
  EXPECT_EQ(w.closed->bytesRead, 11U);
  EXPECT_EQ(w.closed->bytesWritten, 10U);
  EXPECT_GE(w.closed->duration, std::chrono::steady_clock::duration::zero());
}

TEST_F(ChannelClosedEventTest, WritesOneLogfmtLinePerClosedConnection) {
  ChannelLogCapture capture;
  std::string id;
  {
    EmbeddedChannel ch;
    id = ch.id().asShortText();
    ch.closeReason().record(CloseInitiator::Peer, "close frame");
    ch.closeReason().recordReceived(1000, "bye now");
    ch.closeReason().recordSent(1000);
    ch.close();
  }
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].first, LogLevel::Info);
  const std::regex expected("closed id=" + id +
                            " initiator=peer rule=\"close frame\" code_sent=1000"
                            " code_received=1000 reason_received=\"bye now\""
                            " duration_ms=[0-9]+ bytes_read=0 bytes_written=0");
  EXPECT_TRUE(std::regex_match(lines[0].second, expected)) << lines[0].second;
}

TEST_F(ChannelClosedEventTest, NoLogLineWhenInfoIsOff) {
  ChannelLogCapture capture;
  const LogLevel level = Log::level();
  Log::setLevel(LogLevel::Warn);
  {
    EmbeddedChannel ch;
    ch.close();
  }
  Log::setLevel(level);
  EXPECT_TRUE(capture.lines().empty());
}

}  // namespace
}  // namespace sluice
