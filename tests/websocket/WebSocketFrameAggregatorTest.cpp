#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocketError.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketFrameAggregator.h>

#include <string>

#include "WebSocketTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketFrameAggregatorTest = sluice::testing::SluiceTest;

Events run(std::size_t max, const std::string& wire) {
  Events events;
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>(),
                     std::make_unique<WebSocketFrameAggregator>(max),
                     std::make_unique<FrameRecorder>(&events));
  ch.writeInbound(Unpooled::copiedBuffer(wire));
  for (Message& m : ch.outboundMessages()) {
    events.push_back("SENT " + renderFrame(m.get<WebSocketFrame>()));
  }
  if (!ch.isOpen()) {
    events.push_back("CLOSED");
  }
  ch.finishAndReleaseAll();
  return events;
}

TEST_F(WebSocketFrameAggregatorTest, JoinsFragmentsWithControlFramesInBetween) {
  const std::string wire = wireFrame(0x01, "Hel") + wireFrame(0x89, "p") + wireFrame(0x00, "lo ") +
                           wireFrame(0x80, "world") + wireFrame(0x02, "b1") +
                           wireFrame(0x80, "b2") + wireFrame(0x81, "whole");
  EXPECT_EQ(run(1024, wire), (Events{"PING p", "TEXT Hello world", "BINARY b1b2", "TEXT whole"}));
}

TEST_F(WebSocketFrameAggregatorTest, KeepsTheFirstFramesRsv) {
  Events events;
  EmbeddedChannel ch(std::make_unique<WebSocketFrameAggregator>(100),
                     std::make_unique<FrameRecorder>(&events));
  ch.writeInbound(TextWebSocketFrame(false, 4, "a"), ContinuationWebSocketFrame(true, 0, "b"));
  EXPECT_EQ(events, (Events{"TEXT(rsv4) ab"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocketFrameAggregatorTest, OversizedMessageIsDroppedAndClosedWith1009) {
  const std::string wire =
      wireFrame(0x01, std::string(6, 'a')) + wireFrame(0x80, std::string(6, 'b'));
  EXPECT_EQ(run(10, wire), (Events{"EXCEPTION message too large: more than 10 bytes",
                                   "SENT CLOSE 1009 message too large", "CLOSED"}));
}

TEST_F(WebSocketFrameAggregatorTest, ErrorIsTyped) {
  EmbeddedChannel ch(std::make_unique<WebSocketFrameAggregator>(2));
  try {
    ch.writeInbound(TextWebSocketFrame(false, 0, "abc"));
    FAIL() << "expected the oversize error";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().code(), WebSocketErrc::MessageTooLarge);
  }
  ch.finishAndReleaseAll();
}

TEST_F(WebSocketFrameAggregatorTest, OtherMessagesPassThrough) {
  EmbeddedChannel ch(std::make_unique<WebSocketFrameAggregator>(10));
  ch.writeInbound(Unpooled::copiedBuffer("raw"));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::websocket
