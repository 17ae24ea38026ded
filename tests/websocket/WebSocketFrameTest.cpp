#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using WebSocketFrameTest = sluice::testing::SluiceTest;

class AnyFrameHandler : public SimpleChannelInboundHandler<WebSocketFrame> {
 public:
  explicit AnyFrameHandler(std::vector<WebSocketOpcode>* seen) : seen_(seen) {}

 protected:
  void channelRead0(ChannelHandlerContext&, WebSocketFrame& frame) override {
    seen_->push_back(frame.opcode());
  }

 private:
  std::vector<WebSocketOpcode>* seen_;
};

TEST_F(WebSocketFrameTest, SimpleHandlerOfWebSocketFrameReceivesEveryFrameType) {
  std::vector<WebSocketOpcode> seen;
  EmbeddedChannel ch(std::make_unique<AnyFrameHandler>(&seen));
  ch.writeInbound(TextWebSocketFrame("t"), BinaryWebSocketFrame(Unpooled::copiedBuffer("b")),
                  ContinuationWebSocketFrame(Unpooled::copiedBuffer("c")), PingWebSocketFrame(),
                  PongWebSocketFrame(), CloseWebSocketFrame(WebSocketCloseStatus::kNormalClosure));
  EXPECT_EQ(seen, (std::vector<WebSocketOpcode>{
                      WebSocketOpcode::Text, WebSocketOpcode::Binary, WebSocketOpcode::Continuation,
                      WebSocketOpcode::Ping, WebSocketOpcode::Pong, WebSocketOpcode::Close}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocketFrameTest, FramesAreStoredInlineInAMessage) {
  static_assert(sizeof(TextWebSocketFrame) <= Message::kInlineSize);
  static_assert(IsTriviallyRelocatable<CloseWebSocketFrame>::value);
  Message m = TextWebSocketFrame("hello");
  EXPECT_TRUE(m.isExactly<TextWebSocketFrame>());
  EXPECT_TRUE(m.is<WebSocketFrame>());
  EXPECT_FALSE(m.is<BinaryWebSocketFrame>());
  const auto* before = m.getIf<TextWebSocketFrame>();
  // Inline storage: the frame lives inside the Message object itself.
  EXPECT_GE(reinterpret_cast<const char*>(before), reinterpret_cast<const char*>(&m));
  EXPECT_LT(reinterpret_cast<const char*>(before), reinterpret_cast<const char*>(&m + 1));
  Message moved = std::move(m);
  EXPECT_EQ(moved.get<TextWebSocketFrame>().text(), "hello");
}

TEST_F(WebSocketFrameTest, TextFrameFromTextReservesHeaderHeadroom) {
  TextWebSocketFrame f("héllo");
  EXPECT_EQ(f.text(), "héllo");
  EXPECT_TRUE(f.isFinalFragment());
  EXPECT_EQ(f.rsv(), 0);
  EXPECT_EQ(f.opcode(), WebSocketOpcode::Text);
  EXPECT_FALSE(f.isControlFrame());
  EXPECT_TRUE(f.content().canPrepend(WebSocketFrame::kMaxHeaderSize));
}

TEST_F(WebSocketFrameTest, FinAndRsvAreKept) {
  BinaryWebSocketFrame f(false, 4, Unpooled::copiedBuffer("x"));
  EXPECT_FALSE(f.isFinalFragment());
  EXPECT_EQ(f.rsv(), 4);
  EXPECT_THROW(BinaryWebSocketFrame(true, 8, ByteBuf()), std::invalid_argument);
  EXPECT_THROW(BinaryWebSocketFrame(true, -1, ByteBuf()), std::invalid_argument);
}

TEST_F(WebSocketFrameTest, CloseFrameCarriesStatusAndReason) {
  CloseWebSocketFrame normal(WebSocketCloseStatus::kNormalClosure);
  EXPECT_EQ(normal.statusCode(), 1000);
  EXPECT_EQ(normal.reasonText(), "Bye");
  EXPECT_TRUE(normal.isControlFrame());
  CloseWebSocketFrame custom(4001, "custom reason");
  EXPECT_EQ(custom.statusCode(), 4001);
  EXPECT_EQ(custom.reasonText(), "custom reason");
  EXPECT_EQ(custom.content().toString(), std::string("\x0F\xA1", 2) + "custom reason");
  CloseWebSocketFrame empty;
  EXPECT_EQ(empty.statusCode(), -1);
  EXPECT_EQ(empty.reasonText(), "");
  CloseWebSocketFrame codeOnly(WebSocketCloseStatus::kProtocolError, "");
  EXPECT_EQ(codeOnly.statusCode(), 1002);
  EXPECT_EQ(codeOnly.reasonText(), "");
}

TEST_F(WebSocketFrameTest, CloseFrameRefusesCodesThatMayNotBeSent) {
  EXPECT_THROW(CloseWebSocketFrame{WebSocketCloseStatus::kEmpty}, std::invalid_argument);
  EXPECT_THROW(CloseWebSocketFrame{WebSocketCloseStatus::kAbnormalClosure}, std::invalid_argument);
  EXPECT_THROW(CloseWebSocketFrame(1015, ""), std::invalid_argument);
  EXPECT_THROW(CloseWebSocketFrame(999, ""), std::invalid_argument);
  EXPECT_THROW(CloseWebSocketFrame(1000, std::string(124, 'x')), std::invalid_argument);
  EXPECT_NO_THROW(CloseWebSocketFrame(1000, std::string(123, 'x')));
}

TEST_F(WebSocketFrameTest, MovingAFrameMovesItsContent) {
  PingWebSocketFrame a(Unpooled::copiedBuffer("ping"));
  PingWebSocketFrame b = std::move(a);
  EXPECT_EQ(b.content().toStringView(), "ping");
  EXPECT_EQ(a.content().readableBytes(), 0u);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace sluice::websocket
