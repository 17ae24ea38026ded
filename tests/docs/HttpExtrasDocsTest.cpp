// The code shown in docs/http.md for the HTTP extras: compression, query strings, cookies,
// CORS and chunked writes. Each region between "// [docs:NAME]" and "// [docs:end]" appears
// verbatim in the page (checked by the docs.snippets test), and compiles and runs here.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/stream/ChunkedFile.h>
#include <sluice/handler/stream/ChunkedStream.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/http/CorsHandler.h>
#include <sluice/http/HttpChunkedInput.h>
#include <sluice/http/HttpContentCompressor.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>
#include <sluice/http/QueryStringDecoder.h>
#include <sluice/http/QueryStringEncoder.h>
#include <sluice/http/cookie/ServerCookieDecoder.h>
#include <sluice/http/cookie/ServerCookieEncoder.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "support/SluiceTest.h"

namespace docs {

// [docs:chunked-file-handler]
// Answers every request with the file it was made with, read chunk by chunk as the peer
// drains the socket. Put a ChunkedWriteHandler between it and the HttpServerCodec.
class FileHandler : public sluice::SimpleChannelInboundHandler<sluice::http::FullHttpRequest> {
 public:
  explicit FileHandler(std::string path) : path_(std::move(path)) {}

 protected:
  void channelRead0(sluice::ChannelHandlerContext& ctx,
                    sluice::http::FullHttpRequest& request) override {
    namespace http = sluice::http;
    sluice::Error error;
    std::optional<sluice::ChunkedFile> file = sluice::ChunkedFile::open(path_, error);
    if (!file) {
      http::FullHttpResponse notFound(request.protocolVersion(),
                                      http::HttpResponseStatus::kNotFound);
      http::HttpUtil::setContentLength(notFound, 0);
      ctx.writeAndFlush(sluice::Message(std::move(notFound)));
      return;
    }
    http::HttpResponse response(request.protocolVersion(), http::HttpResponseStatus::kOk);
    http::HttpUtil::setContentLength(response, static_cast<std::uint64_t>(file->length()));
    ctx.write(sluice::Message(std::move(response)));
    ctx.writeAndFlush(sluice::Message(http::HttpChunkedInput(
                          std::make_unique<sluice::ChunkedFile>(std::move(*file)))))
        .addListener(sluice::ChannelFutureListener::kCloseOnFailure);
  }

 private:
  std::string path_;
};
// [docs:end]

}  // namespace docs

namespace sluice::http {
namespace {

using HttpExtrasDocsTest = testing::SluiceTest;

std::string readAllOutbound(EmbeddedChannel& ch) {
  std::string out;
  while (std::optional<ByteBuf> b = ch.readOutbound<ByteBuf>()) {
    out += b->toStringView();
  }
  return out;
}

TEST_F(HttpExtrasDocsTest, Compression) {
  EmbeddedChannel ch;
  // [docs:compressor-pipeline]
  auto& p = ch.pipeline();
  p.addLast<HttpServerCodec>();
  p.addLast<HttpContentCompressor>(
      HttpContentCompressorConfig{.compressionLevel = 6, .contentSizeThreshold = 1024});
  p.addLast<HttpObjectAggregator>(65536);
  // [docs:end]
  ch.writeInbound(
      Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"));
  std::optional<FullHttpRequest> request = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(request.has_value());
  FullHttpResponse response(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                            Unpooled::copiedBuffer(std::string(4096, 'a')));
  HttpUtil::setContentLength(response, 4096);
  ch.writeAndFlush(Message(std::move(response)));
  const std::string wire = readAllOutbound(ch);
  EXPECT_NE(wire.find("content-encoding: gzip"), std::string::npos) << wire;
  EXPECT_LT(wire.size(), 4096U);
}

TEST_F(HttpExtrasDocsTest, QueryStrings) {
  // [docs:query-string]
  QueryStringDecoder d("/search?q=caf%C3%A9+au+lait&page=2&page=3");
  EXPECT_EQ(d.path(), "/search");
  EXPECT_EQ(d.parameters().getFirst("q"), "café au lait");
  EXPECT_EQ(d.parameters().get("page").size(), 2U);  // every value of a repeated name

  // A form body (application/x-www-form-urlencoded) has no path.
  QueryStringDecoder form("name=J%C3%BCrgen&x=1", {.maxParams = 64, .hasPath = false});
  EXPECT_EQ(form.parameters().getFirst("name"), "Jürgen");

  QueryStringEncoder e("/search");
  e.addParam("q", "C++ & Netty");
  e.addParam("page", "2");
  EXPECT_EQ(e.toString(), "/search?q=C%2B%2B%20%26%20Netty&page=2");
  // [docs:end]
}

TEST_F(HttpExtrasDocsTest, Cookies) {
  // [docs:cookies]
  // Reading: invalid cookies are dropped, never an error.
  const std::vector<Cookie> cookies =
      ServerCookieDecoder::strict().decode("session=31d4d96e407aad42; lang=en-US");
  EXPECT_EQ(cookies.size(), 2U);

  // Writing: one Set-Cookie field per cookie.
  Cookie session("session", "31d4d96e407aad42");
  session.setPath("/").setHttpOnly(true).setSecure(true).setSameSite(SameSite::Lax);
  EXPECT_EQ(ServerCookieEncoder::strict().encode(session),
            "session=31d4d96e407aad42; Path=/; Secure; HttpOnly; SameSite=Lax");
  // [docs:end]
}

TEST_F(HttpExtrasDocsTest, Cors) {
  EmbeddedChannel ch;
  // [docs:cors]
  auto& p = ch.pipeline();
  p.addLast<HttpServerCodec>();
  p.addLast<CorsHandler>(CorsConfig{
      .origins = {"https://app.example"},
      .allowCredentials = true,
      .allowedRequestMethods = {HttpMethod::kPut, HttpMethod::kDelete},
      .allowedRequestHeaders = {"content-type"},
      .exposedHeaders = {"x-request-id"},
      .maxAge = std::chrono::minutes(10),
      .shortCircuit = true,
  });
  // [docs:end]
  ch.writeInbound(Unpooled::copiedBuffer(
      "OPTIONS /api HTTP/1.1\r\nHost: api.example\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: PUT\r\n\r\n"));
  const std::string wire = readAllOutbound(ch);
  EXPECT_EQ(wire.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << wire;
  EXPECT_NE(wire.find("access-control-allow-origin: https://app.example"), std::string::npos);
  EXPECT_NE(wire.find("access-control-max-age: 600"), std::string::npos);
  EXPECT_FALSE(ch.readInbound<HttpRequest>().has_value());  // answered, not passed on
}

TEST_F(HttpExtrasDocsTest, ChunkedFile) {
  char path[] = "/tmp/sluice-docs-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string body(100000, 'x');
  ASSERT_EQ(::write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  ::close(fd);

  EmbeddedChannel ch;
  ch.pipeline().addLast<HttpServerCodec>();
  ch.pipeline().addLast<HttpObjectAggregator>(65536);
  ch.pipeline().addLast<ChunkedWriteHandler>();
  ch.pipeline().addLast<docs::FileHandler>(path);
  ch.writeInbound(Unpooled::copiedBuffer("GET /file HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string wire = readAllOutbound(ch);
  ::unlink(path);
  EXPECT_EQ(wire.rfind("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n", 0), 0U);
  EXPECT_EQ(wire.size(), 100000U + wire.find("\r\n\r\n") + 4);
}

TEST_F(HttpExtrasDocsTest, ChunkedStream) {
  EmbeddedChannel ch;
  ch.pipeline().addLast<HttpServerCodec>();
  ch.pipeline().addLast<ChunkedWriteHandler>();
  HttpResponse response(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(response, true);
  ch.write(Message(std::move(response)));
  // [docs:chunked-stream]
  ChunkedStream body;  // a handle: copies share one stream
  ch.writeAndFlush(Message(HttpChunkedInput(std::make_unique<ChunkedStream>(body))));
  // Later, from any thread:
  body.write(Unpooled::copiedBuffer("part one, "));
  body.write(Unpooled::copiedBuffer("part two"));
  body.end();
  // [docs:end]
  const std::string wire = readAllOutbound(ch);
  EXPECT_NE(wire.find("part one, "), std::string::npos) << wire;
  EXPECT_EQ(wire.substr(wire.size() - 5), "0\r\n\r\n");
}

}  // namespace
}  // namespace sluice::http
