#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpRequestDecoder.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/HttpDecoderHarness.h"
#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using testing::Events;

class HttpRequestDecoderTest : public sluice::testing::SluiceTest {};

testing::DecoderFactory requests(HttpDecoderConfig config = {}) {
  return [config] { return std::make_unique<HttpRequestDecoder>(config); };
}

// " !<message>": how the harness renders a failed decoderResult().
std::string err(HttpErrc e) { return " !" + make_error_code(e).message(); }

Events decode(std::string_view input, HttpDecoderConfig config = {}) {
  return testing::expectSameAtEverySplit(requests(config), input);
}

// The request line that stands in for one that could not be parsed (as Netty).
const std::string kBadRequest = "GET /bad-request HTTP/1.0 {}";

// ---- Well-formed requests ------------------------------------------------------------------

TEST_F(HttpRequestDecoderTest, DecodesGetWithoutBodyAtEverySplit) {
  EXPECT_EQ(decode("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"),
            (Events{"GET /index.html?q=1 HTTP/1.1 {Host: example.com, Accept: */*}", "END"}));
}

TEST_F(HttpRequestDecoderTest, EmitsRequestThenEmptyLastContentObjects) {
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>());
  ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("DELETE /r/7 HTTP/1.1\r\nHost: h\r\n\r\n")));
  Message first = ch.readInbound();
  ASSERT_TRUE(first.isExactly<HttpRequest>());
  const auto& request = first.get<HttpRequest>();
  EXPECT_TRUE(request.decoderResult().isSuccess());
  EXPECT_EQ(request.method(), HttpMethod::kDelete);
  EXPECT_EQ(request.uri(), "/r/7");
  EXPECT_EQ(request.protocolVersion(), HttpVersion::kHttp11);
  EXPECT_EQ(request.headers().get(HttpHeaderNames::kHost), "h");
  EXPECT_TRUE(request.headers().isValidating());
  Message last = ch.readInbound();
  ASSERT_TRUE(last.isExactly<LastHttpContent>());
  EXPECT_FALSE(last.get<LastHttpContent>().content().isReadable());
  EXPECT_TRUE(last.get<LastHttpContent>().trailingHeaders().isEmpty());
  EXPECT_FALSE(ch.readInbound());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, HeadersTakeTheConfiguredValidation) {
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>(
      HttpDecoderConfig{.validateHeaders = HeaderValidation::Off}));
  ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\n\r\n")));
  EXPECT_FALSE(ch.readInbound().get<HttpRequest>().headers().isValidating());
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

TEST_F(HttpRequestDecoderTest, DecodesContentLengthBody) {
  EXPECT_EQ(
      decode("POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"),
      (Events{"POST /form HTTP/1.1 {Host: h, Content-Length: 11}", "BODY hello world", "END"}));
}

TEST_F(HttpRequestDecoderTest, ZeroContentLengthHasNoBody) {
  EXPECT_EQ(decode("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"),
            (Events{"PUT /x HTTP/1.1 {Host: h, Content-Length: 0}", "END"}));
}

TEST_F(HttpRequestDecoderTest, LeadingZerosInContentLengthAreAccepted) {
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 002\r\n\r\nok"),
            (Events{"POST / HTTP/1.1 {Host: h, Content-Length: 002}", "BODY ok", "END"}));
}

TEST_F(HttpRequestDecoderTest, BodyComesInPiecesOfAtMostMaxChunkSize) {
  // The harness reports any piece above the limit as "OVERSIZED".
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789",
                   {.maxChunkSize = 4}),
            (Events{"POST / HTTP/1.1 {Host: h, Content-Length: 10}", "BODY 0123456789", "END"}));

  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>(HttpDecoderConfig{.maxChunkSize = 4}));
  ch.writeInbound(
      Unpooled::copiedBuffer("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"));
  ASSERT_TRUE(ch.readInbound().isExactly<HttpRequest>());
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "0123");
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "4567");
  EXPECT_EQ(ch.readInbound<LastHttpContent>()->content().toStringView(), "89");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, ContentIsASliceOfTheReceivedBufferNotACopy) {
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>());
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n";
  ByteBuf in = PooledByteBufAllocator::defaultAllocator().copiedBuffer(head + "hello");
  const std::uint8_t* bytes = in.readableSpan().data();
  ch.writeInbound(std::move(in));
  ch.readInbound();
  auto last = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->content().readableSpan().data(), bytes + head.size());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, DecodesChunkedBodyWithExtensionsAndTrailers) {
  EXPECT_EQ(decode("POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "4;name=value;q=\"a \\\"b\\\"\"\r\nWiki\r\n"
                   "5 ; ext ;x = y\r\npedia\r\n"
                   "E\r\n in\r\n\r\nchunks.\r\n"
                   "0;last\r\nExpires: never\r\nX-Checksum:  abc \r\n\r\n"),
            (Events{"POST /upload HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                    "BODY Wikipedia in\r\n\r\nchunks.", "END {Expires: never, X-Checksum: abc}"}));
}

TEST_F(HttpRequestDecoderTest, ChunkedBodyWithoutTrailers) {
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
                   "3\r\nabc\r\n00\r\n\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: Chunked}", "BODY abc", "END"}));
}

TEST_F(HttpRequestDecoderTest, ChunksLargerThanMaxChunkSizeAreSplit) {
  EXPECT_EQ(
      decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
             "a\r\n0123456789\r\n0\r\n\r\n",
             {.maxChunkSize = 3}),
      (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY 0123456789", "END"}));
}

TEST_F(HttpRequestDecoderTest, FramingFieldsInTrailersAreDropped) {
  EXPECT_EQ(
      decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
             "0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nTrailer: x\r\nX: 1\r\n\r\n"),
      (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "END {X: 1}"}));
}

TEST_F(HttpRequestDecoderTest, DecodesPipelinedRequestsInOneRead) {
  EXPECT_EQ(
      decode("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
             "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
             "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nq\r\n0\r\n\r\n"
             "GET /d HTTP/1.0\r\n\r\n"),
      (Events{"GET /a HTTP/1.1 {Host: h}", "END", "POST /b HTTP/1.1 {Host: h, Content-Length: 3}",
              "BODY xyz", "END", "POST /c HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY q",
              "END", "GET /d HTTP/1.0 {}", "END"}));
}

TEST_F(HttpRequestDecoderTest, PipelinedRequestsComeOutOnePerDecodeCall) {
  // A handler may remove the codec after an upgrade request: the bytes after that request
  // must not have been decoded as HTTP by then.
  struct RemoveAfterFirst : ChannelInboundHandler {
    std::vector<std::string> seen;
    void channelRead(ChannelHandlerContext& ctx, Message msg) override {
      if (msg.is<LastHttpContent>() && seen.empty()) {
        seen.emplace_back("last");
        ctx.pipeline().removeFirst();
      } else if (msg.isExactly<ByteBuf>()) {
        seen.push_back(msg.get<ByteBuf>().toString());
      }
    }
  };
  auto handler = std::make_shared<RemoveAfterFirst>();
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>(), handler);
  ch.writeInbound(Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\n\r\n\x81\x00raw"));
  EXPECT_EQ(handler->seen, (std::vector<std::string>{"last", "\x81\x00raw"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, DecodesHttp10WithoutHost) {
  EXPECT_EQ(decode("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
            (Events{"GET / HTTP/1.0 {Connection: keep-alive}", "END"}));
}

TEST_F(HttpRequestDecoderTest, SkipsEmptyLinesBeforeTheRequestLine) {
  // RFC 9112 2.2.
  EXPECT_EQ(decode("\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: "
                   "h\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h}", "END", "GET /2 HTTP/1.1 {Host: h}", "END"}));
}

TEST_F(HttpRequestDecoderTest, AcceptsBareLfLineEndings) {
  // RFC 9112 2.2: a recipient MAY recognize a single LF as a line terminator.
  EXPECT_EQ(
      decode("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n2\nab\n0\nT: 1\n\n"),
      (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY ab", "END {T: 1}"}));
}

TEST_F(HttpRequestDecoderTest, AcceptsEveryRequestTargetForm) {
  EXPECT_EQ(decode("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"
                   "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
                   "GET http://example.com/a?b#c HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            (Events{"OPTIONS * HTTP/1.1 {Host: h}", "END",
                    "CONNECT example.com:443 HTTP/1.1 {Host: example.com:443}", "END",
                    "GET http://example.com/a?b#c HTTP/1.1 {Host: example.com}", "END"}));
}

TEST_F(HttpRequestDecoderTest, KeepsExtensionMethods) {
  EXPECT_EQ(decode("PURGE /cache HTTP/1.1\r\nHost: h\r\n\r\nget / HTTP/1.1\r\nHost: h\r\n\r\n"),
            (Events{"PURGE /cache HTTP/1.1 {Host: h}", "END", "get / HTTP/1.1 {Host: h}", "END"}));
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>());
  ch.writeInbound(Unpooled::copiedBuffer("PURGE / HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_EQ(ch.readInbound().get<HttpRequest>().method().name(), "PURGE");
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

TEST_F(HttpRequestDecoderTest, TrimsOptionalWhitespaceAroundValues) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a b \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h, X-A: a b, X-Empty: , X-Blank: }", "END"}));
}

TEST_F(HttpRequestDecoderTest, AcceptsObsTextAndTabsInValues) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\xE9\tau lait\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h, X-Latin: caf\xE9\tau lait}", "END"}));
}

TEST_F(HttpRequestDecoderTest, AcceptsEmptyHostAndHostWithPort) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost:\r\n\r\nGET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: }", "END", "GET / HTTP/1.1 {Host: [::1]:8080}", "END"}));
}

// ---- Smuggling vectors and malformed messages ----------------------------------------------

TEST_F(HttpRequestDecoderTest, RejectsContentLengthWithTransferEncoding) {
  // RFC 9112 6.3 rule 3: ought to be handled as an error; a server may reject it.
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                   "chunked\r\n\r\n0\r\n\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Content-Length: 3, Transfer-Encoding: chunked}" +
                    err(HttpErrc::ContentLengthWithTransferEncoding)}));
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                   "3\r\n\r\n0\r\n\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked, Content-Length: 3}" +
                    err(HttpErrc::ContentLengthWithTransferEncoding)}));
}

TEST_F(HttpRequestDecoderTest, RejectsTransferEncodingOtherThanOneChunked) {
  for (const char* te : {"gzip", "gzip, chunked", "chunked, gzip", "chunked, chunked", "identity",
                         "", " , ", "chunked;q=1", "xchunked"}) {
    const std::string input =
        fmt::format("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: {}\r\n\r\n0\r\n\r\n", te);
    const Events events = decode(input);
    ASSERT_EQ(events.size(), 1U) << te;
    // RFC 9112 6.3 rule 4: a final coding other than one chunked is a 400 (invalid); an
    // unknown coding before a final chunked is one sluice cannot decode (501).
    const HttpErrc expected = std::string_view(te) == "gzip, chunked"
                                  ? HttpErrc::UnsupportedTransferEncoding
                                  : HttpErrc::InvalidTransferEncoding;
    EXPECT_TRUE(events[0].ends_with(err(expected))) << events[0];
  }
  // chunked twice, in two fields.
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked, Transfer-Encoding: "
                    "chunked}" +
                    err(HttpErrc::InvalidTransferEncoding)}));
}

TEST_F(HttpRequestDecoderTest, RejectsTransferEncodingInHttp10) {
  // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  EXPECT_EQ(decode("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            (Events{"POST / HTTP/1.0 {Transfer-Encoding: chunked}" +
                    err(HttpErrc::InvalidTransferEncoding)}));
}

TEST_F(HttpRequestDecoderTest, RejectsRepeatedContentLengthEvenWhenEqual) {
  // RFC 9112 6.3 rule 5 would allow equal duplicates; they are refused as a smuggling vector.
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"
                   "hello"),
            (Events{"POST / HTTP/1.1 {Host: h, Content-Length: 5}" +
                    err(HttpErrc::InvalidContentLength)}));
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello"),
            (Events{"POST / HTTP/1.1 {Host: h}" + err(HttpErrc::InvalidContentLength)}));
}

TEST_F(HttpRequestDecoderTest, RejectsMalformedContentLength) {
  for (const char* cl : {"", "+5", "-1", "0x10", "5 5", "abc", "5.0", "1e3", "9223372036854775808",
                         "99999999999999999999999"}) {
    const std::string input =
        fmt::format("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\nhello", cl);
    EXPECT_EQ(decode(input),
              (Events{"POST / HTTP/1.1 {Host: h}" + err(HttpErrc::InvalidContentLength)}))
        << cl;
  }
}

TEST_F(HttpRequestDecoderTest, AcceptsTheLargestContentLength) {
  // 2^63 - 1 fits; the body never arrives, so the close fails the message.
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\nab"),
            (Events{"POST / HTTP/1.1 {Host: h, Content-Length: 9223372036854775807}", "BODY ab",
                    "END" + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpRequestDecoderTest, RejectsBadChunkSizes) {
  for (const char* size : {"g", "", "0x10", "-1", " 5", "5 ", "5;", "5;=x", "5;a=", "5;a=\"x",
                           "5;a b", "8000000000000000", "10000000000000000", "5\x01"}) {
    const std::string input = fmt::format(
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n{}\r\nhello\r\n0\r\n\r\n",
        size);
    EXPECT_EQ(decode(input), (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                                     "END" + err(HttpErrc::InvalidChunkSize)}))
        << size;
  }
}

TEST_F(HttpRequestDecoderTest, AcceptsTheLargestChunkSize) {
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "7fffffffffffffff\r\nab"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY ab",
                    "END" + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpRequestDecoderTest, RejectsChunkDataNotFollowedByCrLf) {
  for (const char* after : {"X\r\n0\r\n\r\n", "\rX0\r\n\r\n", "0\r\n\r\n"}) {
    const std::string input = fmt::format(
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello{}", after);
    EXPECT_EQ(decode(input), (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                                     "BODY hello", "END" + err(HttpErrc::InvalidChunkTerminator)}))
        << after;
  }
}

TEST_F(HttpRequestDecoderTest, RejectsWhitespaceBetweenFieldNameAndColon) {
  // RFC 9112 5.1: a server MUST reject such a request with 400.
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\nhello"),
            (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::InvalidHeader)}));
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {}" + err(HttpErrc::InvalidHeader)}));
}

TEST_F(HttpRequestDecoderTest, RejectsObsFold) {
  // RFC 9112 5.2: a server MUST reject obs-fold with 400 (or replace it).
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nX-Long: a\r\n b\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h, X-Long: a}" + err(HttpErrc::InvalidHeader)}));
  EXPECT_EQ(decode("GET / HTTP/1.1\r\n\tHost: h\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {}" + err(HttpErrc::InvalidHeader)}));
}

TEST_F(HttpRequestDecoderTest, RejectsControlCharactersInValues) {
  // RFC 9110 5.5: NUL, CR and LF MUST be rejected or replaced; other CTLs are invalid too.
  for (std::string_view value :
       {std::string_view("a\0b", 3), std::string_view("a\rb"), std::string_view("a\x01"),
        std::string_view("\x1f"), std::string_view("a\x7f")}) {
    const std::string input =
        "GET / HTTP/1.1\r\nHost: h\r\nX-Bad: " + std::string(value) + "\r\n\r\n";
    EXPECT_EQ(decode(input), (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::InvalidHeader)}))
        << value;
  }
}

TEST_F(HttpRequestDecoderTest, FindsAControlCharacterAtAnyPositionOfALongValue) {
  // Values are checked a word at a time: try each position and each kind of byte.
  for (const char bad : {'\0', '\r', '\x01', '\x1f', '\x7f'}) {
    for (std::size_t at = 0; at < 21; ++at) {
      std::string value(21, 'v');
      value[at] = bad;
      EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>());
      ch.writeInbound(
          Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\nX: " + value + "\r\n\r\n"));
      auto request = ch.readInbound<HttpRequest>();
      ASSERT_TRUE(request);
      EXPECT_EQ(request->decoderResult().cause().code(), HttpErrc::InvalidHeader)
          << int{bad} << " at " << at;
      EXPECT_FALSE(ch.finish());
    }
  }
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\tc\td\te\tf\tg\th\ti\x80\xff~ \r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h, X: a\tb\tc\td\te\tf\tg\th\ti\x80\xff~}", "END"}));
}

TEST_F(HttpRequestDecoderTest, FindsAControlCharacterAtAnyPositionOfALongTarget) {
  for (const char bad : {'\0', '\t', '\x01', '\x1f', '\x7f'}) {
    for (std::size_t at = 1; at < 21; ++at) {
      std::string target(21, 't');
      target[0] = '/';
      target[at] = bad;
      EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>());
      ch.writeInbound(Unpooled::copiedBuffer("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n"));
      auto request = ch.readInbound<HttpRequest>();
      ASSERT_TRUE(request);
      EXPECT_EQ(request->decoderResult().cause().code(), HttpErrc::InvalidRequestTarget)
          << int{bad} << " at " << at;
      EXPECT_FALSE(ch.finish());
    }
  }
  EXPECT_EQ(decode("GET /~\x80\xff!abcdefghijklmnop HTTP/1.1\r\nHost: h\r\n\r\n"),
            (Events{"GET /~\x80\xff!abcdefghijklmnop HTTP/1.1 {Host: h}", "END"}));
}

TEST_F(HttpRequestDecoderTest, RejectsBareCrAsLineTerminator) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\rX: 1\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {}" + err(HttpErrc::InvalidHeader)}));
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::InvalidHeader)}));
  const Events line = decode("GET / HTTP/1.1\rHost: h\r\n\r\n");
  ASSERT_EQ(line.size(), 1U);
  EXPECT_TRUE(line[0].starts_with(kBadRequest + " !")) << line[0];
}

TEST_F(HttpRequestDecoderTest, RejectsInvalidFieldNames) {
  for (const char* field :
       {"X(y): 1", "X/y: 1", "Bad Name: 1", "NoColon", ": empty name", "X\": 1", "X\x80: 1"}) {
    const std::string input = fmt::format("GET / HTTP/1.1\r\nHost: h\r\n{}\r\n\r\n", field);
    EXPECT_EQ(decode(input), (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::InvalidHeader)}))
        << field;
  }
}

TEST_F(HttpRequestDecoderTest, RejectsControlCharactersOrSpacesInTheTarget) {
  for (std::string_view target :
       {std::string_view("/a b"), std::string_view("/a\x01"), std::string_view("/a\x7f"),
        std::string_view("/a\tb"), std::string_view("/\0", 2)}) {
    const std::string input = "GET " + std::string(target) + " HTTP/1.1\r\nHost: h\r\n\r\n";
    EXPECT_EQ(decode(input), (Events{kBadRequest + err(HttpErrc::InvalidRequestTarget)})) << target;
  }
}

TEST_F(HttpRequestDecoderTest, RejectsRequestLinesNotSeparatedBySingleSpaces) {
  for (const char* line :
       {"GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET / HTTP/1.1 ", " GET / HTTP/1.1", "GET /", "GET",
        "GET\t/ HTTP/1.1", "G(T / HTTP/1.1", "/ HTTP/1.1"}) {
    const std::string input = fmt::format("{}\r\nHost: h\r\n\r\n", line);
    EXPECT_EQ(decode(input), (Events{kBadRequest + err(HttpErrc::InvalidInitialLine)})) << line;
  }
}

TEST_F(HttpRequestDecoderTest, RefusesBytesThatCannotStartARequestWithoutWaitingForALine) {
  // A TLS ClientHello sent to a plain-text port: no CRLF will come for a long time.
  const std::string_view hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  EXPECT_EQ(testing::decodeChunks(requests(), {hello}, Cumulator::Merge, testing::Buffers::Pooled,
                                  /*close=*/false),
            (Events{kBadRequest + err(HttpErrc::InvalidInitialLine)}));
  // The same verdict however the bytes are split, even when the line is also too long.
  EXPECT_EQ(decode("\xD0POST /" + std::string(60, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n",
                   HttpDecoderConfig{.maxInitialLineLength = 40}),
            (Events{kBadRequest + err(HttpErrc::InvalidInitialLine)}));
  // Past the line limit the line is too long, whatever comes after the limit.
  EXPECT_EQ(decode(std::string(45, 'G') + ": / HTTP/1.1\r\nHost: h\r\n\r\n",
                   HttpDecoderConfig{.maxInitialLineLength = 40}),
            (Events{kBadRequest + err(HttpErrc::TooLongUri)}));
  // A partial line that can still become a request waits for more, until the close.
  EXPECT_EQ(testing::decodeChunks(requests(), {"GET /inde"}),
            (Events{kBadRequest + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpRequestDecoderTest, DecodesMoreFieldLinesThanOneBatchAndFailsInALaterBatch) {
  // The decoder stores a header section in batches of lines; 40 lines span two of them.
  std::string input = "GET / HTTP/1.1\r\nHost: h\r\n";
  std::string rendered = "GET / HTTP/1.1 {Host: h";
  for (int i = 0; i < 40; ++i) {
    input += fmt::format("X-F{}: v{}\r\n", i, i);
    rendered += fmt::format(", X-F{}: v{}", i, i);
  }
  EXPECT_EQ(decode(input + "\r\n"), (Events{rendered + "}", "END"}));
  // A bad line in the second batch fails the request (with the fields before it), however
  // the reads split the input.
  EXPECT_EQ(decode(input + "X-Bad : v\r\n\r\n"),
            (Events{rendered + "}" + err(HttpErrc::InvalidHeader)}));
}

TEST_F(HttpRequestDecoderTest, RejectsInvalidVersions) {
  for (const char* version :
       {"HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.1x", "HTTP/1", "HTTP/11"}) {
    const std::string input = fmt::format("GET / {}\r\nHost: h\r\n\r\n", version);
    EXPECT_EQ(decode(input), (Events{kBadRequest + err(HttpErrc::InvalidVersion)})) << version;
  }
}

TEST_F(HttpRequestDecoderTest, RejectsHttp11RequestWithoutExactlyOneHost) {
  // RFC 9112 3.2: MUST respond 400.
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Accept: */*}" + err(HttpErrc::InvalidHost)}));
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: a}" + err(HttpErrc::InvalidHost)}));
  // "any request message that contains more than one Host header field line"
  EXPECT_EQ(decode("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"),
            (Events{"GET / HTTP/1.0 {Host: a}" + err(HttpErrc::InvalidHost)}));
}

TEST_F(HttpRequestDecoderTest, RejectsInvalidHostValues) {
  for (const char* host : {"a b", "user@h", "h/path", "h?q", "h#f", "h\\x"}) {
    const std::string input = fmt::format("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", host);
    EXPECT_EQ(decode(input), (Events{"GET / HTTP/1.1 {}" + err(HttpErrc::InvalidHost)})) << host;
  }
}

TEST_F(HttpRequestDecoderTest, IgnoresEveryByteAfterABadMessage) {
  EXPECT_EQ(decode("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n"
                   "GET /bad HTTP/1.1\r\nHost : h\r\n\r\n"
                   "GET /never HTTP/1.1\r\nHost: h\r\n\r\n"),
            (Events{"GET /ok HTTP/1.1 {Host: h}", "END",
                    "GET /bad HTTP/1.1 {}" + err(HttpErrc::InvalidHeader)}));
}

TEST_F(HttpRequestDecoderTest, FiresNoExceptionForBadInput) {
  // The recorder renders exceptionCaught as "EXCEPTION ..."; none appears, and the channel
  // records no error either.
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>());
  ch.writeInbound(Unpooled::copiedBuffer("BAD REQUEST LINE\r\n\r\n"));
  auto request = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->decoderResult().cause().code(), HttpErrc::InvalidVersion);
  EXPECT_EQ(request->decoderResult().cause().code(), std::errc::bad_message);
  EXPECT_NO_THROW(ch.checkException());
  ch.writeInbound(Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_FALSE(ch.readInbound());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, ResetStartsOverAfterABadMessage) {
  auto decoder = std::make_unique<HttpRequestDecoder>();
  HttpRequestDecoder* raw = decoder.get();
  EmbeddedChannel ch(std::move(decoder));
  ch.writeInbound(Unpooled::copiedBuffer("GET / HTTP/9.9\r\n"));
  EXPECT_TRUE(ch.readInbound<HttpRequest>()->decoderResult().isFailure());
  raw->reset();
  ch.writeInbound(Unpooled::copiedBuffer("GET /again HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto request = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(request);
  EXPECT_TRUE(request->decoderResult().isSuccess());
  EXPECT_EQ(request->uri(), "/again");
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

TEST_F(HttpRequestDecoderTest, ResetDropsAPartialMessage) {
  auto decoder = std::make_unique<HttpRequestDecoder>();
  HttpRequestDecoder* raw = decoder.get();
  EmbeddedChannel ch(std::move(decoder));
  ch.writeInbound(Unpooled::copiedBuffer("GET /partial HTTP/1.1\r\nHost: h\r\n"));
  EXPECT_FALSE(ch.readInbound());
  raw->reset();
  ch.writeInbound(Unpooled::copiedBuffer("GET /next HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_EQ(ch.readInbound<HttpRequest>()->uri(), "/next");
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

TEST_F(HttpRequestDecoderTest, RejectsZeroLimits) {
  EXPECT_THROW(HttpRequestDecoder(HttpDecoderConfig{.maxInitialLineLength = 0}),
               std::invalid_argument);
  EXPECT_THROW(HttpRequestDecoder(HttpDecoderConfig{.maxHeaderSize = 0}), std::invalid_argument);
  EXPECT_THROW(HttpRequestDecoder(HttpDecoderConfig{.maxChunkSize = 0}), std::invalid_argument);
}

// ---- Limits ------------------------------------------------------------------------------

TEST_F(HttpRequestDecoderTest, RequestLineOfExactlyTheLimitPassesAndOneMoreFails) {
  const std::string ok = "GET /" + std::string(17, 'a') + " HTTP/1.1";  // 31 bytes
  ASSERT_EQ(ok.size(), 31U);
  const HttpDecoderConfig config{.maxInitialLineLength = 31};
  EXPECT_EQ(decode(ok + "\r\nHost: h\r\n\r\n", config), (Events{ok + " {Host: h}", "END"}));
  const std::string over = "GET /" + std::string(18, 'a') + " HTTP/1.1";
  EXPECT_EQ(decode(over + "\r\nHost: h\r\n\r\n", config),
            (Events{kBadRequest + err(HttpErrc::TooLongUri)}));
  EXPECT_EQ(decode(over + "\nHost: h\n\n", config),
            (Events{kBadRequest + err(HttpErrc::TooLongUri)}));
}

TEST_F(HttpRequestDecoderTest, TooLongRequestLineFailsBeforeItsEndArrives) {
  EmbeddedChannel ch(
      std::make_unique<HttpRequestDecoder>(HttpDecoderConfig{.maxInitialLineLength = 16}));
  ch.writeInbound(Unpooled::copiedBuffer("GET /0123456789a"));  // 16 bytes: may still end
  EXPECT_FALSE(ch.readInbound());
  ch.writeInbound(Unpooled::copiedBuffer("\r"));  // could be the CR of the CRLF
  EXPECT_FALSE(ch.readInbound());
  ch.writeInbound(Unpooled::copiedBuffer("b"));  // 18 bytes without LF: over the limit
  auto request = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->decoderResult().cause().code(), HttpErrc::TooLongUri);
  EXPECT_EQ(request->decoderResult().cause().code(), std::errc::message_size);
  ch.writeInbound(Unpooled::copiedBuffer(std::string(100000, 'x')));
  EXPECT_EQ(ch.pipeline().get<HttpRequestDecoder>()->actualReadableBytes(), 0U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, HeaderSectionOfExactlyTheLimitPassesAndOneMoreFails) {
  // The limit counts the field lines without their CRLFs: "Host: h" (7) + "X: 0123" (7).
  const HttpDecoderConfig config{.maxHeaderSize = 14};
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nX: 0123\r\n\r\n", config),
            (Events{"GET / HTTP/1.1 {Host: h, X: 0123}", "END"}));
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nX: 01234\r\n\r\n", config),
            (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::TooLongHeaders)}));
  EXPECT_EQ(decode("GET / HTTP/1.1\nHost: h\nX: 01234\n\n", config),
            (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::TooLongHeaders)}));
}

TEST_F(HttpRequestDecoderTest, TooLargeHeaderSectionFailsBeforeTheLineEnds) {
  EmbeddedChannel ch(std::make_unique<HttpRequestDecoder>(HttpDecoderConfig{.maxHeaderSize = 8}));
  ch.writeInbound(Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\nX"));
  EXPECT_FALSE(ch.readInbound());
  ch.writeInbound(Unpooled::copiedBuffer(std::string(1000, 'y')));
  auto request = ch.readInbound<HttpRequest>();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->decoderResult().cause().code(), HttpErrc::TooLongHeaders);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpRequestDecoderTest, TrailerSectionHasItsOwnLimit) {
  const HttpDecoderConfig config{.maxHeaderSize = 40};
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  // 7 + 26 = 33 bytes of header section; "X-Trailer: " + 29 = 40 bytes of trailers.
  EXPECT_EQ(decode(head + "0\r\nX-Trailer: " + std::string(29, 't') + "\r\n\r\n", config),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                    "END {X-Trailer: " + std::string(29, 't') + "}"}));
  EXPECT_EQ(decode(head + "0\r\nX-Trailer: " + std::string(30, 't') + "\r\n\r\n", config),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                    "END" + err(HttpErrc::TooLongHeaders)}));
}

TEST_F(HttpRequestDecoderTest, RejectsInvalidTrailers) {
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "1\r\na\r\n0\r\nX : 1\r\n\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY a",
                    "END" + err(HttpErrc::InvalidHeader)}));
}

TEST_F(HttpRequestDecoderTest, TooLongChunkSizeLineFails) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  const HttpDecoderConfig config{.maxInitialLineLength = 16};
  EXPECT_EQ(decode(head + "1;" + std::string(14, 'e') + "\r\nx\r\n0\r\n\r\n", config),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY x", "END"}));
  EXPECT_EQ(decode(head + "1;" + std::string(15, 'e') + "\r\nx\r\n0\r\n\r\n", config),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                    "END" + err(HttpErrc::InvalidChunkSize)}));
}

// ---- Premature close ---------------------------------------------------------------------

TEST_F(HttpRequestDecoderTest, CloseInTheRequestLineFailsTheMessage) {
  EXPECT_EQ(decode("GET /ind"), (Events{kBadRequest + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpRequestDecoderTest, CloseInTheHeadersFailsTheRequest) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\nAcc"),
            (Events{"GET / HTTP/1.1 {Host: h}" + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpRequestDecoderTest, CloseInTheBodyFailsTheLastContent) {
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc"),
            (Events{"POST / HTTP/1.1 {Host: h, Content-Length: 10}", "BODY abc",
                    "END" + err(HttpErrc::PrematureClose)}));
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}", "BODY abc",
                    "END" + err(HttpErrc::PrematureClose)}));
  EXPECT_EQ(decode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n"),
            (Events{"POST / HTTP/1.1 {Host: h, Transfer-Encoding: chunked}",
                    "END" + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpRequestDecoderTest, CloseBetweenMessagesYieldsNothing) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n"),
            (Events{"GET / HTTP/1.1 {Host: h}", "END"}));
  EXPECT_EQ(decode(""), Events{});
  EXPECT_EQ(decode("\r\n\r"), Events{});
}

}  // namespace
}  // namespace sluice::http
