// The code shown in docs/core.md's sections on codecs, stock handlers and ChannelGroup.
// Each region between "// [docs:NAME]" and "// [docs:end]" appears verbatim in the page
// (checked by the docs.snippets test), and compiles and runs here.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/LengthFieldBasedFrameDecoder.h>
#include <sluice/codec/LengthFieldPrepender.h>
#include <sluice/handler/IdleStateHandler.h>
#include <sluice/handler/LoggingHandler.h>
#include <sluice/util/Log.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace docs {

// [docs:int-decoder]
// Decodes each 4-byte big-endian integer in the stream into an int message.
class IntDecoder : public sluice::ByteToMessageDecoder {
 protected:
  void decode(sluice::ChannelHandlerContext&, sluice::ByteBuf& in, Out& out) override {
    if (in.readableBytes() < 4) {
      return;  // not enough yet: the base keeps the bytes and calls again on the next read
    }
    out.emplace_back(in.readInt());
  }
};
// [docs:end]

// [docs:framing]
class FramedInitializer : public sluice::ChannelInitializer {
 protected:
  void initChannel(sluice::Channel& ch) override {
    auto& p = ch.pipeline();
    // Inbound: [length:4][payload] -> payload (at most 64 KiB, header stripped).
    p.addLast<sluice::LengthFieldBasedFrameDecoder>(sluice::LengthFieldBasedFrameDecoderConfig{
        .maxFrameLength = 65536 + 4, .lengthFieldLength = 4, .initialBytesToStrip = 4});
    // Outbound: payload -> [length:4][payload].
    p.addLast<sluice::LengthFieldPrepender>(
        sluice::LengthFieldPrependerConfig{.lengthFieldLength = 4});
  }
};
// [docs:end]

// [docs:idle]
// Pings a peer that has been quiet for 30 s, and closes it after 60 s of silence.
class Heartbeat : public sluice::ChannelInboundHandler {
 public:
  void userEventTriggered(sluice::ChannelHandlerContext& ctx, sluice::Message event) override {
    if (const auto* idle = event.getIf<sluice::IdleStateEvent>()) {
      if (idle->first) {
        ctx.writeAndFlush(sluice::Unpooled::copiedBuffer("PING\n"));
      } else {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};

void addHeartbeat(sluice::ChannelPipeline& p) {
  using namespace std::chrono_literals;
  p.addLast<sluice::IdleStateHandler>(sluice::IdleStateHandlerConfig{.readerIdleTime = 30s});
  p.addLast<Heartbeat>();
}
// [docs:end]

// [docs:log-sink]
// Routes sluice's records into the application's own logger.
void routeLogs(std::vector<std::string>& appLog) {
  sluice::Log::setLevel(sluice::LogLevel::Debug);
  sluice::Log::setSink(
      [&appLog](sluice::LogLevel level, std::string_view logger, std::string_view message) {
        appLog.push_back(std::string(sluice::toString(level)) + " [" + std::string(logger) + "] " +
                         std::string(message));
      });
}
// [docs:end]

// [docs:chat-room]
// Every message one member sends is sent, encoded once, to every other member.
class ChatRoomHandler : public sluice::SimpleChannelInboundHandler<sluice::ByteBuf> {
 public:
  explicit ChatRoomHandler(sluice::ChannelGroup& room) : room_(room) {}

  void channelActive(sluice::ChannelHandlerContext& ctx) override {
    room_.add(ctx.channel().shared());  // forgotten again when the channel closes
    ctx.fireChannelActive();
  }

 protected:
  void channelRead0(sluice::ChannelHandlerContext& ctx, sluice::ByteBuf& line) override {
    // The bytes are the wire format here; every member gets a duplicate() of them.
    room_.writeAndFlush(line.duplicate(), {.exclude = &ctx.channel()});
  }

 private:
  sluice::ChannelGroup& room_;
};
// [docs:end]

class CodecDocsTest : public sluice::testing::SluiceTest {};

TEST_F(CodecDocsTest, IntDecoderDecodesAcrossReads) {
  sluice::EmbeddedChannel ch(std::make_unique<IntDecoder>());
  ch.writeInbound(sluice::Unpooled::copiedBuffer(std::string_view("\0\0\0\x07\0\0", 6)));
  ch.writeInbound(sluice::Unpooled::copiedBuffer(std::string_view("\x01\x00", 2)));
  EXPECT_EQ(*ch.readInbound<std::int32_t>(), 7);
  EXPECT_EQ(*ch.readInbound<std::int32_t>(), 256);
  EXPECT_FALSE(ch.finish());
}

TEST_F(CodecDocsTest, FramedPipelineRoundTrips) {
  sluice::EmbeddedChannel ch(std::make_shared<FramedInitializer>());
  ch.writeOutbound(sluice::Unpooled::copiedBuffer("hello"));
  std::string wire;
  while (sluice::Message m = ch.readOutbound()) {
    wire += m.get<sluice::ByteBuf>().toString();
  }
  EXPECT_EQ(wire, std::string("\0\0\0\x05hello", 9));
  ch.writeInbound(sluice::Unpooled::copiedBuffer(wire));
  EXPECT_EQ(ch.readInbound<sluice::ByteBuf>()->toString(), "hello");
  EXPECT_FALSE(ch.finish());
}

TEST_F(CodecDocsTest, HeartbeatPingsThenCloses) {
  using namespace std::chrono_literals;
  sluice::EmbeddedChannel ch;
  addHeartbeat(ch.pipeline());
  ch.advanceTimeBy(30s);
  ch.runPendingTasks();
  EXPECT_EQ(ch.readOutbound<sluice::ByteBuf>()->toString(), "PING\n");
  ch.advanceTimeBy(30s);
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
}

TEST_F(CodecDocsTest, LogsReachTheApplicationSink) {
  const sluice::LogLevel level = sluice::Log::level();
  std::vector<std::string> appLog;
  routeLogs(appLog);
  {
    sluice::EmbeddedChannel ch(std::make_unique<sluice::LoggingHandler>());
    ch.writeInbound(sluice::Unpooled::copiedBuffer("x"));
    ch.finishAndReleaseAll();
  }
  sluice::Log::setSink({});
  sluice::Log::setLevel(level);
  ASSERT_FALSE(appLog.empty());
  EXPECT_NE(appLog.front().find("debug [handler.logging]"), std::string::npos);
}

TEST_F(CodecDocsTest, ChatRoomSendsToEveryoneButTheSender) {
  sluice::ChannelGroup room;
  auto alice = std::make_shared<sluice::EmbeddedChannel>();
  auto bob = std::make_shared<sluice::EmbeddedChannel>();
  alice->pipeline().addLast<ChatRoomHandler>(room);
  bob->pipeline().addLast<ChatRoomHandler>(room);
  room.add(alice);  // added after activation here; a server adds them in channelActive
  room.add(bob);
  alice->writeInbound(sluice::Unpooled::copiedBuffer("hi bob"));
  EXPECT_TRUE(alice->outboundMessages().empty());
  EXPECT_EQ(bob->readOutbound().get<sluice::ByteBuf>().toString(), "hi bob");
  room.close();
  EXPECT_TRUE(room.isEmpty());
}

}  // namespace docs
