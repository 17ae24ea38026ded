#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpServerKeepAliveHandler.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpServerKeepAliveHandlerTest = testing::SluiceTest;
using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Message request(std::string uri, Fields fields = {}, HttpVersion version = HttpVersion::kHttp11,
                HttpMethod method = HttpMethod::kGet) {
  Message m = Message::make<FullHttpRequest>(version, std::move(method), std::move(uri));
  for (const auto& [name, value] : fields) {
    m.get<HttpRequest>().headers().add(name, value);
  }
  return m;
}

// A whole response with a body of `body`, and Content-Length unless `fields` name framing.
Message fullResponse(std::string_view body, Fields fields = {},
                     HttpVersion version = HttpVersion::kHttp11,
                     const HttpResponseStatus& status = HttpResponseStatus::kOk) {
  Message m = Message::make<FullHttpResponse>(version, status, Unpooled::copiedBuffer(body));
  for (const auto& [name, value] : fields) {
    m.get<HttpResponse>().headers().add(name, value);
  }
  return m;
}

Message withLength(std::string_view body, Fields more = {},
                   HttpVersion version = HttpVersion::kHttp11) {
  Message m = fullResponse(body, more, version);
  m.get<HttpResponse>().headers().set(HttpHeaderNames::kContentLength,
                                      static_cast<std::int64_t>(body.size()));
  return m;
}

struct Served {
  std::optional<std::string> connection;
  std::string body;
};

// Writes `response` and returns what went out: its Connection field and its body.
Served serve(EmbeddedChannel& ch, Message response) {
  ch.writeOutbound(std::move(response));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  EXPECT_TRUE(out.has_value());
  if (!out) {
    return {};
  }
  std::optional<std::string_view> connection = out->headers().get(HttpHeaderNames::kConnection);
  return {connection ? std::optional<std::string>(*connection) : std::nullopt,
          out->content().toString()};
}

TEST_F(HttpServerKeepAliveHandlerTest, Http11StaysOpenByDefault) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(ch.writeInbound(request("/")));
    ch.readInbound().reset();
    Served s = serve(ch, withLength("ok"));
    EXPECT_FALSE(s.connection.has_value());
    EXPECT_TRUE(ch.isOpen());
  }
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, ConnectionCloseClosesOnceTheResponseIsWritten) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/", {{"Connection", "close"}}));
  ch.readInbound().reset();
  // A streamed response: the channel stays open until its last content is written.
  Message start = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  start.get<HttpResponse>().headers().set(HttpHeaderNames::kContentLength, 4);
  ch.writeOutbound(std::move(start));
  std::optional<HttpResponse> head = ch.readOutbound<HttpResponse>();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->headers().get(HttpHeaderNames::kConnection), "close");
  EXPECT_TRUE(ch.isOpen());
  ch.writeOutbound(Message::make<HttpContent>(Unpooled::copiedBuffer("ab")));
  EXPECT_TRUE(ch.isOpen());
  ch.writeOutbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("cd")));
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.readOutbound<HttpContent>()->content().toStringView(), "ab");
  EXPECT_EQ(ch.readOutbound<LastHttpContent>()->content().toStringView(), "cd");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, Http10KeepAliveRequestGetsKeepAliveResponses) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/", {{"Connection", "keep-alive"}}, HttpVersion::kHttp10));
  ch.readInbound().reset();
  EXPECT_EQ(serve(ch, withLength("a", {}, HttpVersion::kHttp10)).connection, "keep-alive");
  EXPECT_TRUE(ch.isOpen());
  // Also when the server answers with HTTP/1.1: the HTTP/1.0 client needs to be told.
  ch.writeInbound(request("/", {{"Connection", "keep-alive"}}, HttpVersion::kHttp10));
  ch.readInbound().reset();
  EXPECT_EQ(serve(ch, withLength("b")).connection, "keep-alive");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, Http10WithoutKeepAliveCloses) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/", {}, HttpVersion::kHttp10));
  ch.readInbound().reset();
  // An HTTP/1.0 response without keep-alive means close; a server may say so as well.
  EXPECT_FALSE(serve(ch, withLength("a", {}, HttpVersion::kHttp10)).connection.has_value());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, PipelinedRequestsCloseOnlyAfterTheLastResponse) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/1"), request("/2"), request("/3", {{"Connection", "close"}}));
  ASSERT_EQ(ch.inboundMessages().size(), 3U);
  ch.inboundMessages().clear();
  Served first = serve(ch, withLength("1"));
  EXPECT_FALSE(first.connection.has_value());
  EXPECT_TRUE(ch.isOpen());
  Served second = serve(ch, withLength("2"));
  EXPECT_FALSE(second.connection.has_value());
  EXPECT_TRUE(ch.isOpen());
  Served third = serve(ch, withLength("3"));
  EXPECT_EQ(third.connection, "close");
  EXPECT_EQ(third.body, "3");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, RequestsAfterTheCloseAreNotProcessed) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  // RFC 9112 9.6: after a request with "close", the server MUST NOT process further ones.
  ch.writeInbound(request("/last", {{"Connection", "close"}}));
  Message late = Message::make<HttpRequest>(HttpVersion::kHttp11, HttpMethod::kPost, "/late");
  ch.writeInbound(std::move(late), Message::make<HttpContent>(Unpooled::copiedBuffer("x")),
                  Message::make<LastHttpContent>(Unpooled::copiedBuffer("y")), request("/later"));
  ASSERT_EQ(ch.inboundMessages().size(), 1U);
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->uri(), "/last");
  EXPECT_EQ(serve(ch, withLength("bye")).connection, "close");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, ResponseWithoutLengthClosesAfterIt) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/"));
  ch.readInbound().reset();
  // RFC 9112 6.3: only the close can end this response's body.
  Served s = serve(ch, fullResponse("until the end"));
  EXPECT_EQ(s.connection, "close");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, ServerMarkingCloseClosesAfterThatResponse) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/1"), request("/2"));
  ch.inboundMessages().clear();
  EXPECT_EQ(serve(ch, withLength("bye", {{"Connection", "close"}})).connection, "close");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, ResponsesWithoutBodyNeedNoLength) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  // RFC 9112 6.3: 204, 304 and any response to HEAD end with their header section.
  ch.writeInbound(request("/a"), request("/b"),
                  request("/c", {}, HttpVersion::kHttp11, HttpMethod::kHead));
  ch.inboundMessages().clear();
  EXPECT_FALSE(serve(ch, fullResponse("", {}, HttpVersion::kHttp11, HttpResponseStatus::kNoContent))
                   .connection.has_value());
  EXPECT_FALSE(
      serve(ch, fullResponse("", {}, HttpVersion::kHttp11, HttpResponseStatus::kNotModified))
          .connection.has_value());
  EXPECT_FALSE(serve(ch, fullResponse("")).connection.has_value());
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, ChunkedResponseKeepsTheConnection) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/"));
  ch.readInbound().reset();
  Message start = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  start.get<HttpResponse>().headers().set(HttpHeaderNames::kTransferEncoding, "chunked");
  ch.writeOutbound(std::move(start), Message::make<HttpContent>(Unpooled::copiedBuffer("a")),
                   Message::make<LastHttpContent>());
  EXPECT_FALSE(ch.readOutbound<HttpResponse>()->headers().contains(HttpHeaderNames::kConnection));
  EXPECT_TRUE(ch.isOpen());
  ch.releaseOutbound();
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, InformationalResponseIsNotTheAnswer) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/", {{"Connection", "close"}, {"Expect", "100-continue"}}));
  ch.readInbound().reset();
  ch.writeOutbound(
      Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kContinue));
  std::optional<FullHttpResponse> cont = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(cont.has_value());
  EXPECT_TRUE(cont->headers().isEmpty());
  EXPECT_TRUE(ch.isOpen());
  EXPECT_EQ(serve(ch, withLength("done")).connection, "close");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, ClosesAfterAWriteWithAVoidPromise) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(request("/", {{"Connection", "close"}}));
  ch.readInbound().reset();
  ch.writeAndFlush(withLength("x"), ch.voidPromise());
  ch.runPendingTasks();
  EXPECT_FALSE(ch.isOpen());
  EXPECT_EQ(ch.readOutbound<FullHttpResponse>()->headers().get(HttpHeaderNames::kConnection),
            "close");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerKeepAliveHandlerTest, OtherMessagesPassThrough) {
  EmbeddedChannel ch(std::make_unique<HttpServerKeepAliveHandler>());
  ch.writeInbound(Unpooled::copiedBuffer("raw"));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw");
  ch.writeOutbound(Unpooled::copiedBuffer("out"));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toStringView(), "out");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
