#include <sluice/buffer/ByteBufHolder.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Message.h>

#include <memory>
#include <string>
#include <typeinfo>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

// A small hierarchy shaped like the HTTP and WebSocket message types.
struct Frame {
  Frame() = default;
  Frame(Frame&&) = default;
  Frame& operator=(Frame&&) = default;
  virtual ~Frame() = default;
  ByteBuf content;
  int rsv = 0;
};
struct TextFrame : Frame {
  using MessageSupertypes = sluice::MessageSupertypes<TextFrame, Frame>;
};
struct FancyTextFrame : TextFrame {};  // declares nothing: a TextFrame through inheritance

struct HttpObject {
  virtual ~HttpObject() = default;
  int decoderResult = 0;
};
struct HttpRequest : virtual HttpObject {
  using MessageSupertypes = sluice::MessageSupertypes<HttpRequest, HttpObject>;
  std::string uri = "/";
};
struct LastHttpContent : virtual HttpObject {
  using MessageSupertypes = sluice::MessageSupertypes<LastHttpContent, HttpObject>;
  std::string trailer = "t";
};
struct FullHttpRequest : HttpRequest, LastHttpContent {
  using MessageSupertypes =
      sluice::MessageSupertypes<FullHttpRequest, HttpRequest, LastHttpContent>;
};

struct Tracked {
  explicit Tracked(int* destroyed) : destroyed_(destroyed) {}
  Tracked(Tracked&& o) noexcept : destroyed_(std::exchange(o.destroyed_, nullptr)) {}
  ~Tracked() {
    if (destroyed_ != nullptr) {
      ++*destroyed_;
    }
  }
  int* destroyed_;
};

class MessageTest : public testing::SluiceTest {};

TEST_F(MessageTest, EmptyMessageIsNothing) {
  Message m;
  EXPECT_FALSE(m.hasValue());
  EXPECT_FALSE(m);
  EXPECT_FALSE(m.is<ByteBuf>());
  EXPECT_EQ(m.getIf<ByteBuf>(), nullptr);
  EXPECT_THROW(m.get<ByteBuf>(), std::bad_cast);
  EXPECT_EQ(m.type(), typeid(void));
}

TEST_F(MessageTest, WrapsAByteBufAndHandsItBack) {
  Message m = Unpooled::copiedBuffer("payload");
  ASSERT_TRUE(m.isExactly<ByteBuf>());
  EXPECT_TRUE(m.is<ByteBuf>());
  EXPECT_EQ(m.get<ByteBuf>().toStringView(), "payload");
  ByteBuf out = m.take<ByteBuf>();
  EXPECT_FALSE(m.hasValue());
  EXPECT_EQ(out.toStringView(), "payload");
  EXPECT_EQ(out.refCnt(), 1U);
}

TEST_F(MessageTest, DestroyingTheMessageReleasesTheBuffer) {
  ByteBuf buf = Unpooled::copiedBuffer("x");
  ByteBuf observer = buf.duplicate();
  {
    Message m(std::move(buf));
    EXPECT_EQ(observer.refCnt(), 2U);
  }
  EXPECT_EQ(observer.refCnt(), 1U);
}

TEST_F(MessageTest, MovingTransfersOwnershipExactlyOnce) {
  int destroyed = 0;
  {
    Message a = Message::make<Tracked>(&destroyed);
    Message b = std::move(a);
    EXPECT_FALSE(a.hasValue());  // NOLINT(bugprone-use-after-move): moved-from is empty
    Message c;
    c = std::move(b);
    EXPECT_TRUE(c.isExactly<Tracked>());
    EXPECT_EQ(destroyed, 0);
  }
  EXPECT_EQ(destroyed, 1);
}

TEST_F(MessageTest, IsATestsFollowDeclaredSupertypes) {
  Message text = TextFrame{};
  EXPECT_TRUE(text.isExactly<TextFrame>());
  EXPECT_TRUE(text.is<TextFrame>());
  EXPECT_TRUE(text.is<Frame>());
  EXPECT_FALSE(text.isExactly<Frame>());
  EXPECT_FALSE(text.is<ByteBuf>());
  text.get<Frame>().rsv = 4;
  EXPECT_EQ(text.get<TextFrame>().rsv, 4);
}

TEST_F(MessageTest, SubclassWithoutDeclarationInheritsItsParentsTypes) {
  Message fancy = FancyTextFrame{};
  EXPECT_TRUE(fancy.isExactly<FancyTextFrame>());
  EXPECT_TRUE(fancy.is<TextFrame>());
  EXPECT_TRUE(fancy.is<Frame>());
}

TEST_F(MessageTest, MultipleSupertypesGiveCorrectlyAdjustedReferences) {
  Message m = FullHttpRequest{};
  auto& full = m.get<FullHttpRequest>();
  full.uri = "/chat";
  full.trailer = "done";
  full.decoderResult = 7;
  EXPECT_TRUE(m.is<HttpRequest>());
  EXPECT_TRUE(m.is<LastHttpContent>());
  EXPECT_TRUE(m.is<HttpObject>());
  EXPECT_EQ(m.get<HttpRequest>().uri, "/chat");
  EXPECT_EQ(m.get<LastHttpContent>().trailer, "done");
  EXPECT_EQ(m.get<HttpObject>().decoderResult, 7);
  EXPECT_EQ(&m.get<HttpObject>(), static_cast<HttpObject*>(&full));
}

TEST_F(MessageTest, TakeRefusesASupertypeThatWouldSlice) {
  Message m = TextFrame{};
  EXPECT_THROW(m.take<Frame>(), std::bad_cast);
  EXPECT_TRUE(m.hasValue());
  EXPECT_NO_THROW(m.take<TextFrame>());
}

TEST_F(MessageTest, CopyableValuesAreCopiedAndLargeOnesLiveOnTheHeap) {
  const std::string big(1000, 'b');
  Message m = big;  // std::string is not trivially relocatable: stored on the heap
  EXPECT_EQ(m.get<std::string>(), big);
  Message moved = std::move(m);
  EXPECT_EQ(moved.get<std::string>(), big);
  Message small = 42;
  EXPECT_EQ(small.get<int>(), 42);
}

TEST_F(MessageTest, NamesItsType) {
  EXPECT_EQ(Message(Unpooled::copiedBuffer("x")).typeName(), "sluice::ByteBuf");
  EXPECT_EQ(Message(7).typeName(), "int");
}

TEST_F(MessageTest, EstimatesSizeForWaterMarks) {
  EXPECT_EQ(estimateMessageSize(Message(Unpooled::copiedBuffer("12345"))), 5U);
  EXPECT_EQ(estimateMessageSize(Message(std::string("abc"))), 8U);
}

// A message type of an upper layer that carries bytes, as HttpContent and WebSocket frames do.
class Chunk : public ByteBufHolder {
 public:
  using ByteBufHolder::ByteBufHolder;
};

TEST_F(MessageTest, CountsTheContentOfAByteBufHolder) {
  Message chunk(Chunk(Unpooled::copiedBuffer("1234567890")));
  EXPECT_TRUE(chunk.is<ByteBufHolder>());
  EXPECT_EQ(estimateMessageSize(chunk), 10U);
  chunk.get<ByteBufHolder>().content().skipBytes(4);
  EXPECT_EQ(estimateMessageSize(chunk), 6U);
}

}  // namespace
}  // namespace sluice
