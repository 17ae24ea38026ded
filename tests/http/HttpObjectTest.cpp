#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/Message.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpObject.h>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpObjectTest = testing::SluiceTest;

TEST_F(HttpObjectTest, FullHttpRequestIsEveryTypeItsNettyTwinIs) {
  Message msg = Message::make<FullHttpRequest>(HttpVersion::kHttp11, HttpMethod::kPost, "/chat",
                                               Unpooled::copiedBuffer("hi"));
  EXPECT_TRUE(msg.is<HttpObject>());
  EXPECT_TRUE(msg.is<HttpMessage>());
  EXPECT_TRUE(msg.is<HttpRequest>());
  EXPECT_TRUE(msg.is<HttpContent>());
  EXPECT_TRUE(msg.is<LastHttpContent>());
  EXPECT_TRUE(msg.is<FullHttpMessage>());
  EXPECT_TRUE(msg.is<FullHttpRequest>());
  EXPECT_FALSE(msg.is<HttpResponse>());
  EXPECT_FALSE(msg.is<FullHttpResponse>());

  EXPECT_EQ(msg.get<HttpRequest>().uri(), "/chat");
  EXPECT_EQ(msg.get<HttpRequest>().method(), HttpMethod::kPost);
  EXPECT_EQ(msg.get<HttpContent>().content().toStringView(), "hi");
  EXPECT_EQ(msg.get<HttpMessage>().protocolVersion(), HttpVersion::kHttp11);
  // One HttpObject: the result set through one path is seen through every other.
  msg.get<HttpContent>().setDecoderResult(
      DecoderResult::failure(Error(make_error_code(HttpErrc::InvalidHeader))));
  EXPECT_TRUE(msg.get<HttpRequest>().decoderResult().isFailure());
  EXPECT_TRUE(msg.get<FullHttpRequest>().decoderResult().isFailure());
}

TEST_F(HttpObjectTest, ContentPiecesAreNotMessages) {
  Message last = Message::make<LastHttpContent>();
  EXPECT_TRUE(last.is<HttpObject>());
  EXPECT_TRUE(last.is<HttpContent>());
  EXPECT_FALSE(last.is<HttpMessage>());
  Message content = Message::make<HttpContent>(Unpooled::copiedBuffer("x"));
  EXPECT_FALSE(content.is<LastHttpContent>());
  Message response = Message::make<HttpResponse>(HttpVersion::kHttp10, HttpResponseStatus::kOk);
  EXPECT_TRUE(response.is<HttpMessage>());
  EXPECT_FALSE(response.is<HttpContent>());
}

TEST_F(HttpObjectTest, ContentCountsAgainstTheWaterMarks) {
  // Every piece of a body is a ByteBufHolder: a channel counts its bytes, not a constant.
  Message content = Message::make<HttpContent>(Unpooled::copiedBuffer("12345678901234567890"));
  EXPECT_TRUE(content.is<ByteBufHolder>());
  EXPECT_EQ(estimateMessageSize(content), 20U);
  Message full = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                 Unpooled::copiedBuffer("hello"));
  EXPECT_EQ(estimateMessageSize(full), 5U);
}

TEST_F(HttpObjectTest, CopyOwnsItsBytesAndDuplicateSharesThem) {
  FullHttpResponse original(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                            Unpooled::copiedBuffer("abc"));
  original.headers().add(HttpHeaderNames::kContentType, "text/plain");
  FullHttpResponse copy = original.copy();
  FullHttpResponse dup = original.retainedDuplicate();
  original.content().setByte(0, 'X');
  EXPECT_EQ(copy.content().toStringView(), "abc");
  EXPECT_EQ(dup.content().toStringView(), "Xbc");
  EXPECT_EQ(copy.headers(), original.headers());
  EXPECT_EQ(copy.status(), HttpResponseStatus::kOk);
}

}  // namespace
}  // namespace sluice::http
