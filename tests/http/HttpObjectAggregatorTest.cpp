#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpObjectAggregator.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpObjectAggregatorTest = testing::SluiceTest;
using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Message request(HttpMethod method, std::string uri, Fields fields = {},
                HttpVersion version = HttpVersion::kHttp11) {
  Message m = Message::make<HttpRequest>(version, std::move(method), std::move(uri));
  for (const auto& [name, value] : fields) {
    m.get<HttpRequest>().headers().add(name, value);
  }
  return m;
}

Message response(const HttpResponseStatus& status, Fields fields = {}) {
  Message m = Message::make<HttpResponse>(HttpVersion::kHttp11, status);
  for (const auto& [name, value] : fields) {
    m.get<HttpResponse>().headers().add(name, value);
  }
  return m;
}

Message content(std::string_view bytes) {
  return Message::make<HttpContent>(Unpooled::copiedBuffer(bytes));
}

Message last(std::string_view bytes = {}) {
  return bytes.empty() ? Message::make<LastHttpContent>()
                       : Message::make<LastHttpContent>(Unpooled::copiedBuffer(bytes));
}

DecoderResult failure(HttpErrc e) { return DecoderResult::failure(Error(make_error_code(e))); }

// Records what reaches the end of the pipeline besides messages.
struct Recorder : ChannelInboundHandler {
  std::vector<Error> errors;
  int expectationFailedEvents = 0;
  void exceptionCaught(ChannelHandlerContext&, const Error& e) override { errors.push_back(e); }
  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (event.is<HttpExpectationFailedEvent>()) {
      ++expectationFailedEvents;
    }
    ctx.fireUserEventTriggered(std::move(event));
  }
};

// An aggregator on an EmbeddedChannel, with a recorder after it.
struct Pipeline {
  explicit Pipeline(HttpObjectAggregatorConfig config = {}) {
    auto r = std::make_unique<Recorder>();
    recorder = r.get();
    ch = std::make_unique<EmbeddedChannel>(std::make_unique<HttpObjectAggregator>(config),
                                           std::move(r));
  }
  Recorder* recorder;
  std::unique_ptr<EmbeddedChannel> ch;
};

void expectEmptyAnswer(std::optional<FullHttpResponse> r, const HttpResponseStatus& status,
                       bool close) {
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status(), status);
  EXPECT_EQ(r->protocolVersion(), HttpVersion::kHttp11);
  EXPECT_EQ(r->headers().get(HttpHeaderNames::kContentLength), "0");
  EXPECT_EQ(r->headers().contains(HttpHeaderNames::kConnection), close);
  if (close) {
    EXPECT_EQ(r->headers().get(HttpHeaderNames::kConnection), "close");
  }
  EXPECT_EQ(r->content().readableBytes(), 0U);
}

TEST_F(HttpObjectAggregatorTest, JoinsRequestAndOneContent) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(1024));
  ByteBuf body = Unpooled::copiedBuffer("hello");
  const std::uint8_t* bytes = body.readableSpan().data();
  EXPECT_FALSE(ch.writeInbound(
      request(HttpMethod::kPost, "/upload", {{"Content-Length", "5"}, {"X-Id", "7"}})));
  ASSERT_TRUE(ch.writeInbound(Message::make<LastHttpContent>(std::move(body))));
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->method(), HttpMethod::kPost);
  EXPECT_EQ(full->uri(), "/upload");
  EXPECT_EQ(full->protocolVersion(), HttpVersion::kHttp11);
  EXPECT_EQ(full->headers().get("x-id"), "7");
  EXPECT_EQ(full->headers().get(HttpHeaderNames::kContentLength), "5");
  EXPECT_EQ(full->content().toStringView(), "hello");
  // Content that came in one buffer is handed on, not copied.
  EXPECT_EQ(full->content().readableSpan().data(), bytes);
  EXPECT_TRUE(full->decoderResult().isSuccess());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, JoinsChunkedRequestWithTrailersAndIsNoLongerChunked) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(1024));
  ch.writeInbound(request(HttpMethod::kPut, "/f", {{"Transfer-Encoding", "chunked"}}));
  ch.writeInbound(content("ab"), content("cd"));
  Message end = last("e");
  end.get<LastHttpContent>().trailingHeaders().add("X-Checksum", "abc");
  ASSERT_TRUE(ch.writeInbound(std::move(end)));
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->content().toStringView(), "abcde");
  EXPECT_FALSE(full->headers().contains(HttpHeaderNames::kTransferEncoding));
  EXPECT_EQ(full->headers().get(HttpHeaderNames::kContentLength), "5");
  EXPECT_EQ(full->trailingHeaders().get("x-checksum"), "abc");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, RequestWithoutContentGetsContentLengthZero) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(1024));
  ch.writeInbound(request(HttpMethod::kGet, "/"), last());
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->headers().get(HttpHeaderNames::kContentLength), "0");
  EXPECT_EQ(full->content().readableBytes(), 0U);
  EXPECT_TRUE(full->trailingHeaders().isEmpty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, AggregatesSeveralRequestsInARow) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(1024));
  for (int i = 0; i < 3; ++i) {
    const std::string uri = "/" + std::to_string(i);
    ch.writeInbound(request(HttpMethod::kPost, uri), content("x"), last(std::to_string(i)));
  }
  for (int i = 0; i < 3; ++i) {
    std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
    ASSERT_TRUE(full.has_value());
    EXPECT_EQ(full->uri(), "/" + std::to_string(i));
    EXPECT_EQ(full->content().toString(), "x" + std::to_string(i));
  }
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, FullAndNonHttpMessagesPassThroughUntouched) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(4));
  // Larger than the limit and without Content-Length: a full message is not looked into.
  ch.writeInbound(Message::make<FullHttpRequest>(HttpVersion::kHttp11, HttpMethod::kPost, "/",
                                                 Unpooled::copiedBuffer("too long")),
                  Unpooled::copiedBuffer("raw"), 42);
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->content().toStringView(), "too long");
  EXPECT_TRUE(full->headers().isEmpty());
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw");
  EXPECT_EQ(*ch.readInbound<int>(), 42);
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, AggregatesResponses) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(1024));
  ch.writeInbound(response(HttpResponseStatus::kOk, {{"Transfer-Encoding", "chunked"}}),
                  content("{\"a\":"), last("1}"));
  std::optional<FullHttpResponse> full = ch.readInbound<FullHttpResponse>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->status(), HttpResponseStatus::kOk);
  EXPECT_EQ(full->content().toStringView(), "{\"a\":1}");
  EXPECT_EQ(full->headers().get(HttpHeaderNames::kContentLength), "7");
  EXPECT_FALSE(full->headers().contains(HttpHeaderNames::kTransferEncoding));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, KeepsTheDeclaredLengthOfAResponseToHead) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(16));
  // RFC 9110 8.6: a response to HEAD may declare the length a GET would have had.
  ch.writeInbound(response(HttpResponseStatus::kOk, {{"Content-Length", "10"}}), last());
  std::optional<FullHttpResponse> full = ch.readInbound<FullHttpResponse>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->headers().get(HttpHeaderNames::kContentLength), "10");
  EXPECT_EQ(full->content().readableBytes(), 0U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, AnswersContinueAndStripsTheExpectation) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(16));
  EXPECT_FALSE(ch.writeInbound(
      request(HttpMethod::kPut, "/big", {{"Content-Length", "5"}, {"Expect", "100-continue"}})));
  std::optional<FullHttpResponse> cont = ch.readOutbound<FullHttpResponse>();
  ASSERT_TRUE(cont.has_value());
  EXPECT_EQ(cont->status(), HttpResponseStatus::kContinue);
  EXPECT_EQ(cont->protocolVersion(), HttpVersion::kHttp11);
  // RFC 9110 8.6: no Content-Length on a 1xx response; nothing else either.
  EXPECT_TRUE(cont->headers().isEmpty());
  EXPECT_EQ(cont->content().readableBytes(), 0U);
  EXPECT_TRUE(ch.outboundMessages().empty());

  ASSERT_TRUE(ch.writeInbound(last("hello")));
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_FALSE(full->headers().contains(HttpHeaderNames::kExpect));
  EXPECT_EQ(full->content().toStringView(), "hello");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, AnswersContinueWhenNoLengthIsDeclared) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(16));
  ch.writeInbound(request(HttpMethod::kPost, "/",
                          {{"Transfer-Encoding", "chunked"}, {"Expect", "100-Continue"}}));
  EXPECT_EQ(ch.readOutbound<FullHttpResponse>()->status(), HttpResponseStatus::kContinue);
  ch.writeInbound(content("abc"), last());
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->content().toStringView(), "abc");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, ExpectationInHttp10IsIgnored) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(16));
  // RFC 9110 10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
  ch.writeInbound(
      request(HttpMethod::kPost, "/", {{"Expect", "100-continue"}}, HttpVersion::kHttp10),
      last("x"));
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->content().toStringView(), "x");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, DeclaredOversizeWithContinueIsAnswered413AndContentIgnored) {
  Pipeline p({.maxContentLength = 4});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(
      request(HttpMethod::kPut, "/big", {{"Content-Length", "10"}, {"Expect", "100-continue"}}));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kRequestEntityTooLarge,
                    false);
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_EQ(p.recorder->expectationFailedEvents, 1);
  // The client may send the content anyway: it is read and dropped.
  EXPECT_FALSE(ch.writeInbound(content("01234"), last("56789")));
  EXPECT_TRUE(ch.isOpen());
  // The connection goes on with the next request.
  ch.writeInbound(request(HttpMethod::kPost, "/small"), last("ok"));
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->content().toStringView(), "ok");
  EXPECT_TRUE(p.recorder->errors.empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, FailedExpectationClosesWhenConfigured) {
  Pipeline p({.maxContentLength = 4, .closeOnExpectationFailed = true});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(
      request(HttpMethod::kPut, "/big", {{"Content-Length", "10"}, {"Expect", "100-continue"}}));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kRequestEntityTooLarge,
                    true);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, UnsupportedExpectationIsAnswered417AndContentIgnored) {
  Pipeline p({.maxContentLength = 16});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(
      request(HttpMethod::kPut, "/", {{"Content-Length", "3"}, {"Expect", "something-else"}}),
      last("abc"));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kExpectationFailed,
                    false);
  EXPECT_EQ(p.recorder->expectationFailedEvents, 1);
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, UnsupportedExpectationClosesWhenConfigured) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(
      HttpObjectAggregatorConfig{.maxContentLength = 16, .closeOnExpectationFailed = true}));
  ch.writeInbound(request(HttpMethod::kGet, "/", {{"Expect", "teapot"}}));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kExpectationFailed,
                    true);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, DeclaredOversizeOfKeepAliveRequestIs413AndStaysOpen) {
  Pipeline p({.maxContentLength = 4});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(request(HttpMethod::kPost, "/", {{"Content-Length", "10"}}));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kRequestEntityTooLarge,
                    false);
  EXPECT_EQ(p.recorder->expectationFailedEvents, 0);
  // Its content, framed by Content-Length, is dropped; the next request is served.
  EXPECT_FALSE(ch.writeInbound(content("01234"), last("56789")));
  EXPECT_TRUE(ch.isOpen());
  ch.writeInbound(request(HttpMethod::kPost, "/"), last("ok"));
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->content().toStringView(), "ok");
  EXPECT_TRUE(p.recorder->errors.empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, DeclaredOversizeOfRequestThatIsNotKeepAliveClosesAfter413) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(4));
  ch.writeInbound(
      request(HttpMethod::kPost, "/", {{"Content-Length", "10"}, {"Connection", "close"}}));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kRequestEntityTooLarge,
                    true);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, DeclaredOversizeOfHttp10RequestClosesAfter413) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(4));
  ch.writeInbound(
      request(HttpMethod::kPost, "/", {{"Content-Length", "10"}}, HttpVersion::kHttp10));
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kRequestEntityTooLarge,
                    true);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, ContentGrowingPastTheLimitIs413AndCloses) {
  Pipeline p({.maxContentLength = 4});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(request(HttpMethod::kPost, "/", {{"Transfer-Encoding", "chunked"}}),
                  content("abc"));
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_TRUE(ch.isOpen());
  ch.writeInbound(content("de"));
  // Part of the content has arrived: the rest cannot be told from a next request.
  expectEmptyAnswer(ch.readOutbound<FullHttpResponse>(), HttpResponseStatus::kRequestEntityTooLarge,
                    true);
  EXPECT_FALSE(ch.isOpen());
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_TRUE(p.recorder->errors.empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, ContentExactlyAtTheLimitIsAccepted) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(4));
  ch.writeInbound(request(HttpMethod::kPost, "/", {{"Content-Length", "4"}}), content("ab"),
                  last("cd"));
  EXPECT_EQ(ch.readInbound<FullHttpRequest>()->content().toStringView(), "abcd");
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, RequestThatFailedToDecodeIsPassedOnAtOnce) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(16));
  Message bad = request(HttpMethod::kGet, "/bad", {{"Transfer-Encoding", "chunked"}});
  bad.get<HttpObject>().setDecoderResult(failure(HttpErrc::InvalidHeader));
  ASSERT_TRUE(ch.writeInbound(std::move(bad)));
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->uri(), "/bad");
  ASSERT_TRUE(full->decoderResult().isFailure());
  EXPECT_EQ(full->decoderResult().cause(), Error(make_error_code(HttpErrc::InvalidHeader)));
  EXPECT_EQ(full->content().readableBytes(), 0U);
  EXPECT_FALSE(full->headers().contains(HttpHeaderNames::kTransferEncoding));
  // Whatever the decoder still emits for it is not a message of its own.
  EXPECT_FALSE(ch.writeInbound(last("junk")));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, ContentThatFailedToDecodeEndsTheMessageWithItsFailure) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(16));
  ch.writeInbound(request(HttpMethod::kPost, "/", {{"Transfer-Encoding", "chunked"}}),
                  content("ab"));
  Message broken = content("cd");
  broken.get<HttpObject>().setDecoderResult(failure(HttpErrc::InvalidChunkSize));
  ASSERT_TRUE(ch.writeInbound(std::move(broken)));
  std::optional<FullHttpRequest> full = ch.readInbound<FullHttpRequest>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->content().toStringView(), "abcd");  // what arrived before the error
  ASSERT_TRUE(full->decoderResult().isFailure());
  EXPECT_EQ(full->decoderResult().cause(), Error(make_error_code(HttpErrc::InvalidChunkSize)));
  EXPECT_FALSE(ch.writeInbound(last("ef")));  // after the end: dropped
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, OversizedResponseFiresTooLongFrameAndCloses) {
  Pipeline p({.maxContentLength = 4});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(response(HttpResponseStatus::kOk), content("abc"), content("de"));
  EXPECT_FALSE(ch.isOpen());
  ASSERT_EQ(p.recorder->errors.size(), 1U);
  EXPECT_EQ(p.recorder->errors[0].code(), CodecErrc::TooLongFrame);
  EXPECT_EQ(p.recorder->errors[0].message(),
            "response entity too large: content length exceeded 4 bytes.");
  EXPECT_TRUE(ch.outboundMessages().empty());  // a client does not answer a response
  EXPECT_TRUE(ch.inboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, ResponseDeclaringOversizeFiresTooLongFrameAndCloses) {
  Pipeline p({.maxContentLength = 4});
  EmbeddedChannel& ch = *p.ch;
  ch.writeInbound(response(HttpResponseStatus::kOk, {{"Content-Length", "5"}}));
  EXPECT_FALSE(ch.isOpen());
  ASSERT_EQ(p.recorder->errors.size(), 1U);
  EXPECT_EQ(p.recorder->errors[0].code(), CodecErrc::TooLongFrame);
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, NotModifiedResponseDeclaringALargeLengthIsNotOversized) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(4));
  // RFC 9110 8.6: a 304 may carry the Content-Length of the representation it stands for.
  ch.writeInbound(response(HttpResponseStatus::kNotModified, {{"Content-Length", "5000"}}), last());
  std::optional<FullHttpResponse> full = ch.readInbound<FullHttpResponse>();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->headers().get(HttpHeaderNames::kContentLength), "5000");
  EXPECT_TRUE(ch.isOpen());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, UnfinishedMessageIsReleasedWhenTheChannelCloses) {
  EmbeddedChannel ch(std::make_unique<HttpObjectAggregator>(1024));
  ch.writeInbound(request(HttpMethod::kPost, "/"), content("partial"), content("more"));
  EXPECT_TRUE(ch.inboundMessages().empty());
  // The fixture checks that the buffers held for the unfinished request are released.
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpObjectAggregatorTest, OneSizeConstructorSetsTheLimit) {
  HttpObjectAggregator aggregator(65536);
  EXPECT_EQ(aggregator.maxContentLength(), 65536U);
  EXPECT_FALSE(aggregator.closeOnExpectationFailed());
  HttpObjectAggregator configured({.maxContentLength = 10, .closeOnExpectationFailed = true});
  EXPECT_EQ(configured.maxContentLength(), 10U);
  EXPECT_TRUE(configured.closeOnExpectationFailed());
}

}  // namespace
}  // namespace sluice::http
