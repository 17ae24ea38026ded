#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpResponseDecoder.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "http/HttpDecoderHarness.h"
#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using testing::Events;

class HttpResponseDecoderTest : public sluice::testing::SluiceTest {};

testing::DecoderFactory responses(HttpDecoderConfig config = {}) {
  return [config] { return std::make_unique<HttpResponseDecoder>(config); };
}

std::string err(HttpErrc e) { return " !" + make_error_code(e).message(); }

Events decode(std::string_view input, HttpDecoderConfig config = {}) {
  return testing::expectSameAtEverySplit(responses(config), input);
}

const std::string kBadResponse = "HTTP/1.0 999 Unknown Status {}";

// What a client codec does: it knows which request each response answers. Responses to
// HEAD have no body (RFC 9112 6.3 rule 1); a 2xx response to CONNECT turns the connection
// into a tunnel (rule 2).
class ClientLikeDecoder : public HttpResponseDecoder {
 public:
  explicit ClientLikeDecoder(std::deque<HttpMethod> methods) : methods_(std::move(methods)) {}

 protected:
  bool isContentAlwaysEmpty(const HttpMessage& msg) override {
    const HttpMethod method = methods_.empty() ? HttpMethod::kGet : methods_.front();
    if (!methods_.empty()) {
      methods_.pop_front();
    }
    const int code = dynamic_cast<const HttpResponse&>(msg).status().code();
    if (method == HttpMethod::kHead) {
      return true;
    }
    if (method == HttpMethod::kConnect && code / 100 == 2) {
      setUpgraded();
      return true;
    }
    return HttpResponseDecoder::isContentAlwaysEmpty(msg);
  }

 private:
  std::deque<HttpMethod> methods_;
};

// ---- Well-formed responses ---------------------------------------------------------------

TEST_F(HttpResponseDecoderTest, DecodesContentLengthResponseAtEverySplit) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 5, Content-Type: text/plain}", "BODY hello",
                    "END"}));
}

TEST_F(HttpResponseDecoderTest, EmitsResponseObjects) {
  EmbeddedChannel ch(std::make_unique<HttpResponseDecoder>());
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"));
  auto response = ch.readInbound<HttpResponse>();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status(), HttpResponseStatus::kNotFound);
  EXPECT_EQ(response->status().reasonPhrase(), "Not Found");
  EXPECT_EQ(response->protocolVersion(), HttpVersion::kHttp11);
  auto last = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->content().toStringView(), "no");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseDecoderTest, KeepsCustomAndEmptyReasonPhrases) {
  EXPECT_EQ(decode("HTTP/1.1 200 Fine, thanks\r\nContent-Length: 0\r\n\r\n"
                   "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"
                   "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"
                   "HTTP/1.1 599 Custom\r\nContent-Length: 0\r\n\r\n"),
            (Events{"HTTP/1.1 200 Fine, thanks {Content-Length: 0}", "END",
                    "HTTP/1.1 200  {Content-Length: 0}", "END", "HTTP/1.1 200  {Content-Length: 0}",
                    "END", "HTTP/1.1 599 Custom {Content-Length: 0}", "END"}));
}

TEST_F(HttpResponseDecoderTest, DecodesChunkedResponseWithTrailers) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n6;ext=\"x\"\r\n world\r\n0\r\nServer-Timing: db;dur=53\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "BODY hello world",
                    "END {Server-Timing: db;dur=53}"}));
}

TEST_F(HttpResponseDecoderTest, ResponseWithoutLengthReadsUntilClose) {
  // RFC 9112 6.3 rule 8.
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this\r\nand this"),
            (Events{"HTTP/1.1 200 OK {Content-Type: text/plain}", "BODY all of this\r\nand this",
                    "END"}));
  EXPECT_EQ(decode("HTTP/1.0 200 OK\r\n\r\n"), (Events{"HTTP/1.0 200 OK {}", "END"}));
}

TEST_F(HttpResponseDecoderTest, ReadUntilCloseEndsOnlyAtClose) {
  EmbeddedChannel ch(std::make_unique<HttpResponseDecoder>(HttpDecoderConfig{.maxChunkSize = 4}));
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 200 OK\r\n\r\nabcdef"));
  ASSERT_TRUE(ch.readInbound<HttpResponse>());
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "abcd");
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "ef");
  EXPECT_FALSE(ch.readInbound());
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 200 OK\r\n"));  // just more body
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "HTTP");
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "/1.1");
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), " 200");
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), " OK\r");
  EXPECT_EQ(ch.readInbound<HttpContent>()->content().toStringView(), "\n");
  EXPECT_FALSE(ch.readInbound());
  EXPECT_TRUE(ch.finish());
  auto last = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->decoderResult().isSuccess());
  EXPECT_FALSE(ch.readInbound());
}

TEST_F(HttpResponseDecoderTest, NoContentAndNotModifiedHaveNoBody) {
  // RFC 9112 6.3 rule 1, whatever Content-Length says.
  EXPECT_EQ(decode("HTTP/1.1 204 No Content\r\n\r\n"
                   "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: \"x\"\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            (Events{"HTTP/1.1 204 No Content {}", "END",
                    "HTTP/1.1 304 Not Modified {Content-Length: 1234, ETag: \"x\"}", "END",
                    "HTTP/1.1 200 OK {Content-Length: 2}", "BODY ok", "END"}));
}

TEST_F(HttpResponseDecoderTest, InformationalResponsesHaveNoBody) {
  EXPECT_EQ(decode("HTTP/1.1 100 Continue\r\n\r\n"
                   "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                   "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n!"),
            (Events{"HTTP/1.1 100 Continue {}", "END",
                    "HTTP/1.1 103 Early Hints {Link: </style.css>; rel=preload}", "END",
                    "HTTP/1.1 201 Created {Content-Length: 1}", "BODY !", "END"}));
}

TEST_F(HttpResponseDecoderTest, HeadResponsesHaveNoBodyWhenTheSubclassSaysSo) {
  const testing::DecoderFactory make = [] {
    return std::make_unique<ClientLikeDecoder>(
        std::deque<HttpMethod>{HttpMethod::kHead, HttpMethod::kGet});
  };
  EXPECT_EQ(testing::expectSameAtEverySplit(
                make,
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding-X: y\r\n\r\n"
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 100, Transfer-Encoding-X: y}", "END",
                    "HTTP/1.1 200 OK {Content-Length: 3}", "BODY abc", "END"}));
}

TEST_F(HttpResponseDecoderTest, SwitchingProtocolsPassesLaterBytesThrough) {
  EXPECT_EQ(decode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                   "Upgrade\r\n\r\n\x81\x05hello\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
            (Events{"HTTP/1.1 101 Switching Protocols {Upgrade: websocket, Connection: Upgrade}",
                    "END", "RAW \x81\x05hello\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"}));
}

TEST_F(HttpResponseDecoderTest, RawBytesAfterAnUpgradeAreSlicesOfTheInput) {
  EmbeddedChannel ch(std::make_unique<HttpResponseDecoder>());
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"));
  ASSERT_TRUE(ch.readInbound<HttpResponse>());
  ASSERT_TRUE(ch.readInbound<LastHttpContent>());
  ByteBuf frame = Unpooled::copiedBuffer("frame");
  const std::uint8_t* bytes = frame.readableSpan().data();
  ch.writeInbound(std::move(frame));
  auto raw = ch.readInbound<ByteBuf>();
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->readableSpan().data(), bytes);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseDecoderTest, SwitchingToHttp1KeepsDecodingHttp) {
  // As Netty: only a switch to a protocol other than HTTP/1.x leaves HTTP.
  EXPECT_EQ(decode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: HTTP/1.1\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            (Events{"HTTP/1.1 101 Switching Protocols {Upgrade: HTTP/1.1}", "END",
                    "HTTP/1.1 200 OK {Content-Length: 0}", "END"}));
}

TEST_F(HttpResponseDecoderTest, SetUpgradedTurnsTheConnectionIntoATunnel) {
  const testing::DecoderFactory make = [] {
    return std::make_unique<ClientLikeDecoder>(std::deque<HttpMethod>{HttpMethod::kConnect});
  };
  EXPECT_EQ(
      testing::expectSameAtEverySplit(
          make, "HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01 tls bytes"),
      (Events{"HTTP/1.1 200 Connection Established {}", "END", "RAW \x16\x03\x01 tls bytes"}));
}

TEST_F(HttpResponseDecoderTest, ResetAfterAnUpgradeDecodesHttpAgain) {
  auto decoder = std::make_unique<HttpResponseDecoder>();
  HttpResponseDecoder* raw = decoder.get();
  EmbeddedChannel ch(std::move(decoder));
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 101 Switching Protocols\r\n\r\nraw"));
  EXPECT_TRUE(ch.readInbound<HttpResponse>());
  EXPECT_TRUE(ch.readInbound<LastHttpContent>());
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw");
  raw->reset();
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(ch.readInbound<HttpResponse>()->status().code(), 200);
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

TEST_F(HttpResponseDecoderTest, NeedsNoHost) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 0}", "END"}));
}

// ---- Malformed responses -------------------------------------------------------------------

TEST_F(HttpResponseDecoderTest, RejectsMalformedStatusLines) {
  for (const char* line : {"HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 200OK", "HTTP/1.1 099 X",
                           "HTTP/1.1 abc OK", "HTTP/1.1  200 OK", "HTTP/1.1", "HTTP/1.1 ",
                           " HTTP/1.1 200 OK", "HTTP/1.1 200 O\x01K", "HTTP/1.1 200 O\rK"}) {
    const std::string input = fmt::format("{}\r\nContent-Length: 0\r\n\r\n", line);
    EXPECT_EQ(decode(input), (Events{kBadResponse + err(HttpErrc::InvalidInitialLine)})) << line;
  }
}

TEST_F(HttpResponseDecoderTest, RejectsInvalidVersions) {
  for (const char* line : {"HTTP/2 200 OK", "HTTP/1.2 200 OK", "ICY 200 OK", "http/1.1 200 OK"}) {
    const std::string input = fmt::format("{}\r\nContent-Length: 0\r\n\r\n", line);
    EXPECT_EQ(decode(input), (Events{kBadResponse + err(HttpErrc::InvalidVersion)})) << line;
  }
}

TEST_F(HttpResponseDecoderTest, RejectsContentLengthWithTransferEncoding) {
  // RFC 9112 6.3 rule 3 lets Transfer-Encoding win; the ambiguity is refused instead.
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "0\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 5, Transfer-Encoding: chunked}" +
                    err(HttpErrc::ContentLengthWithTransferEncoding)}));
}

TEST_F(HttpResponseDecoderTest, RejectsUnsupportedTransferEncoding) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz"),
            (Events{"HTTP/1.1 200 OK {Transfer-Encoding: gzip}" +
                    err(HttpErrc::InvalidTransferEncoding)}));
  EXPECT_EQ(decode("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            (Events{"HTTP/1.0 200 OK {Transfer-Encoding: chunked}" +
                    err(HttpErrc::InvalidTransferEncoding)}));
}

TEST_F(HttpResponseDecoderTest, RejectsRepeatedOrMalformedContentLength) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 1}" + err(HttpErrc::InvalidContentLength)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nx"),
            (Events{"HTTP/1.1 200 OK {}" + err(HttpErrc::InvalidContentLength)}));
}

TEST_F(HttpResponseDecoderTest, RejectsObsFoldAndBadFields) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nX: a\r\n  b\r\nContent-Length: 0\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {X: a}" + err(HttpErrc::InvalidHeader)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nSet-Cookie : a=b\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {}" + err(HttpErrc::InvalidHeader)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nLocation: /a\rSet-Cookie: x\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {}" + err(HttpErrc::InvalidHeader)}));
}

TEST_F(HttpResponseDecoderTest, RejectsBadChunks) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            (Events{"HTTP/1.1 200 OK {Transfer-Encoding: chunked}",
                    "END" + err(HttpErrc::InvalidChunkSize)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"),
            (Events{"HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "BODY ab",
                    "END" + err(HttpErrc::InvalidChunkTerminator)}));
}

TEST_F(HttpResponseDecoderTest, IgnoresEveryByteAfterABadResponse) {
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
                   "HTTP/1.1 2xx OK\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 1}", "BODY a", "END",
                    kBadResponse + err(HttpErrc::InvalidInitialLine)}));
}

// ---- Limits --------------------------------------------------------------------------------

TEST_F(HttpResponseDecoderTest, StatusLineOfExactlyTheLimitPassesAndOneMoreFails) {
  const HttpDecoderConfig config{.maxInitialLineLength = 15};  // "HTTP/1.1 200 OK"
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", config),
            (Events{"HTTP/1.1 200 OK {Content-Length: 0}", "END"}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK!\r\nContent-Length: 0\r\n\r\n", config),
            (Events{kBadResponse + err(HttpErrc::TooLongInitialLine)}));
}

TEST_F(HttpResponseDecoderTest, TooLongStatusLineFailsBeforeItsEnd) {
  EmbeddedChannel ch(
      std::make_unique<HttpResponseDecoder>(HttpDecoderConfig{.maxInitialLineLength = 15}));
  ch.writeInbound(Unpooled::copiedBuffer("HTTP/1.1 200 OK!!"));
  auto response = ch.readInbound<HttpResponse>();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->decoderResult().cause().code(), HttpErrc::TooLongInitialLine);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseDecoderTest, HeaderSectionOfExactlyTheLimitPassesAndOneMoreFails) {
  const HttpDecoderConfig config{.maxHeaderSize = 17};  // "Content-Length: 0"
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", config),
            (Events{"HTTP/1.1 200 OK {Content-Length: 0}", "END"}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 00\r\n\r\n", config),
            (Events{"HTTP/1.1 200 OK {}" + err(HttpErrc::TooLongHeaders)}));
}

// ---- Premature close -----------------------------------------------------------------------

TEST_F(HttpResponseDecoderTest, CloseInTheMiddleFailsTheMessage) {
  EXPECT_EQ(decode("HTTP/1.1 200"), (Events{kBadResponse + err(HttpErrc::PrematureClose)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-"),
            (Events{"HTTP/1.1 200 OK {}" + err(HttpErrc::PrematureClose)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"),
            (Events{"HTTP/1.1 200 OK {Content-Length: 4}", "BODY ab",
                    "END" + err(HttpErrc::PrematureClose)}));
  EXPECT_EQ(decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab"),
            (Events{"HTTP/1.1 200 OK {Transfer-Encoding: chunked}", "BODY ab",
                    "END" + err(HttpErrc::PrematureClose)}));
}

TEST_F(HttpResponseDecoderTest, CloseBetweenResponsesYieldsNothing) {
  EXPECT_EQ(decode("HTTP/1.1 204 No Content\r\n\r\n"),
            (Events{"HTTP/1.1 204 No Content {}", "END"}));
}

}  // namespace
}  // namespace sluice::http
