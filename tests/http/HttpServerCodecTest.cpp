#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpServerCodecTest = testing::SluiceTest;

constexpr std::string_view kBadRequest =
    "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

ByteBuf bytes(std::string_view text) { return Unpooled::copiedBuffer(text); }

// Everything flushed to the wire so far, concatenated.
std::string written(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toStringView();
  }
  return all;
}

// A whole response carrying `body` and its Content-Length.
FullHttpResponse response(std::string_view body,
                          const HttpResponseStatus& status = HttpResponseStatus::kOk) {
  FullHttpResponse res(HttpVersion::kHttp11, status, bytes(body));
  res.headers().add(HttpHeaderNames::kContentLength, static_cast<std::int64_t>(body.size()));
  return res;
}

// What reached the handler after the codec, one line each: "GET /a", "content hello",
// "last", "last failed <message>", "bytes <text>".
std::vector<std::string> received(EmbeddedChannel& ch) {
  std::vector<std::string> all;
  while (Message m = ch.readInbound()) {
    if (const auto* request = m.getIf<HttpRequest>()) {
      std::string line = std::string(request->method().name()) + " " + request->uri();
      if (request->decoderResult().isFailure()) {
        line += " failed " + request->decoderResult().cause().message();
      }
      all.push_back(std::move(line));
    } else if (const auto* last = m.getIf<LastHttpContent>()) {
      all.push_back(last->decoderResult().isFailure()
                        ? "last failed " + last->decoderResult().cause().message()
                        : "last" + (last->content().isReadable() ? " " + last->content().toString()
                                                                 : std::string()));
    } else if (const auto* content = m.getIf<HttpContent>()) {
      all.push_back("content " + content->content().toString());
    } else if (const auto* buf = m.getIf<ByteBuf>()) {
      all.push_back("bytes " + buf->toString());
    } else {
      all.push_back("other");
    }
  }
  return all;
}

// Answers each request, as soon as it has been read, with its target as the body.
class Responder : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (const auto* request = msg.getIf<HttpRequest>()) {
      uri_ = request->uri();
    }
    if (msg.is<LastHttpContent>() && !msg.get<HttpObject>().decoderResult().isFailure()) {
      ctx.writeAndFlush(Message(response(uri_)));
    }
  }

 private:
  std::string uri_;
};

TEST_F(HttpServerCodecTest, AnswersAGetWithTheResponseBytes) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ASSERT_TRUE(ch.writeInbound(bytes("GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")));
  std::optional<HttpRequest> request = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method(), HttpMethod::kGet);
  EXPECT_EQ(request->uri(), "/hello?x=1");
  EXPECT_EQ(request->headers().get("host"), "example.com");
  EXPECT_TRUE(ch.readInbound<LastHttpContent>().has_value());

  FullHttpResponse res = response("Hello, World!");
  res.headers().add(HttpHeaderNames::kContentType, "text/plain");
  ch.writeOutbound(std::move(res));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\n"
            "content-length: 13\r\n"
            "content-type: text/plain\r\n"
            "\r\n"
            "Hello, World!");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, ResponseToHeadHasItsHeadersButNoBody) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("HEAD /file HTTP/1.1\r\nHost: a\r\n\r\nGET /file HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"HEAD /file", "last", "GET /file", "last"}));
  // RFC 9110 9.3.2: the same header fields as the GET, Content-Length included, no content.
  ch.writeOutbound(response("hello"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n");
  // The pairing moves on: the GET that follows gets its body.
  ch.writeOutbound(response("hello"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, StreamedResponseToHeadWritesNoBody) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"));
  ch.releaseInbound();
  HttpResponse start(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  start.headers().add(HttpHeaderNames::kContentLength, 4);
  ch.writeOutbound(std::move(start), HttpContent(bytes("ab")), LastHttpContent(bytes("cd")));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, StreamedResponseToHttp11RequestIsChunked) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  ch.releaseInbound();
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk),
                   HttpContent(bytes("Hello")), HttpContent(bytes(", World!")), LastHttpContent());
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\n"
            "transfer-encoding: chunked\r\n"
            "\r\n"
            "5\r\nHello\r\n"
            "8\r\n, World!\r\n"
            "0\r\n\r\n");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, StreamedResponseToHttp10RequestIsNotChunked) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"GET /", "last"}));
  // RFC 9112 6.1: even an HTTP/1.1 response must not be chunked for an HTTP/1.0 client; its
  // body ends with the connection.
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk),
                   HttpContent(bytes("Hello")), LastHttpContent(bytes(", World!")));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\n\r\nHello, World!");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, ChunkingFollowsEachPipelinedRequestsVersion) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("GET /10 HTTP/1.0\r\n\r\nGET /11 HTTP/1.1\r\nHost: a\r\n\r\n"));
  ch.releaseInbound();
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk),
                   LastHttpContent(bytes("one")));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\n\r\none");
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk),
                   LastHttpContent(bytes("two")));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, InterimResponsesAreNotTheFinalOne) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
            "\r\nhi"
            "HEAD /after HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(received(ch),
            (std::vector<std::string>{"POST /upload", "last hi", "HEAD /after", "last"}));
  // A whole 100 and a streamed 103: neither answers the POST.
  ch.writeOutbound(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kContinue));
  HttpResponse hints(HttpVersion::kHttp11, HttpResponseStatus(103, "Early Hints"));
  hints.headers().add("link", "</style.css>; rel=preload");
  ch.writeOutbound(std::move(hints), LastHttpContent());
  EXPECT_EQ(written(ch),
            "HTTP/1.1 100 Continue\r\n\r\n"
            "HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n");
  // The POST's final response keeps its body; the HEAD's, next, has none.
  ch.writeOutbound(response("done", HttpResponseStatus::kCreated));
  EXPECT_EQ(written(ch), "HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\ndone");
  ch.writeOutbound(response("done"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, SuccessfulResponseToConnectHasNoFraming) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"CONNECT example.com:443", "last"}));
  // RFC 9110 9.3.6: neither Content-Length nor Transfer-Encoding in a 2xx to CONNECT, and no
  // chunked coding added to a streamed one; the tunnel's bytes follow as they are.
  HttpResponse start(HttpVersion::kHttp11, HttpResponseStatus(200, "Connection Established"));
  start.headers().add(HttpHeaderNames::kContentLength, 0).add("x-proxy", "sluice");
  ch.writeOutbound(std::move(start), LastHttpContent());
  ch.writeOutbound(bytes("\x16\x03\x01 tunnel"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 Connection Established\r\nx-proxy: sluice\r\n\r\n"
            "\x16\x03\x01 tunnel");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, FailedConnectKeepsItsFraming) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
  ch.releaseInbound();
  ch.writeOutbound(response("denied", HttpResponseStatus::kForbidden));
  EXPECT_EQ(written(ch), "HTTP/1.1 403 Forbidden\r\ncontent-length: 6\r\n\r\ndenied");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, AnswersPipelinedRequestsInOrder) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Responder>());
  ch.writeInbound(bytes(
      "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
      "HEAD /two HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /four HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n/one"
            "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n"
            "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\n/three"
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n/four");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, RequestArrivingByteByByteIsAnswered) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Responder>());
  const std::string_view input =
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcHEAD /y HTTP/1.1\r\nHost: "
      "a\r\n\r\n";
  for (char c : input) {
    ch.writeInbound(bytes(std::string_view(&c, 1)));
  }
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n/x"
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

// Feeds `input` to a fresh server and expects `answer` on the wire, the connection closed,
// and nothing passed to the handler.
void expectAnswered(std::string_view input, std::string_view statusLine) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  EXPECT_FALSE(ch.writeInbound(bytes(input)));
  EXPECT_EQ(written(ch),
            std::string(statusLine) + "\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.isActive());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, AnswersAMalformedHeaderWith400AndCloses) {
  expectAnswered("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n", "HTTP/1.1 400 Bad Request");
  // Also when the request cannot even start with a method.
  expectAnswered("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "HTTP/1.1 400 Bad Request");
  // RFC 9112 3.2: an HTTP/1.1 request without Host.
  expectAnswered("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request");
  // RFC 9112 6.3: Content-Length with Transfer-Encoding.
  expectAnswered(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 400 Bad Request");
}

TEST_F(HttpServerCodecTest, AnswersATooLongRequestLineWith414AndCloses) {
  expectAnswered("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n",
                 "HTTP/1.1 414 Request-URI Too Long");
  // As soon as the limit is passed, without waiting for the end of the line.
  expectAnswered("GET /" + std::string(5000, 'a'), "HTTP/1.1 414 Request-URI Too Long");
}

TEST_F(HttpServerCodecTest, AnswersTooLargeHeadersWith431AndCloses) {
  expectAnswered("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(9000, 'b') + "\r\n\r\n",
                 "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(HttpServerCodecTest, AnswersAnUnknownTransferCodingWith501AndCloses) {
  // RFC 9112 6.1: a server that does not understand a transfer coding SHOULD answer 501.
  expectAnswered("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                 "HTTP/1.1 501 Not Implemented");
}

TEST_F(HttpServerCodecTest, AnswersAFinalCodingOtherThanChunkedWith400AndCloses) {
  // RFC 9112 6.3 rule 4: the server MUST answer 400 and close.
  expectAnswered("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                 "HTTP/1.1 400 Bad Request");
}

TEST_F(HttpServerCodecTest, StatusForNamesTheStatusOfEachError) {
  EXPECT_EQ(HttpServerCodec::statusFor(Error(HttpErrc::TooLongUri, "")),
            HttpResponseStatus::kRequestUriTooLong);
  EXPECT_EQ(HttpServerCodec::statusFor(Error(HttpErrc::TooLongHeaders, "")),
            HttpResponseStatus::kRequestHeaderFieldsTooLarge);
  EXPECT_EQ(HttpServerCodec::statusFor(Error(HttpErrc::UnsupportedTransferEncoding, "")),
            HttpResponseStatus::kNotImplemented);
  EXPECT_EQ(HttpServerCodec::statusFor(Error(HttpErrc::InvalidHeader, "")),
            HttpResponseStatus::kBadRequest);
  EXPECT_EQ(HttpServerCodec::statusFor(Error(HttpErrc::InvalidChunkSize, "")),
            HttpResponseStatus::kBadRequest);
}

TEST_F(HttpServerCodecTest, BadRequestIsAnsweredAfterTheResponsesOwedBeforeIt) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /two HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /three HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"
            "GET /four HTTP/1.1\r\nHost: a\r\n\r\n"));
  // The handler holds the two good requests and answers them later; the bad one and what
  // follows it are not passed on.
  EXPECT_EQ(received(ch), (std::vector<std::string>{"GET /one", "last", "GET /two", "last"}));
  EXPECT_EQ(written(ch), "");
  EXPECT_TRUE(ch.isOpen());

  ch.writeOutbound(response("1"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1");
  EXPECT_TRUE(ch.isOpen());

  ch.writeOutbound(response("2"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n2" + std::string(kBadRequest));
  EXPECT_FALSE(ch.isOpen());

  // Nothing more goes out: a late write fails its promise.
  ChannelFuture late = ch.write(Message(response("late")));
  ch.flush();
  ASSERT_TRUE(late.isDone());
  EXPECT_FALSE(late.isSuccess());
  EXPECT_EQ(written(ch), "");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, BadRequestAnswerWaitsForAStreamedResponseToEnd) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n"
            "Transfer-Encoding: gzip, chunked\r\n\r\n"));
  ch.releaseInbound();
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk),
                   HttpContent(bytes("abc")));
  EXPECT_TRUE(ch.isOpen());
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n");
  ch.writeOutbound(LastHttpContent());
  EXPECT_EQ(written(ch),
            "0\r\n\r\n"
            "HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, NoAnswerAfterAResponseThatCloses) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"GET /last", "last"}));
  // RFC 9112 9.6: the response that says close is the last one on the connection.
  FullHttpResponse bye = response("bye");
  bye.headers().add(HttpHeaderNames::kConnection, "close");
  ch.writeOutbound(std::move(bye));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nbye");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, BadChunkSizeFailsTheBodyAndIsAnswered) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\nzz\r\n"));
  // The head and the content before the bad chunk were passed on; the failed last content
  // follows them, so a handler waiting for the end of the body hears of it.
  std::vector<std::string> in = received(ch);
  ASSERT_EQ(in.size(), 3U);
  EXPECT_EQ(in[0], "POST /upload");
  EXPECT_EQ(in[1], "content hello");
  EXPECT_EQ(in[2].rfind("last failed ", 0), 0U) << in[2];
  // The codec's 400 is the response to that request.
  EXPECT_EQ(written(ch), kBadRequest);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, BodyFailureReportsTheDecoderError) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  ch.readInbound().reset();
  std::optional<LastHttpContent> last = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(last.has_value());
  ASSERT_TRUE(last->decoderResult().isFailure());
  EXPECT_EQ(last->decoderResult().cause().code(), HttpErrc::InvalidChunkSize);
  EXPECT_EQ(written(ch), kBadRequest);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, BodyFailureAfterPipelinedRequestsWaitsForTheirResponses) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            "POST /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhixx"));
  EXPECT_EQ(received(ch).size(), 5U);
  EXPECT_EQ(written(ch), "");
  EXPECT_TRUE(ch.isOpen());
  ch.writeOutbound(response("1"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1" + std::string(kBadRequest));
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

// Answers a request whose body failed with a response of its own, recording its outcome.
class FailureResponder : public ChannelInboundHandler {
 public:
  explicit FailureResponder(std::vector<ChannelFuture>& writes) : writes_(writes) {}

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (msg.is<LastHttpContent>()) {
      const bool failed = msg.get<HttpObject>().decoderResult().isFailure();
      writes_.push_back(ctx.writeAndFlush(Message(
          response(failed ? "failed" : "ok",
                   failed ? HttpResponseStatus::kInternalServerError : HttpResponseStatus::kOk))));
    }
  }

 private:
  std::vector<ChannelFuture>& writes_;
};

TEST_F(HttpServerCodecTest, HandlerResponseToAFailedBodyGivesWayToTheAnswer) {
  std::vector<ChannelFuture> writes;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<FailureResponder>(writes));
  ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  // One response to one request: the codec's, not the handler's as well.
  EXPECT_EQ(written(ch), kBadRequest);
  ASSERT_EQ(writes.size(), 1U);
  ASSERT_TRUE(writes[0].isDone());
  EXPECT_FALSE(writes[0].isSuccess());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, HandlerAnsweringPipelinedRequestsAtOnceStillGetsTheAnswerLast) {
  std::vector<ChannelFuture> writes;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<FailureResponder>(writes));
  ch.writeInbound(
      bytes("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            "POST /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhixx"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" + std::string(kBadRequest));
  ASSERT_EQ(writes.size(), 2U);
  EXPECT_TRUE(writes[0].isSuccess());
  ASSERT_TRUE(writes[1].isDone());
  EXPECT_FALSE(writes[1].isSuccess());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, BodyFailureDuringItsResponseClosesOnceTheResponseEnds) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\nhi\r\n"));
  ch.releaseInbound();
  // The handler streams its response while the body arrives.
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk),
                   HttpContent(bytes("hi")));
  ch.writeInbound(bytes("zz\r\n"));
  EXPECT_EQ(received(ch).size(), 1U);  // the failed last content
  // No second response to the same request: the one in progress ends, then the close.
  EXPECT_TRUE(ch.isOpen());
  ch.writeOutbound(LastHttpContent());
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, BodyFailureAfterItsResponseClosesAtOnce) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"));
  ch.releaseInbound();
  // An early answer, before the body.
  ch.writeOutbound(response("no", HttpResponseStatus::kForbidden));
  EXPECT_EQ(written(ch), "HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno");
  EXPECT_TRUE(ch.isOpen());
  // The connection closes in the middle of the body: the handler hears of it, and there
  // is nobody to answer.
  ch.writeInbound(bytes("abc"));
  ch.releaseInbound();
  ch.close();
  ch.runPendingTasks();
  std::optional<LastHttpContent> cut = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->decoderResult().cause().code(), HttpErrc::PrematureClose);
  EXPECT_EQ(written(ch), "");
  EXPECT_FALSE(ch.finish());

  EmbeddedChannel chunked(std::make_unique<HttpServerCodec>());
  chunked.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"));
  chunked.releaseInbound();
  chunked.writeOutbound(response("no", HttpResponseStatus::kForbidden));
  EXPECT_EQ(written(chunked), "HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno");
  // A bad chunk after the response ended: the response stands, and the connection closes.
  chunked.writeInbound(bytes("zz\r\n"));
  chunked.releaseInbound();
  EXPECT_EQ(written(chunked), "");
  EXPECT_FALSE(chunked.isOpen());
  EXPECT_FALSE(chunked.finish());
}

TEST_F(HttpServerCodecTest, ResponseStartRefusedByTheEncoderIsNotPaired) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
  ch.releaseInbound();
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk));
  // A second start before the first response ended: refused, and it answers nothing.
  ChannelFuture refused = ch.write(Message(response("oops")));
  ch.flush();
  ASSERT_TRUE(refused.isDone());
  EXPECT_FALSE(refused.isSuccess());
  ch.writeOutbound(LastHttpContent(bytes("1")));
  // So the next response is the HEAD's, without a body.
  ch.writeOutbound(response("22"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\n1\r\n0\r\n\r\n"
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, StrayLastContentDoesNotCountAsAResponse) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(
      bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /2 HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"));
  ch.releaseInbound();
  // No response has started: the encoder refuses it, and the 400 still waits for /1's.
  ChannelFuture refused = ch.write(Message(LastHttpContent()));
  ch.flush();
  EXPECT_FALSE(refused.isSuccess());
  EXPECT_EQ(written(ch), "");
  EXPECT_TRUE(ch.isOpen());
  ch.writeOutbound(response("1"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1" + std::string(kBadRequest));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, RefusedExpectationSkipsTheAnnouncedBody) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(10));
  // The aggregator refuses the expectation with 413; the client then does not send the 100
  // bytes, and its next request must not be read as them.
  ch.writeInbound(
      bytes("PUT /big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n"));
  EXPECT_EQ(written(ch), "HTTP/1.1 413 Request Entity Too Large\r\ncontent-length: 0\r\n\r\n");
  EXPECT_TRUE(ch.isOpen());
  ch.writeInbound(bytes("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::optional<FullHttpRequest> next = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(next->decoderResult().isSuccess());
  EXPECT_EQ(next->uri(), "/next");
  ch.writeOutbound(response("ok"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, FailedBodyBehindAnAggregatorIsAnsweredOnce) {
  std::vector<ChannelFuture> writes;
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(),
                     std::make_unique<HttpObjectAggregator>(1024),
                     std::make_unique<FailureResponder>(writes));
  ch.writeInbound(
      bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n-1\r\n"));
  // The aggregator passes the failed request on whole; the handler's answer to it gives way.
  EXPECT_EQ(written(ch), kBadRequest);
  ASSERT_EQ(writes.size(), 1U);
  EXPECT_FALSE(writes[0].isSuccess());
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, WithoutAnswerBadRequestsTheFailedRequestIsPassedOn) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(
      HttpServerCodecConfig{.decoder = {}, .answerBadRequests = false}));
  ch.writeInbound(
      bytes("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /bad HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"));
  ASSERT_EQ(ch.inboundMessages().size(), 3U);
  ch.readInbound().reset();
  ch.readInbound().reset();
  std::optional<HttpRequest> bad = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(bad.has_value());
  ASSERT_TRUE(bad->decoderResult().isFailure());
  EXPECT_EQ(bad->decoderResult().cause().code(), HttpErrc::InvalidHeader);
  ch.writeOutbound(response("ok"));
  EXPECT_EQ(written(ch), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, DecoderLimitsComeFromTheConfig) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(
      HttpDecoderConfig{.maxInitialLineLength = 20, .maxChunkSize = 2}));
  ch.writeInbound(bytes("POST /abc HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"));
  EXPECT_EQ(received(ch),
            (std::vector<std::string>{"POST /abc", "content he", "content ll", "last o"}));
  ch.writeOutbound(response(""));
  ch.writeInbound(bytes("GET /abcdefghijkl HTTP/1.1\r\n"));
  EXPECT_EQ(written(ch),
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
            "HTTP/1.1 414 Request-URI Too Long\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, ConnectionClosedInTheHeadersIsNotAnswered) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n"));
  EXPECT_FALSE(ch.finish());
  EXPECT_EQ(written(ch), "");
}

// Takes the connection over after an upgrade request: removes the codec from the pipeline
// once the request is complete (`onHead`: as soon as its head arrives).
class Upgrader : public ChannelInboundHandler {
 public:
  explicit Upgrader(bool onHead = false) : onHead_(onHead) {}

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    const bool trigger = onHead_ ? msg.is<HttpRequest>() : msg.is<LastHttpContent>();
    ctx.fireChannelRead(std::move(msg));
    if (trigger && !upgraded_) {
      upgraded_ = true;
      ctx.pipeline().remove<HttpServerCodec>();
    }
  }

 private:
  bool onHead_;
  bool upgraded_ = false;
};

TEST_F(HttpServerCodecTest, RemovingTheCodecHandsTheFollowingBytesOn) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Upgrader>());
  ch.writeInbound(
      bytes("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: chat\r\nConnection: upgrade\r\n"
            "\r\nHELLO\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"GET /chat", "last", "bytes HELLO\r\n"}));
  ch.writeInbound(bytes("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"bytes GET / HTTP/1.1\r\n\r\n"}));
  // Outbound, nothing encodes any more.
  ch.writeOutbound(bytes("WELCOME"));
  EXPECT_EQ(written(ch), "WELCOME");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, RemovingTheCodecOnTheRequestHeadKeepsTheOrder) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), std::make_unique<Upgrader>(true));
  ch.writeInbound(bytes("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: chat\r\n\r\nHELLO"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"GET /chat", "last", "bytes HELLO"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpServerCodecTest, RemovingTheCodecBetweenReadsHandsOnAPartialRequest) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>());
  ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /partial HTT"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"GET /", "last"}));
  ch.pipeline().remove<HttpServerCodec>();
  // The decoder held the start of the next request: it goes on as bytes.
  EXPECT_EQ(received(ch), (std::vector<std::string>{"bytes GET /partial HTT"}));
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
