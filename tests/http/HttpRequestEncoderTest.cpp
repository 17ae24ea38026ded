#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpRequestEncoder.h>
#include <sluice/http/HttpUtil.h>

#include <optional>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpRequestEncoderTest = testing::SluiceTest;

std::vector<std::string> outboundBuffers(EmbeddedChannel& ch) {
  std::vector<std::string> all;
  while (Message m = ch.readOutbound()) {
    all.push_back(m.get<ByteBuf>().toString());
  }
  return all;
}

std::string outboundBytes(EmbeddedChannel& ch) {
  std::string all;
  for (const std::string& s : outboundBuffers(ch)) {
    all += s;
  }
  return all;
}

// The request line `request` encodes to.
std::string requestLine(HttpMethod method, std::string uri) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  ch.writeOutbound(FullHttpRequest(HttpVersion::kHttp11, std::move(method), std::move(uri)));
  const std::string out = outboundBytes(ch);
  EXPECT_FALSE(ch.finish());
  return out.substr(0, out.find("\r\n"));
}

TEST_F(HttpRequestEncoderTest, EncodesARequestWithoutBody) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  FullHttpRequest req(HttpVersion::kHttp11, HttpMethod::kGet, "/chat?room=1");
  req.headers().add("Host", "example.com").add(HttpHeaderNames::kAccept, "*/*");
  ASSERT_TRUE(ch.writeOutbound(std::move(req)));
  EXPECT_EQ(outboundBuffers(ch), std::vector<std::string>{"GET /chat?room=1 HTTP/1.1\r\n"
                                                          "Host: example.com\r\n"
                                                          "accept: */*\r\n"
                                                          "\r\n"});
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, EncodesARequestWithBody) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  FullHttpRequest req(HttpVersion::kHttp11, HttpMethod::kPost, "/submit",
                      Unpooled::copiedBuffer("a=1&b=2"));
  req.headers()
      .add("Host", "example.com")
      .add("Content-Type", "application/x-www-form-urlencoded")
      .add("Content-Length", 7);
  ChannelFuture f = ch.writeAndFlush(std::move(req));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(outboundBuffers(ch), std::vector<std::string>{"POST /submit HTTP/1.1\r\n"
                                                          "Host: example.com\r\n"
                                                          "Content-Type: "
                                                          "application/x-www-form-urlencoded\r\n"
                                                          "Content-Length: 7\r\n"
                                                          "\r\n"
                                                          "a=1&b=2"});
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, EmptyUriIsSentAsSlash) {
  EXPECT_EQ(requestLine(HttpMethod::kGet, ""), "GET / HTTP/1.1");
}

TEST_F(HttpRequestEncoderTest, RequestTargetsAreSentAsGiven) {
  EXPECT_EQ(requestLine(HttpMethod::kGet, "/a/b?c=/d#x"), "GET /a/b?c=/d#x HTTP/1.1");
  EXPECT_EQ(requestLine(HttpMethod::kOptions, "*"), "OPTIONS * HTTP/1.1");
  EXPECT_EQ(requestLine(HttpMethod::kConnect, "example.com:443"),
            "CONNECT example.com:443 HTTP/1.1");
  EXPECT_EQ(requestLine(HttpMethod::kGet, "http://example.com/index.html"),
            "GET http://example.com/index.html HTTP/1.1");
  EXPECT_EQ(requestLine(HttpMethod::kGet, "http://example.com/?q=1"),
            "GET http://example.com/?q=1 HTTP/1.1");
}

TEST_F(HttpRequestEncoderTest, AbsoluteUriWithEmptyPathGetsItsSlash) {
  EXPECT_EQ(requestLine(HttpMethod::kGet, "http://example.com"),
            "GET http://example.com/ HTTP/1.1");
  EXPECT_EQ(requestLine(HttpMethod::kGet, "https://example.com:8443?q=a/b"),
            "GET https://example.com:8443/?q=a/b HTTP/1.1");
}

TEST_F(HttpRequestEncoderTest, ExtensionMethodAndHttp10) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  ch.writeOutbound(FullHttpRequest(HttpVersion::kHttp10, HttpMethod::valueOf("PROPFIND"), "/dav"));
  EXPECT_EQ(outboundBytes(ch), "PROPFIND /dav HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, StreamsAChunkedRequest) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  HttpRequest req(HttpVersion::kHttp11, HttpMethod::kPut, "/upload");
  req.headers().add("Host", "h");
  HttpUtil::setTransferEncodingChunked(req, true);
  LastHttpContent last;
  last.trailingHeaders().add("Digest", "sha-256=abc");
  ch.writeOutbound(std::move(req), HttpContent(Unpooled::copiedBuffer("0123456789abcdef!")),
                   HttpContent(Unpooled::copiedBuffer("")), std::move(last));
  EXPECT_EQ(outboundBytes(ch),
            "PUT /upload HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\n\r\n"
            "11\r\n0123456789abcdef!\r\n"
            "0\r\nDigest: sha-256=abc\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, StreamedRequestOfUnknownLengthIsNotMadeChunked) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  HttpRequest req(HttpVersion::kHttp11, HttpMethod::kPost, "/");
  req.headers().add("Content-Length", 6);
  ch.writeOutbound(std::move(req), HttpContent(Unpooled::copiedBuffer("abc")),
                   LastHttpContent(Unpooled::copiedBuffer("def")));
  EXPECT_EQ(outboundBytes(ch), "POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\nabcdef");

  // Without a length the encoder adds nothing: a client may send Transfer-Encoding only to
  // a server it knows speaks HTTP/1.1 (RFC 9112 6.1).
  ch.writeOutbound(HttpRequest(HttpVersion::kHttp11, HttpMethod::kGet, "/x"), LastHttpContent());
  EXPECT_EQ(outboundBytes(ch), "GET /x HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, LargeBodyFollowsTheHeadersAsItsOwnBuffer) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  ByteBuf body = Unpooled::copiedBuffer(std::string(8192, 'p'));
  const std::uint8_t* address = body.memoryAddress();
  FullHttpRequest req(HttpVersion::kHttp11, HttpMethod::kPost, "/big", std::move(body));
  HttpUtil::setContentLength(req, 8192);
  ChannelFuture f = ch.writeAndFlush(std::move(req));
  EXPECT_TRUE(f.isSuccess());
  ASSERT_EQ(ch.outboundMessages().size(), 2U);
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(),
            "POST /big HTTP/1.1\r\ncontent-length: 8192\r\n\r\n");
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->memoryAddress(), address);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, ContentBeforeTheRequestFailsTheWrite) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  ChannelFuture f = ch.writeAndFlush(LastHttpContent(Unpooled::copiedBuffer("body")));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  EXPECT_EQ(f.cause().message(),
            "unexpected message type: sluice::http::LastHttpContent (no message has been "
            "started)");
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestEncoderTest, TargetWithControlCharactersOrSpacesFailsTheWrite) {
  for (const char* uri : {"/a\r\nX-Injected: 1", "/a b", "/\n", "/a\tb"}) {
    EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
    ChannelFuture f =
        ch.writeAndFlush(FullHttpRequest(HttpVersion::kHttp11, HttpMethod::kGet, uri));
    ASSERT_TRUE(f.isDone()) << uri;
    EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException) << uri;
    EXPECT_TRUE(ch.outboundMessages().empty()) << uri;
    EXPECT_FALSE(ch.finish());
  }
}

TEST_F(HttpRequestEncoderTest, PipelinedRequests) {
  EmbeddedChannel ch(std::make_unique<HttpRequestEncoder>());
  ch.writeOutbound(FullHttpRequest(HttpVersion::kHttp11, HttpMethod::kGet, "/1"),
                   FullHttpRequest(HttpVersion::kHttp11, HttpMethod::kHead, "/2"),
                   FullHttpRequest(HttpVersion::kHttp11, HttpMethod::kDelete, "/3"));
  EXPECT_EQ(outboundBytes(ch),
            "GET /1 HTTP/1.1\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\nDELETE /3 HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
