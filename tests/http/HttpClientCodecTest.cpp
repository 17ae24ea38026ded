#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpError.h>
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

using HttpClientCodecTest = testing::SluiceTest;

ByteBuf bytes(std::string_view text) { return Unpooled::copiedBuffer(text); }

// Everything flushed to the wire so far, concatenated.
std::string written(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toStringView();
  }
  return all;
}

FullHttpRequest request(const HttpMethod& method, std::string uri, ByteBuf body = ByteBuf()) {
  FullHttpRequest req(HttpVersion::kHttp11, method, std::move(uri), std::move(body));
  req.headers().add(HttpHeaderNames::kHost, "example.com");
  return req;
}

// What the codec passed on, one line each: "200 OK", "content hello", "last", "last hi",
// "last failed <message>", "bytes <text>".
std::vector<std::string> received(EmbeddedChannel& ch) {
  std::vector<std::string> all;
  while (Message m = ch.readInbound()) {
    if (const auto* response = m.getIf<HttpResponse>()) {
      std::string line = std::to_string(response->status().code()) + " " +
                         std::string(response->status().reasonPhrase());
      if (response->decoderResult().isFailure()) {
        line += " failed " + response->decoderResult().cause().message();
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

// Records the errors that reach it.
class ErrorRecorder : public ChannelInboundHandler {
 public:
  explicit ErrorRecorder(std::vector<Error>& errors) : errors_(errors) {}
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override {
    (void)ctx;
    errors_.push_back(error);
  }

 private:
  std::vector<Error>& errors_;
};

TEST_F(HttpClientCodecTest, EncodesARequest) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  FullHttpRequest req = request(HttpMethod::kPost, "/submit?x=1", bytes("a=b"));
  req.headers().add(HttpHeaderNames::kContentLength, 3);
  ch.writeOutbound(std::move(req));
  EXPECT_EQ(written(ch),
            "POST /submit?x=1 HTTP/1.1\r\nhost: example.com\r\ncontent-length: 3\r\n\r\na=b");
  EXPECT_EQ(ch.pipeline().get<HttpClientCodec>()->responsesOwed(), 1U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, EncodesAStreamedRequest) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  HttpRequest start(HttpVersion::kHttp11, HttpMethod::kPut, "/file");
  start.headers().add(HttpHeaderNames::kHost, "example.com");
  HttpUtil::setTransferEncodingChunked(start, true);
  ch.writeOutbound(std::move(start), HttpContent(bytes("abc")), LastHttpContent());
  EXPECT_EQ(written(ch),
            "PUT /file HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, DecodesTheResponse) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  ASSERT_TRUE(ch.writeInbound(
      bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")));
  std::optional<HttpResponse> response = ch.readInbound<HttpResponse>();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status(), HttpResponseStatus::kOk);
  EXPECT_EQ(response->protocolVersion(), HttpVersion::kHttp11);
  EXPECT_EQ(response->headers().get(HttpHeaderNames::kContentType), "text/plain");
  std::optional<LastHttpContent> last = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->content().toStringView(), "hello");
  EXPECT_EQ(ch.pipeline().get<HttpClientCodec>()->responsesOwed(), 0U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, ResponseToHeadHasNoBodyAndTheNextOneDecodes) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kHead, "/file"), request(HttpMethod::kGet, "/file"));
  ch.releaseOutbound();
  // RFC 9110 9.3.2: the HEAD response's Content-Length describes the GET's body; none follows.
  ch.writeInbound(
      bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"200 OK", "last", "200 OK", "last hello"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, ResponseToHeadWithChunkedCodingHasNoBody) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kHead, "/"), request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  ch.writeInbound(
      bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n"));
  EXPECT_EQ(received(ch),
            (std::vector<std::string>{"200 OK", "last", "404 Not Found", "content no", "last"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, ContinueThenTheFinalResponseToTheSameRequest) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  FullHttpRequest post = request(HttpMethod::kPost, "/upload", bytes("data"));
  post.headers()
      .add(HttpHeaderNames::kContentLength, 4)
      .add(HttpHeaderNames::kExpect, "100-continue");
  ch.writeOutbound(std::move(post), request(HttpMethod::kHead, "/after"));
  ch.releaseOutbound();
  auto* codec = ch.pipeline().get<HttpClientCodec>();
  EXPECT_EQ(codec->responsesOwed(), 2U);
  // Interim responses leave the POST waiting for its final one.
  ch.writeInbound(
      bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"));
  EXPECT_EQ(received(ch),
            (std::vector<std::string>{"100 Continue", "last", "103 Early Hints", "last"}));
  EXPECT_EQ(codec->responsesOwed(), 2U);
  // The final response to the POST has a body; the HEAD's, after it, has none.
  ch.writeInbound(
      bytes("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"201 Created", "last ok", "200 OK", "last"}));
  EXPECT_EQ(codec->responsesOwed(), 0U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, NoContentAndNotModifiedHaveNoBody) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kDelete, "/a"), request(HttpMethod::kGet, "/b"),
                   request(HttpMethod::kGet, "/c"));
  ch.releaseOutbound();
  // RFC 9112 6.3 rule 1: whatever their headers say.
  ch.writeInbound(
      bytes("HTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: \"x\"\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"204 No Content", "last", "304 Not Modified",
                                                    "last", "200 OK", "last new"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, ResponseEndedByTheCloseCompletesOnClose) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  // RFC 9112 6.3 rule 8: neither Content-Length nor Transfer-Encoding.
  ch.writeInbound(bytes("HTTP/1.0 200 OK\r\n\r\nsome "), bytes("bytes"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"200 OK", "content some ", "content bytes"}));
  ch.close();
  ch.runPendingTasks();
  EXPECT_EQ(received(ch), (std::vector<std::string>{"last"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, ConnectTunnelPassesRawBytes) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  FullHttpRequest connect(HttpVersion::kHttp11, HttpMethod::kConnect, "example.com:443");
  connect.headers().add(HttpHeaderNames::kHost, "example.com:443");
  ch.writeOutbound(std::move(connect));
  EXPECT_EQ(written(ch), "CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n");
  // RFC 9110 9.3.6: after a 2xx the connection is a tunnel; a Content-Length there means
  // nothing, and the bytes after the header section are the tunnel's.
  ch.writeInbound(
      bytes("HTTP/1.1 200 Connection Established\r\nContent-Length: 5\r\n\r\n"
            "\x16\x03\x01 HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"200 Connection Established", "last",
                                                    "bytes \x16\x03\x01 HTTP/1.1 200 OK\r\n"}));
  ch.writeInbound(bytes("more"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"bytes more"}));
  // Outbound, bytes pass as they are.
  ch.writeOutbound(bytes("\x16\x03\x01 hello"));
  EXPECT_EQ(written(ch), "\x16\x03\x01 hello");
  EXPECT_EQ(ch.pipeline().get<HttpClientCodec>()->responsesOwed(), 0U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, RefusedConnectStaysHttp) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kConnect, "example.com:443"),
                   request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  ch.writeInbound(
      bytes("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nauth"
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"407 Proxy Authentication Required",
                                                    "last auth", "200 OK", "last"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, SwitchingProtocolsPassesRawBytes) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  FullHttpRequest upgrade = request(HttpMethod::kGet, "/chat");
  upgrade.headers()
      .add(HttpHeaderNames::kUpgrade, "websocket")
      .add(HttpHeaderNames::kConnection, "Upgrade");
  ch.writeOutbound(std::move(upgrade));
  ch.releaseOutbound();
  ch.writeInbound(
      bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            "\x81\x02hi"));
  EXPECT_EQ(received(ch),
            (std::vector<std::string>{"101 Switching Protocols", "last", "bytes \x81\x02hi"}));
  ch.writeInbound(bytes("\x81\x01!"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"bytes \x81\x01!"}));
  EXPECT_EQ(ch.pipeline().get<HttpClientCodec>()->responsesOwed(), 0U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, FailOnMissingResponseFiresPrematureCloseWhenAResponseIsOwed) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>(
                         HttpClientCodecConfig{.decoder = {}, .failOnMissingResponse = true}),
                     std::make_unique<ErrorRecorder>(errors));
  ch.writeOutbound(request(HttpMethod::kGet, "/1"), request(HttpMethod::kGet, "/2"));
  ch.releaseOutbound();
  ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"200 OK", "last"}));
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(ch.finish());
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].code(), HttpErrc::PrematureClose);
  EXPECT_EQ(errors[0].message(), "channel closed with 1 response(s) missing");
}

TEST_F(HttpClientCodecTest, FailOnMissingResponseIsQuietWhenNothingIsOwed) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>(
                         HttpClientCodecConfig{.decoder = {}, .failOnMissingResponse = true}),
                     std::make_unique<ErrorRecorder>(errors));
  ch.writeOutbound(request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  ch.releaseInbound();
  EXPECT_FALSE(ch.finish());
  EXPECT_TRUE(errors.empty());
}

TEST_F(HttpClientCodecTest, MissingResponsesAreNotAnErrorByDefault) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>(), std::make_unique<ErrorRecorder>(errors));
  ch.writeOutbound(request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  EXPECT_FALSE(ch.finish());
  EXPECT_TRUE(errors.empty());
}

TEST_F(HttpClientCodecTest, ResponseCutShortByTheCloseFailsItsLastContent) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  ch.writeOutbound(request(HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"200 OK", "content abc"}));
  ch.close();
  ch.runPendingTasks();
  std::optional<LastHttpContent> last = ch.readInbound<LastHttpContent>();
  ASSERT_TRUE(last.has_value());
  ASSERT_TRUE(last->decoderResult().isFailure());
  EXPECT_EQ(last->decoderResult().cause().code(), HttpErrc::PrematureClose);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpClientCodecTest, RejectedRequestWriteIsNotPairedWithAResponse) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
  HttpRequest get(HttpVersion::kHttp11, HttpMethod::kGet, "/1");
  get.headers().add(HttpHeaderNames::kHost, "a");
  ch.writeOutbound(std::move(get));
  // A new request before the previous one ended: the encoder refuses it and writes nothing.
  ChannelFuture refused = ch.write(Message(request(HttpMethod::kHead, "/refused")));
  ch.flush();
  ASSERT_TRUE(refused.isDone());
  EXPECT_FALSE(refused.isSuccess());
  ch.writeOutbound(LastHttpContent(), request(HttpMethod::kGet, "/2"));
  EXPECT_EQ(written(ch),
            "GET /1 HTTP/1.1\r\nhost: a\r\n\r\nGET /2 HTTP/1.1\r\nhost: example.com\r\n\r\n");
  EXPECT_EQ(ch.pipeline().get<HttpClientCodec>()->responsesOwed(), 2U);
  // So the second response belongs to the second GET, and has a body.
  ch.writeInbound(
      bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"200 OK", "last 1", "200 OK", "last 2"}));
  EXPECT_FALSE(ch.finish());
}

// Takes the connection over once the 101 arrives: removes the codec from the pipeline while
// receiving the response's head.
class Upgrader : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    const bool switching = msg.is<HttpResponse>() && msg.get<HttpResponse>().status().code() == 101;
    ctx.fireChannelRead(std::move(msg));
    if (switching) {
      ctx.pipeline().remove<HttpClientCodec>();
    }
  }
};

TEST_F(HttpClientCodecTest, RemovingTheCodecOnTheResponseHeadKeepsTheOrder) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>(), std::make_unique<Upgrader>());
  FullHttpRequest upgrade = request(HttpMethod::kGet, "/chat");
  upgrade.headers().add(HttpHeaderNames::kUpgrade, "chat");
  ch.writeOutbound(std::move(upgrade));
  ch.releaseOutbound();
  ch.writeInbound(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: chat\r\n\r\nWELCOME"));
  EXPECT_EQ(received(ch),
            (std::vector<std::string>{"101 Switching Protocols", "last", "bytes WELCOME"}));
  EXPECT_EQ(ch.pipeline().get<HttpClientCodec>(), nullptr);
  ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n\r\n"));
  EXPECT_EQ(received(ch), (std::vector<std::string>{"bytes HTTP/1.1 200 OK\r\n\r\n"}));
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
