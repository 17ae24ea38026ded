#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/stream/ChunkedStream.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketChunkedInput.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

class WebSocketChunkedInputTest : public testing::SluiceTest {
 protected:
  // "B0 a" for a binary frame without FIN and payload "a"; "C1 " for an empty final
  // continuation.
  std::string describe(ChunkResult result) {
    if (!result.hasChunk()) {
      return result.hasError() ? "error" : "none";
    }
    const auto& frame = result.chunk().get<WebSocketFrame>();
    std::string s = frame.opcode() == WebSocketOpcode::Binary ? "B" : "C";
    s += frame.isFinalFragment() ? "1" : "0";
    if (frame.rsv() != 0) {
      s += "r" + std::to_string(frame.rsv());
    }
    return s + " " + std::string(frame.content().toStringView());
  }

  PooledByteBufAllocator& alloc_ = PooledByteBufAllocator::defaultAllocator();
};

TEST_F(WebSocketChunkedInputTest, OneMessageOfABinaryFrameAndContinuations) {
  ChunkedStream stream;
  stream.write(Unpooled::copiedBuffer("a"));
  stream.write(Unpooled::copiedBuffer("b"));
  stream.write(Unpooled::copiedBuffer("c"));
  stream.end();
  WebSocketChunkedInput input(std::make_unique<ChunkedStream>(stream), 4);
  EXPECT_EQ(describe(input.readChunk(alloc_)), "B0r4 a");  // the extension's bits: first only
  EXPECT_EQ(describe(input.readChunk(alloc_)), "C0 b");
  EXPECT_FALSE(input.isEndOfInput());
  EXPECT_EQ(describe(input.readChunk(alloc_)), "C1 c");  // FIN on the last chunk
  EXPECT_TRUE(input.isEndOfInput());
  EXPECT_EQ(describe(input.readChunk(alloc_)), "none");
}

TEST_F(WebSocketChunkedInputTest, AnInputThatEndsLaterEndsWithAnEmptyFinalContinuation) {
  ChunkedStream stream;
  WebSocketChunkedInput input(std::make_unique<ChunkedStream>(stream));
  EXPECT_EQ(describe(input.readChunk(alloc_)), "none");  // no data yet: passes through
  stream.write(Unpooled::copiedBuffer("a"));
  EXPECT_EQ(describe(input.readChunk(alloc_)), "B0 a");
  stream.end();
  EXPECT_EQ(describe(input.readChunk(alloc_)), "C1 ");
  EXPECT_TRUE(input.isEndOfInput());
}

TEST_F(WebSocketChunkedInputTest, AnEmptyInputIsOneEmptyBinaryFrame) {
  ChunkedStream stream;
  stream.end();
  WebSocketChunkedInput input(std::make_unique<ChunkedStream>(stream));
  EXPECT_EQ(describe(input.readChunk(alloc_)), "B1 ");
  EXPECT_TRUE(input.isEndOfInput());
}

TEST_F(WebSocketChunkedInputTest, RefusesBadArguments) {
  EXPECT_THROW(WebSocketChunkedInput(nullptr), std::invalid_argument);
  EXPECT_THROW(WebSocketChunkedInput(std::make_unique<ChunkedStream>(), 8), std::invalid_argument);
}

TEST_F(WebSocketChunkedInputTest, StreamsThroughTheEncoderAsTheChannelTakesIt) {
  EmbeddedChannel ch;
  ch.pipeline().addLast<WebSocket13FrameEncoder>(false);
  ch.pipeline().addLast<ChunkedWriteHandler>();
  ChunkedStream stream;
  ChannelFuture written =
      ch.writeAndFlush(Message(WebSocketChunkedInput(std::make_unique<ChunkedStream>(stream))));
  stream.write(Unpooled::copiedBuffer("ab"));
  stream.write(Unpooled::copiedBuffer("c"));
  EXPECT_FALSE(written.isDone());
  stream.end();
  ASSERT_TRUE(written.isSuccess());
  std::string wire;
  while (std::optional<ByteBuf> b = ch.readOutbound<ByteBuf>()) {
    wire += b->toStringView();
  }
  // RFC 6455 5.4: a binary frame without FIN, then continuations, the last with FIN.
  EXPECT_EQ(wire, std::string("\x02\x02"
                              "ab"
                              "\x00\x01"
                              "c"
                              "\x80\x00",
                              9));
}

}  // namespace
}  // namespace sluice::websocket
