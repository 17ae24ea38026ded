#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/codec/CodecError.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class ByteToMessageDecoderTest : public testing::SluiceTest {};

// Frames of a length given by a one-byte header; records what it sees.
class ByteLengthDecoder : public ByteToMessageDecoder {
 public:
  explicit ByteLengthDecoder(ByteToMessageDecoderConfig config = {})
      : ByteToMessageDecoder(config) {}
  std::vector<std::size_t> readerIndices;
  std::vector<std::string> lastCalls;
  bool removeSelfAfterFirst = false;
  bool throwOnX = false;
  std::size_t cumulationCapacity() { return internalBuffer().capacity(); }

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override {
    readerIndices.push_back(in.readerIndex());
    if (throwOnX && in.getUnsignedByte(in.readerIndex()) == 'X') {
      throw std::runtime_error("bad X");
    }
    if (in.getUnsignedByte(in.readerIndex()) == '!') {
      in.skipBytes(1);
      fail(Error(CodecErrc::CorruptedFrame, "bang"));
      return;
    }
    const std::size_t n = in.getUnsignedByte(in.readerIndex()) - '0';
    if (in.readableBytes() < 1 + n) {
      return;
    }
    in.skipBytes(1);
    out.emplace_back(in.readSlice(n));
    if (removeSelfAfterFirst) {
      ctx.pipeline().remove(*this);
    }
  }
  void decodeLast(ChannelHandlerContext&, ByteBuf& in, Out& out) override {
    lastCalls.push_back(in.toString());
    if (in.isReadable()) {
      out.emplace_back(in.readSlice(in.readableBytes()));
    }
  }
};

// Everything the decoder passes on, as text; errors as their messages.
struct Seen : ChannelInboundHandler {
  std::vector<std::string>* log;
  explicit Seen(std::vector<std::string>* l) : log(l) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    log->push_back(msg.get<ByteBuf>().toString());
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& e) override {
    log->push_back("error: " + e.message());
  }
};

TEST_F(ByteToMessageDecoderTest, MergeTakesTheIncomingBufferWhenNothingIsPending) {
  EmbeddedChannel ch(std::make_unique<ByteLengthDecoder>());
  ByteBuf in = Unpooled::copiedBuffer("3abc2de");
  const std::uint8_t* data = in.readableSpan().data();
  ASSERT_TRUE(ch.writeInbound(std::move(in)));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->readableSpan().data(), data + 1);  // zero copy
  EXPECT_EQ(ch.readInbound<ByteBuf>()->readableSpan().data(), data + 5);
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, BothCumulatorsJoinAFrameThatStraddlesReads) {
  for (Cumulator c : {Cumulator::Merge, Cumulator::Composite}) {
    auto decoder = std::make_unique<ByteLengthDecoder>(ByteToMessageDecoderConfig{.cumulator = c});
    ByteLengthDecoder& d = *decoder;
    EmbeddedChannel ch(std::move(decoder));
    EXPECT_FALSE(ch.writeInbound(Unpooled::copiedBuffer("5ab")));
    EXPECT_EQ(d.actualReadableBytes(), 3U);
    EXPECT_FALSE(ch.writeInbound(Unpooled::copiedBuffer("c")));
    ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("de1f")));
    EXPECT_EQ(ch.readInbound<ByteBuf>()->toString(), "abcde");
    EXPECT_EQ(ch.readInbound<ByteBuf>()->toString(), "f");
    EXPECT_EQ(d.actualReadableBytes(), 0U);
    EXPECT_FALSE(ch.finish());
  }
}

TEST_F(ByteToMessageDecoderTest, MergeAppendsInPlaceWhileNoFrameSharesTheCumulation) {
  EmbeddedChannel ch(std::make_unique<ByteLengthDecoder>());
  ByteBuf first = Unpooled::buffer(64);
  first.writeBytes("9abc");
  const std::uint8_t* data = first.readableSpan().data();
  ch.writeInbound(std::move(first));
  ch.writeInbound(Unpooled::copiedBuffer("defghi"));
  auto frame = ch.readInbound<ByteBuf>();
  EXPECT_EQ(frame->toString(), "abcdefghi");
  EXPECT_EQ(frame->readableSpan().data(), data + 1);  // the first read's memory, grown in place
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, CompositeKeepsOnlyThePendingBytesWhereMergeKeepsTheReadBuffer) {
  for (Cumulator c : {Cumulator::Merge, Cumulator::Composite}) {
    auto decoder = std::make_unique<ByteLengthDecoder>(ByteToMessageDecoderConfig{.cumulator = c});
    ByteLengthDecoder& d = *decoder;
    EmbeddedChannel ch(std::move(decoder));
    ByteBuf first = Unpooled::buffer(4096);
    first.writeBytes("9ab");
    ch.writeInbound(std::move(first));
    ch.writeInbound(Unpooled::copiedBuffer("cd"));
    EXPECT_EQ(d.actualReadableBytes(), 5U);
    if (c == Cumulator::Merge) {
      EXPECT_GE(d.cumulationCapacity(), 4096U);  // appended in place
    } else {
      EXPECT_LT(d.cumulationCapacity(), 64U);  // joined into a buffer of about 5 bytes
    }
    ch.finishAndReleaseAll();
  }
}

TEST_F(ByteToMessageDecoderTest, DiscardsReadBytesAfterTheConfiguredNumberOfReads) {
  auto decoder =
      std::make_unique<ByteLengthDecoder>(ByteToMessageDecoderConfig{.discardAfterReads = 3});
  ByteLengthDecoder& d = *decoder;
  EmbeddedChannel ch(std::move(decoder));
  ByteBuf first = Unpooled::buffer(64);
  first.writeBytes("1a9");
  ch.pipeline().fireChannelRead(std::move(first));  // leaves "9" pending at index 2
  ch.releaseInbound();                              // the frame "a" shared the cumulation's memory
  ch.pipeline().fireChannelRead(Unpooled::copiedBuffer("b"));
  EXPECT_EQ(d.readerIndices.back(), 2U);
  ch.pipeline().fireChannelRead(Unpooled::copiedBuffer("c"));  // third read: discard
  ch.pipeline().fireChannelRead(Unpooled::copiedBuffer("d"));
  EXPECT_EQ(d.readerIndices.back(), 0U);
  ch.finishAndReleaseAll();
}

TEST_F(ByteToMessageDecoderTest, SingleDecodeProducesOneMessagePerRead) {
  EmbeddedChannel ch(
      std::make_unique<ByteLengthDecoder>(ByteToMessageDecoderConfig{.singleDecode = true}));
  ch.writeInbound(Unpooled::copiedBuffer("1a1b1c"));
  EXPECT_EQ(ch.inboundMessages().size(), 1U);
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

TEST_F(ByteToMessageDecoderTest, ErrorComesAfterTheFramesDecodedBeforeIt) {
  std::vector<std::string> log;
  EmbeddedChannel ch(std::make_unique<ByteLengthDecoder>(), std::make_unique<Seen>(&log));
  ch.writeInbound(Unpooled::copiedBuffer("1a2bc!1d"));
  EXPECT_EQ(log, (std::vector<std::string>{"a", "bc", "error: bang", "d"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, AThrowingDecoderBecomesADecoderException) {
  std::vector<std::string> log;
  auto decoder = std::make_unique<ByteLengthDecoder>();
  decoder->throwOnX = true;
  EmbeddedChannel ch(std::move(decoder), std::make_unique<Seen>(&log));
  ch.writeInbound(Unpooled::copiedBuffer("1aX"));
  EXPECT_EQ(log, (std::vector<std::string>{"a", "error: bad X"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, InactiveDecodesPendingBytesThenCallsDecodeLast) {
  std::vector<std::string> log;
  auto decoder = std::make_unique<ByteLengthDecoder>();
  ByteLengthDecoder& d = *decoder;
  EmbeddedChannel ch(std::move(decoder), std::make_unique<Seen>(&log));
  ch.writeInbound(Unpooled::copiedBuffer("1a5par"));
  ch.close();
  EXPECT_EQ(d.lastCalls, (std::vector<std::string>{"5par"}));
  EXPECT_EQ(log, (std::vector<std::string>{"a", "5par"}));
}

TEST_F(ByteToMessageDecoderTest, DecodeLastRunsOnceWithAnEmptyBufferWhenNothingIsPending) {
  auto decoder = std::make_unique<ByteLengthDecoder>();
  ByteLengthDecoder& d = *decoder;
  EmbeddedChannel ch(std::move(decoder));
  ch.close();
  EXPECT_EQ(d.lastCalls, (std::vector<std::string>{""}));
}

TEST_F(ByteToMessageDecoderTest, RemovalHandsThePendingBytesToTheNextHandler) {
  std::vector<std::string> log;
  EmbeddedChannel ch(std::make_unique<ByteLengthDecoder>(), std::make_unique<Seen>(&log));
  ch.writeInbound(Unpooled::copiedBuffer("1a3bc"));
  ch.pipeline().remove<ByteLengthDecoder>();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "3bc"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, DecoderThatRemovesItselfPassesTheRestOnInOrder) {
  std::vector<std::string> log;
  auto decoder = std::make_unique<ByteLengthDecoder>();
  decoder->removeSelfAfterFirst = true;
  EmbeddedChannel ch(std::move(decoder), std::make_unique<Seen>(&log));
  ch.writeInbound(Unpooled::copiedBuffer("1a1b1c"));
  EXPECT_EQ(log, (std::vector<std::string>{"a", "1b1c"}));
  EXPECT_EQ(ch.pipeline().get<ByteLengthDecoder>(), nullptr);
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, OtherMessagesPassThrough) {
  EmbeddedChannel ch(std::make_unique<ByteLengthDecoder>());
  ASSERT_TRUE(ch.writeInbound(std::string("not bytes")));
  EXPECT_EQ(*ch.readInbound<std::string>(), "not bytes");
  EXPECT_FALSE(ch.finish());
}

TEST_F(ByteToMessageDecoderTest, ProducingWithoutReadingIsAContractViolation) {
  struct Broken : ByteToMessageDecoder {
    void decode(ChannelHandlerContext&, ByteBuf&, Out& out) override {
      out.emplace_back(std::string("nothing read"));
    }
  };
  std::vector<std::string> errors;
  struct Errors : ChannelInboundHandler {
    std::vector<std::string>* e;
    explicit Errors(std::vector<std::string>* v) : e(v) {}
    void exceptionCaught(ChannelHandlerContext&, const Error& err) override {
      e->push_back(err.message());
    }
  };
  EmbeddedChannel ch(std::make_unique<Broken>(), std::make_unique<Errors>(&errors));
  ch.writeInbound(Unpooled::copiedBuffer("x"));  // terminates
  EXPECT_EQ(errors,
            (std::vector<std::string>{"decode() produced a message without reading anything"}));
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

// Decodes every whole frame of a read in one decode() call, as protocol decoders do.
class AllFramesDecoder : public ByteToMessageDecoder {
 protected:
  void decode(ChannelHandlerContext&, ByteBuf& in, Out& out) override {
    while (in.isReadable()) {
      const std::size_t n = in.getUnsignedByte(in.readerIndex()) - '0';
      if (in.readableBytes() < 1 + n) {
        return;
      }
      in.skipBytes(1);
      out.emplace_back(in.readSlice(n));
    }
  }
};

struct CloseAfterFirstRead : ChannelInboundHandler {
  std::vector<std::string>* log;
  explicit CloseAfterFirstRead(std::vector<std::string>* l) : log(l) {}
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    log->push_back(msg.is<ByteBuf>() ? msg.get<ByteBuf>().toString() : "<not a buffer>");
    if (log->size() == 1) {
      ctx.close();
    }
  }
};

TEST_F(ByteToMessageDecoderTest, ClosingWhileItsOutputIsFiredDeliversNoMessageTwice) {
  // The close re-enters channelInactive while the decoded messages are being fired; it must
  // not fire that same output again (moved-from, empty messages) nor clear it under the loop.
  std::vector<std::string> log;
  EmbeddedChannel ch(std::make_unique<AllFramesDecoder>(),
                     std::make_unique<CloseAfterFirstRead>(&log));
  ch.writeInbound(Unpooled::copiedBuffer("1a2bc3def"));
  EXPECT_EQ(log, (std::vector<std::string>{"a"}));
  EXPECT_FALSE(ch.isOpen());
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice
