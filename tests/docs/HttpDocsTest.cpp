// The code shown in docs/http.md. Each region between "// [docs:NAME]" and "// [docs:end]"
// appears verbatim in the page (checked by the docs.snippets test), and compiles and runs
// here.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpServerKeepAliveHandler.h>
#include <sluice/http/HttpUtil.h>

#include <optional>
#include <string>

#include "support/SluiceTest.h"

namespace docs {

// [docs:full-request-handler]
// Echoes the body of every POST /echo; 404 for anything else.
class EchoBodyHandler : public sluice::SimpleChannelInboundHandler<sluice::http::FullHttpRequest> {
 protected:
  void channelRead0(sluice::ChannelHandlerContext& ctx,
                    sluice::http::FullHttpRequest& request) override {
    namespace http = sluice::http;
    const bool echo = request.method() == http::HttpMethod::kPost && request.uri() == "/echo";
    http::FullHttpResponse response(
        request.protocolVersion(),
        echo ? http::HttpResponseStatus::kOk : http::HttpResponseStatus::kNotFound,
        echo ? std::move(request.content()) : sluice::ByteBuf());
    http::HttpUtil::setContentLength(response, response.content().readableBytes());
    ctx.writeAndFlush(sluice::Message(std::move(response)));
  }
};
// [docs:end]

}  // namespace docs

namespace sluice::http {
namespace {

using HttpDocsTest = testing::SluiceTest;

TEST_F(HttpDocsTest, EmbeddedServerPipeline) {
  // [docs:embedded-test]
  EmbeddedChannel ch;
  ch.pipeline().addLast<HttpServerCodec>();
  ch.pipeline().addLast<HttpServerKeepAliveHandler>();
  ch.pipeline().addLast<HttpObjectAggregator>(65536);
  ch.pipeline().addLast<docs::EchoBodyHandler>();

  ch.writeInbound(Unpooled::copiedBuffer(
      "POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello"));

  // The response: status line, headers and (small) body in one buffer.
  std::optional<ByteBuf> out = ch.readOutbound<ByteBuf>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->toStringView(), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
  // [docs:end]
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpDocsTest, Headers) {
  // [docs:headers]
  HttpHeaders headers;
  headers
      .add(HttpHeaderNames::kContentType, "text/plain")  // a constant: found by number
      .add("X-Request-Id", "42")                         // any other name: case-insensitive
      .add("Set-Cookie", "a=1")
      .add("set-cookie", "b=2");
  EXPECT_EQ(headers.get("x-request-id"), "42");
  EXPECT_EQ(headers.getAll(HttpHeaderNames::kSetCookie).size(), 2U);
  EXPECT_EQ(headers.getInt("X-Request-Id"), 42);
  for (const auto& [name, value] : headers) {  // in the order they were added
    EXPECT_FALSE(name.empty());
    EXPECT_FALSE(value.empty());
  }
  // Validation is on: a value copied from a request cannot inject a header.
  EXPECT_THROW(headers.set("Location", "/next\r\nSet-Cookie: evil=1"), std::invalid_argument);
  // [docs:end]
}

TEST_F(HttpDocsTest, ClientCodec) {
  // [docs:client]
  EmbeddedChannel ch;
  ch.pipeline().addLast<HttpClientCodec>();
  ch.pipeline().addLast<HttpObjectAggregator>(1 << 20);

  FullHttpRequest request(HttpVersion::kHttp11, HttpMethod::kHead, "/status");
  request.headers().add(HttpHeaderNames::kHost, "example.com");
  ch.writeOutbound(Message(std::move(request)));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toStringView(),
            "HEAD /status HTTP/1.1\r\nhost: example.com\r\n\r\n");

  // A response to HEAD has no body even though it declares one: the codec knows the method.
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"));
  std::optional<FullHttpResponse> response = ch.readInbound<FullHttpResponse>();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status(), HttpResponseStatus::kOk);
  EXPECT_EQ(response->content().readableBytes(), 0U);
  // [docs:end]
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
