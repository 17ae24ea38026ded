#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/MessageAggregator.h>

#include <optional>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class MessageAggregatorTest : public testing::SluiceTest {};

// A toy protocol: a Head (declared length, maybe some content), Chunks, a Whole message.
struct Head {
  std::string name;
  std::optional<std::size_t> declared;
  ByteBuf content;
  DecoderResult result = {};
};
struct Chunk {
  ByteBuf content;
  bool last = false;
  std::string trailer;
  DecoderResult result = {};
};
struct Whole {
  std::string name;
  ByteBuf content;
  std::string trailer;
  DecoderResult result = {};
};
// What the toy aggregator answers to a Head named "expect...": "continue", or a refusal.
struct Answer {
  std::string text;
};

class ToyAggregator : public MessageAggregator {
 public:
  explicit ToyAggregator(MessageAggregatorConfig config = {}) : MessageAggregator(config) {}
  int oversized = 0;

 protected:
  bool isStartMessage(const Message& m) override { return m.is<Head>(); }
  bool isContentMessage(const Message& m) override { return m.is<Chunk>(); }
  bool isLastContentMessage(const Message& m) override { return m.get<Chunk>().last; }
  bool isAggregated(const Message& m) override { return m.is<Whole>(); }
  ByteBuf* contentOf(Message& m) override {
    if (Head* h = m.getIf<Head>()) {
      return &h->content;
    }
    return &m.get<Chunk>().content;
  }
  std::optional<std::size_t> contentLength(const Message& start) override {
    return start.get<Head>().declared;
  }
  Message beginAggregation(Message start) override {
    return Whole{start.get<Head>().name, {}, {}, start.get<Head>().result};
  }
  void aggregate(Message& aggregated, Message& content) override {
    aggregated.get<Whole>().trailer += content.get<Chunk>().trailer;
  }
  void finishAggregation(Message& aggregated, ByteBuf content) override {
    aggregated.get<Whole>().content = std::move(content);
  }
  void handleOversizedMessage(ChannelHandlerContext& ctx, const Message& m) override {
    ++oversized;
    MessageAggregator::handleOversizedMessage(ctx, m);
  }
  Message newContinueResponse(Message& start, std::size_t, ChannelPipeline&) override {
    const std::string& name = start.get<Head>().name;
    if (name == "expect") {
      return Answer{"continue"};
    }
    if (name == "expect-refused" || name == "expect-refused-close") {
      return Answer{name == "expect-refused" ? "refused" : "refused-close"};
    }
    return {};
  }
  bool closeAfterContinueResponse(const Message& r) override {
    return r.get<Answer>().text == "refused-close";
  }
  bool ignoreContentAfterContinueResponse(const Message& r) override {
    return r.get<Answer>().text != "continue";
  }
  const DecoderResult* decoderResultOf(const Message& m) override {
    if (const Head* h = m.getIf<Head>()) {
      return &h->result;
    }
    return &m.get<Chunk>().result;
  }
  void setDecoderResult(Message& aggregated, DecoderResult result) override {
    aggregated.get<Whole>().result = std::move(result);
  }
};

struct Errors : ChannelInboundHandler {
  std::vector<Error>* errors;
  explicit Errors(std::vector<Error>* e) : errors(e) {}
  void exceptionCaught(ChannelHandlerContext&, const Error& e) override { errors->push_back(e); }
};

TEST_F(MessageAggregatorTest, JoinsStartContentAndLastIntoOneMessage) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>());
  EXPECT_FALSE(ch.writeInbound(Head{"m", std::nullopt, Unpooled::copiedBuffer("ab")}));
  EXPECT_FALSE(ch.writeInbound(Chunk{Unpooled::copiedBuffer("cd"), false, "t1"}));
  ASSERT_TRUE(ch.writeInbound(Chunk{Unpooled::copiedBuffer("e"), true, "t2"}));
  Whole w = *ch.readInbound<Whole>();
  EXPECT_EQ(w.name, "m");
  EXPECT_EQ(w.content.toString(), "abcde");
  EXPECT_EQ(w.trailer, "t1t2");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, SingleBufferContentIsNotCopied) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>());
  ByteBuf body = Unpooled::copiedBuffer("body");
  const std::uint8_t* data = body.readableSpan().data();
  ch.writeInbound(Head{"m", std::nullopt, {}});
  ch.writeInbound(Chunk{std::move(body), true, ""});
  EXPECT_EQ(ch.readInbound<Whole>()->content.readableSpan().data(), data);
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, AggregatedMessagesAndOtherTypesPassThrough) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>());
  ch.writeInbound(Whole{"already", Unpooled::copiedBuffer("x"), ""}, 5);
  EXPECT_EQ(ch.readInbound<Whole>()->name, "already");
  EXPECT_EQ(*ch.readInbound<int>(), 5);
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, DeclaredOversizeIsRejectedAtTheStartAndItsContentDropped) {
  std::vector<Error> errors;
  EmbeddedChannel ch(
      std::make_unique<ToyAggregator>(MessageAggregatorConfig{.maxContentLength = 4}),
      std::make_unique<Errors>(&errors));
  ch.writeInbound(Head{"big", 100, {}});
  ch.writeInbound(Chunk{Unpooled::copiedBuffer("dropped"), true, ""});
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].code(), CodecErrc::TooLongFrame);
  EXPECT_EQ(errors[0].message(), "content length exceeded 4 bytes.");
  // The next message is aggregated normally.
  ch.writeInbound(Head{"small", 2, Unpooled::copiedBuffer("ok")});
  ch.writeInbound(Chunk{{}, true, ""});
  EXPECT_EQ(ch.readInbound<Whole>()->content.toString(), "ok");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, ContentGrowingPastTheLimitIsOversized) {
  std::vector<Error> errors;
  auto agg = std::make_unique<ToyAggregator>(MessageAggregatorConfig{.maxContentLength = 4});
  ToyAggregator& a = *agg;
  EmbeddedChannel ch(std::move(agg), std::make_unique<Errors>(&errors));
  ch.writeInbound(Head{"m", std::nullopt, Unpooled::copiedBuffer("abc")});
  ch.writeInbound(Chunk{Unpooled::copiedBuffer("de"), false, ""});
  EXPECT_EQ(a.oversized, 1);
  EXPECT_FALSE(a.isAggregating());
  ch.writeInbound(Chunk{Unpooled::copiedBuffer("f"), true, ""});
  EXPECT_EQ(errors.size(), 1U);
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, StartInsideAMessageReportsAndStartsOver) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<ToyAggregator>(), std::make_unique<Errors>(&errors));
  ch.writeInbound(Head{"first", std::nullopt, Unpooled::copiedBuffer("x")});
  ch.writeInbound(Head{"second", std::nullopt, Unpooled::copiedBuffer("y")});
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].code(), CodecErrc::MessageAggregation);
  EXPECT_EQ(errors[0].message(), "start message received while aggregating");
  ch.writeInbound(Chunk{Unpooled::copiedBuffer("z"), true, ""});
  Whole w = *ch.readInbound<Whole>();
  EXPECT_EQ(w.name, "second");
  EXPECT_EQ(w.content.toString(), "yz");
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, ManyPiecesAreJoinedBeyondTheComponentLimit) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>(
      MessageAggregatorConfig{.maxContentLength = 1000, .maxCumulationBufferComponents = 4}));
  ch.writeInbound(Head{"m", std::nullopt, {}});
  std::string expected;
  for (int i = 0; i < 10; ++i) {
    const std::string piece(1, static_cast<char>('a' + i));
    expected += piece;
    ch.writeInbound(Chunk{Unpooled::copiedBuffer(piece), i == 9, ""});
  }
  EXPECT_EQ(ch.readInbound<Whole>()->content.toString(), expected);
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, ContinueResponseIsWrittenBeforeTheContentArrives) {
  EmbeddedChannel ch(
      std::make_unique<ToyAggregator>(MessageAggregatorConfig{.maxContentLength = 4}));
  // Declared oversize, but the continue response is asked first and decides.
  ch.writeInbound(Head{"expect", 100, {}});
  EXPECT_EQ(ch.readOutbound<Answer>()->text, "continue");
  ch.writeInbound(Chunk{Unpooled::copiedBuffer("ab"), true, ""});
  EXPECT_EQ(ch.readInbound<Whole>()->content.toString(), "ab");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, RefusedContinueDropsTheMessageAndMayClose) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>());
  ch.writeInbound(Head{"expect-refused", std::nullopt, Unpooled::copiedBuffer("a")});
  EXPECT_EQ(ch.readOutbound<Answer>()->text, "refused");
  ch.writeInbound(Chunk{Unpooled::copiedBuffer("b"), true, ""});
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_TRUE(ch.isOpen());
  ch.writeInbound(Head{"expect-refused-close", std::nullopt, {}});
  EXPECT_EQ(ch.readOutbound<Answer>()->text, "refused-close");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, FailedStartIsPassedOnAtOnce) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>());
  ASSERT_TRUE(ch.writeInbound(Head{"bad", std::nullopt, Unpooled::copiedBuffer("x"),
                                   DecoderResult::failure(Error(CodecErrc::CorruptedFrame))}));
  Whole w = *ch.readInbound<Whole>();
  EXPECT_EQ(w.content.toString(), "x");
  EXPECT_EQ(w.result.cause(), Error(CodecErrc::CorruptedFrame));
  EXPECT_FALSE(ch.writeInbound(Chunk{Unpooled::copiedBuffer("y"), true, ""}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(MessageAggregatorTest, FailedContentEndsTheMessageWithItsFailure) {
  EmbeddedChannel ch(std::make_unique<ToyAggregator>());
  ch.writeInbound(Head{"m", std::nullopt, Unpooled::copiedBuffer("a")});
  ASSERT_TRUE(ch.writeInbound(Chunk{Unpooled::copiedBuffer("b"), false, "",
                                    DecoderResult::failure(Error(CodecErrc::CorruptedFrame))}));
  Whole w = *ch.readInbound<Whole>();
  EXPECT_EQ(w.content.toString(), "ab");
  EXPECT_TRUE(w.result.isFailure());
  EXPECT_FALSE(ch.writeInbound(Chunk{Unpooled::copiedBuffer("c"), true, ""}));
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
