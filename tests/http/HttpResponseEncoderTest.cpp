#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpUtil.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpResponseEncoderTest = testing::SluiceTest;

// Every outbound buffer, in order, as text.
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

HttpContent content(std::string_view text) { return HttpContent(Unpooled::copiedBuffer(text)); }

// Answers as HttpServerCodec does after a HEAD request: no body, whatever the status.
class HeadResponseEncoder : public HttpResponseEncoder {
 protected:
  bool isContentAlwaysEmpty(const HttpMessage& msg) override {
    return requestWasHead_ || HttpResponseEncoder::isContentAlwaysEmpty(msg);
  }

 private:
  bool requestWasHead_ = true;
};

TEST_F(HttpResponseEncoderTest, EncodesAFullResponseWithItsContentInOneBuffer) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                       Unpooled::copiedBuffer("Hello, World!"));
  res.headers().add(HttpHeaderNames::kContentType, "text/plain").add("Content-Length", 13);
  ASSERT_TRUE(ch.writeOutbound(std::move(res)));
  EXPECT_EQ(outboundBuffers(ch), std::vector<std::string>{"HTTP/1.1 200 OK\r\n"
                                                          "content-type: text/plain\r\n"
                                                          "Content-Length: 13\r\n"
                                                          "\r\n"
                                                          "Hello, World!"});
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, KeepsHeaderOrderAndSpelling) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kNotFound);
  res.headers()
      .add("X-B", "1")
      .add("content-TYPE", "text/html; charset=UTF-8")
      .add("X-a", "two words\tand a tab")
      .add("x-b", "3")
      .add("Set-Cookie", "")
      .add("Content-Length", 0);
  ch.writeOutbound(std::move(res));
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 404 Not Found\r\n"
            "X-B: 1\r\n"
            "content-TYPE: text/html; charset=UTF-8\r\n"
            "X-a: two words\tand a tab\r\n"
            "x-b: 3\r\n"
            "Set-Cookie: \r\n"
            "Content-Length: 0\r\n"
            "\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, WritesTheReasonPhraseAsGiven) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ch.writeOutbound(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus(599, "")),
                   FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus(299, "Fine Thanks")));
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 599 \r\n\r\n"
            "HTTP/1.1 299 Fine Thanks\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, FullResponseWithoutContentLengthIsSentAsGiven) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ch.writeOutbound(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                    Unpooled::copiedBuffer("body")));
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\n\r\nbody");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, StreamsAChunkedResponseWithTrailers) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  LastHttpContent last;
  last.trailingHeaders().add("X-Checksum", "abc").add("X-Count", 2);
  ch.writeOutbound(std::move(res), content("Hello"), content(std::string(26, 'x')),
                   std::move(last));
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 200 OK\r\n"
            "transfer-encoding: chunked\r\n"
            "\r\n"
            "5\r\nHello\r\n"
            "1a\r\n" +
                std::string(26, 'x') +
                "\r\n"
                "0\r\n"
                "X-Checksum: abc\r\n"
                "X-Count: 2\r\n"
                "\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, EmptyContentWritesNoChunkButCompletesItsPromise) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  res.headers().add("Transfer-Encoding", "chunked");
  ch.writeOutbound(std::move(res));
  outboundBytes(ch);
  ChannelFuture empty = ch.writeAndFlush(content(""));
  EXPECT_TRUE(empty.isSuccess());
  EXPECT_EQ(outboundBytes(ch), "");  // a "0\r\n\r\n" here would end the body
  ch.writeOutbound(content("ab"), LastHttpContent(Unpooled::copiedBuffer("c")));
  EXPECT_EQ(outboundBytes(ch), "2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, FullResponseWithChunkedEncodingIsOneChunkAndTheLast) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                       Unpooled::copiedBuffer("hello"));
  HttpUtil::setTransferEncodingChunked(res, true);
  res.trailingHeaders().add("Expires", "never");
  ch.writeOutbound(std::move(res));
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n0\r\nExpires: never\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, OnlyAFinalChunkedCodingMeansChunked) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  res.headers().add("Transfer-Encoding", "chunked, gzip");
  ch.writeOutbound(std::move(res), content("raw"), LastHttpContent());
  // RFC 9112 6.3: a body whose final coding is not chunked is delimited by closing.
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw");
  EXPECT_FALSE(ch.finish());

  EmbeddedChannel ch2(std::make_unique<HttpResponseEncoder>());
  HttpResponse res2(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  res2.headers().add("Transfer-Encoding", "gzip").add("Transfer-Encoding", "Chunked");
  ch2.writeOutbound(std::move(res2), content("x"), LastHttpContent());
  EXPECT_EQ(outboundBytes(ch2),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n"
            "1\r\nx\r\n0\r\n\r\n");
  EXPECT_FALSE(ch2.finish());
}

TEST_F(HttpResponseEncoderTest, StreamedResponseOfUnknownLengthBecomesChunked) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  res.headers().add(HttpHeaderNames::kContentType, "text/event-stream");
  ch.writeOutbound(std::move(res), content("data: 1\n\n"), LastHttpContent());
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 200 OK\r\n"
            "content-type: text/event-stream\r\n"
            "transfer-encoding: chunked\r\n"
            "\r\n"
            "9\r\ndata: 1\n\n\r\n"
            "0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, StreamedResponseWithContentLengthIsNotChunked) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setContentLength(res, 5);
  LastHttpContent last(Unpooled::copiedBuffer("lo"));
  last.trailingHeaders().add("X-Dropped", "only chunked bodies carry trailers");
  ch.writeOutbound(std::move(res), content("hel"), std::move(last));
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, Http10ResponseOfUnknownLengthIsDelimitedByClose) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp10, HttpResponseStatus::kOk);
  res.headers().add("Connection", "close");
  ch.writeOutbound(std::move(res), content("abc"), LastHttpContent(Unpooled::copiedBuffer("d")));
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nabcd");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, Http10FullResponse) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp10, HttpResponseStatus::kMovedPermanently);
  res.headers().add("Location", "/new").add("Content-Length", 0);
  ch.writeOutbound(std::move(res));
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.0 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, ResponseToHeadKeepsItsHeadersAndDropsItsBody) {
  EmbeddedChannel ch(std::make_unique<HeadResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                       Unpooled::copiedBuffer("Hello, World!"));
  res.headers().add("Content-Type", "text/plain").add("Content-Length", 13);
  ch.writeOutbound(std::move(res));
  // RFC 9110 9.3.2: the same header fields as for GET, and no content.
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, StreamedResponseToHeadWritesNoChunks) {
  EmbeddedChannel ch(std::make_unique<HeadResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  LastHttpContent last(Unpooled::copiedBuffer("tail"));
  last.trailingHeaders().add("X-T", "1");
  ch.writeOutbound(std::move(res), content("dropped"));
  ChannelFuture f = ch.writeAndFlush(std::move(last));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
  // The message ended with its LastHttpContent: the next response encodes normally.
  ch.writeOutbound(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk));
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, StreamedResponseToHeadOfUnknownLengthGetsNoTransferEncoding) {
  EmbeddedChannel ch(std::make_unique<HeadResponseEncoder>());
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk), LastHttpContent());
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, NoContentResponseLosesItsBodyAndFramingHeaders) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kNoContent,
                       Unpooled::copiedBuffer("oops"));
  res.headers().add("Content-Length", 4).add("X-Kept", "yes").add("transfer-encoding", "chunked");
  ch.writeOutbound(std::move(res));
  // RFC 9110 8.6, RFC 9112 6.1: neither Content-Length nor Transfer-Encoding in a 204.
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 204 No Content\r\nX-Kept: yes\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, NotModifiedResponseKeepsContentLengthAndDropsItsBody) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kNotModified);
  res.headers().add("ETag", "\"v1\"").add("Content-Length", 42);
  ch.writeOutbound(std::move(res), content("never sent"), LastHttpContent());
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 42\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, InterimResponseThenFinalResponse) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse interim(HttpVersion::kHttp11, HttpResponseStatus::kContinue);
  interim.headers().add("Content-Length", 0);
  FullHttpResponse final(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                         Unpooled::copiedBuffer("ok"));
  final.headers().add("Content-Length", 2);
  ch.writeOutbound(std::move(interim), std::move(final));
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 100 Continue\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, SwitchingProtocolsHasNoBody) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kSwitchingProtocols);
  res.headers().add("Upgrade", "websocket").add("Connection", "Upgrade");
  ch.writeOutbound(std::move(res));
  EXPECT_EQ(
      outboundBytes(ch),
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, ByteBufAndEncodedMessagePassThroughUntouched) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ByteBuf raw = Unpooled::copiedBuffer("raw bytes");
  const std::uint8_t* address = raw.memoryAddress();
  ASSERT_TRUE(ch.writeOutbound(std::move(raw)));
  Message out = ch.readOutbound();
  ASSERT_TRUE(out.isExactly<ByteBuf>());
  EXPECT_EQ(out.get<ByteBuf>().memoryAddress(), address);
  EXPECT_EQ(out.get<ByteBuf>().toString(), "raw bytes");

  // In the middle of a chunked message too: bytes are never framed.
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  ch.writeOutbound(std::move(res));
  outboundBytes(ch);
  ch.writeOutbound(EncodedMessage(Unpooled::copiedBuffer("encoded")), std::string("other"));
  Message encoded = ch.readOutbound();
  EXPECT_TRUE(encoded.isExactly<EncodedMessage>());
  EXPECT_EQ(encoded.get<ByteBuf>().toString(), "encoded");
  Message other = ch.readOutbound();
  EXPECT_EQ(other.get<std::string>(), "other");
  ch.writeOutbound(LastHttpContent());
  EXPECT_EQ(outboundBytes(ch), "0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, ContentBeforeAnyStartFailsTheWrite) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ChannelFuture f = ch.writeAndFlush(content("orphan"));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  EXPECT_EQ(f.cause().message(),
            "unexpected message type: sluice::http::HttpContent (no message has been started)");
  ChannelFuture last = ch.writeAndFlush(LastHttpContent(Unpooled::copiedBuffer("x")));
  EXPECT_EQ(last.cause().code(), CodecErrc::EncoderException);
  EXPECT_TRUE(ch.outboundMessages().empty());
  // The encoder is still usable.
  ch.writeOutbound(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk));
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, StartBeforeThePreviousMessageEndsFailsTheWrite) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse first(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setContentLength(first, 3);
  ch.writeOutbound(std::move(first));
  outboundBytes(ch);
  ChannelFuture f = ch.writeAndFlush(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                      Unpooled::copiedBuffer("leak?")));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  EXPECT_EQ(f.cause().message(),
            "unexpected message type: sluice::http::FullHttpResponse (the previous message has "
            "not ended)");
  EXPECT_TRUE(ch.outboundMessages().empty());
  // The first message goes on.
  ch.writeOutbound(LastHttpContent(Unpooled::copiedBuffer("abc")));
  EXPECT_EQ(outboundBytes(ch), "abc");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, PromiseCompletesWhenTheBytesAreWritten) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  FullHttpResponse small(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                         Unpooled::copiedBuffer("small"));
  FullHttpResponse large(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                         Unpooled::copiedBuffer(std::string(8192, 'L')));
  ChannelFuture one = ch.write(std::move(small));
  ChannelFuture several = ch.write(std::move(large));
  EXPECT_FALSE(one.isDone());
  EXPECT_FALSE(several.isDone());
  ch.flush();
  EXPECT_TRUE(one.isSuccess());
  EXPECT_TRUE(several.isSuccess());
  EXPECT_EQ(outboundBuffers(ch).size(), 3U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, PromiseFailsWhenThePartsFail) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  ChannelFuture start = ch.write(std::move(res));
  ChannelFuture chunk = ch.write(content(std::string(2048, 'c')));  // three buffers
  ChannelFuture last = ch.write(LastHttpContent());
  ch.close();  // unflushed writes fail
  ASSERT_TRUE(start.isDone());
  ASSERT_TRUE(chunk.isDone());
  ASSERT_TRUE(last.isDone());
  EXPECT_EQ(start.cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(chunk.cause(), CoreErrc::ClosedChannel);
  EXPECT_EQ(last.cause(), CoreErrc::ClosedChannel);
  EXPECT_FALSE(ch.finish());
}

// Fails every write of a buffer holding exactly `victim`, as a TLS or a broken transport
// would fail one part of an encoded message.
class FailingWrites : public ChannelOutboundHandler {
 public:
  explicit FailingWrites(std::string victim) : victim_(std::move(victim)) {}
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    if (msg.is<ByteBuf>() && msg.get<ByteBuf>().toString() == victim_) {
      promise.tryFailure(Error(std::make_error_code(std::errc::io_error), "refused"));
      return;
    }
    ctx.write(std::move(msg), std::move(promise));
  }

 private:
  std::string victim_;
};

TEST_F(HttpResponseEncoderTest, PromiseFailsWhenTheLastPartFails) {
  const std::string body(8192, 'b');
  EmbeddedChannel ch(std::make_unique<FailingWrites>(body),
                     std::make_unique<HttpResponseEncoder>());
  ChannelFuture f = ch.writeAndFlush(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                      Unpooled::copiedBuffer(body)));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().message(), "refused");
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, PromiseFailsWhenAnEarlierPartFails) {
  const std::string body(8192, 'b');
  EmbeddedChannel ch(std::make_unique<FailingWrites>("HTTP/1.1 200 OK\r\n\r\n"),
                     std::make_unique<HttpResponseEncoder>());
  ChannelFuture f = ch.writeAndFlush(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                      Unpooled::copiedBuffer(body)));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().message(), "refused");
  EXPECT_EQ(outboundBytes(ch), body);
  EXPECT_FALSE(ch.finish());

  // The middle part of a chunk framed around its content.
  EmbeddedChannel ch2(std::make_unique<FailingWrites>(body),
                      std::make_unique<HttpResponseEncoder>());
  ch2.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk));
  outboundBytes(ch2);
  ChannelFuture chunk = ch2.writeAndFlush(content(body));
  ASSERT_TRUE(chunk.isDone());
  EXPECT_EQ(chunk.cause().message(), "refused");
  EXPECT_EQ(outboundBytes(ch2), "2000\r\n\r\n");
  EXPECT_FALSE(ch2.finish());
}

TEST_F(HttpResponseEncoderTest, VoidPromiseWritesEveryPart) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ch.writeAndFlush(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                    Unpooled::copiedBuffer(std::string(8192, 'v'))),
                   ch.voidPromise());
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\n\r\n" + std::string(8192, 'v'));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, LargeContentTravelsUncopiedAfterTheHeaders) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ByteBuf body = Unpooled::copiedBuffer(std::string(8192, 'z'));
  const std::uint8_t* address = body.memoryAddress();
  FullHttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk, std::move(body));
  HttpUtil::setContentLength(res, 8192);
  ch.writeOutbound(std::move(res));
  ASSERT_EQ(ch.outboundMessages().size(), 2U);
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(),
            "HTTP/1.1 200 OK\r\ncontent-length: 8192\r\n\r\n");
  std::optional<ByteBuf> content = ch.readOutbound<ByteBuf>();
  EXPECT_EQ(content->memoryAddress(), address);
  EXPECT_EQ(content->readableBytes(), 8192U);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, MergeThresholdIsConfigurable) {
  EmbeddedChannel ch(
      std::make_unique<HttpResponseEncoder>(HttpObjectEncoderConfig{.contentMergeThreshold = 0}));
  ch.writeOutbound(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                    Unpooled::copiedBuffer("tiny")));
  EXPECT_EQ(outboundBuffers(ch), (std::vector<std::string>{"HTTP/1.1 200 OK\r\n\r\n", "tiny"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, LargeChunkIsFramedAroundTheContent) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  ch.writeOutbound(std::move(res));
  outboundBytes(ch);
  ByteBuf data = ByteBufAllocator::defaultAllocator().buffer(8192 + 64);
  data.writeBytes(std::string(8192, 'd'));
  ByteBuf shared = data.retainedDuplicate();  // another handle: the tailroom is not ours
  ch.writeOutbound(HttpContent(std::move(data)));
  EXPECT_EQ(outboundBuffers(ch),
            (std::vector<std::string>{"2000\r\n", std::string(8192, 'd'), "\r\n"}));
  EXPECT_EQ(shared.toString(), std::string(8192, 'd'));
  ch.writeOutbound(LastHttpContent());
  EXPECT_EQ(outboundBytes(ch), "0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, ChunkFramingGoesIntoTheContentsHeadroomAndTailroom) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  ch.writeOutbound(std::move(res));
  outboundBytes(ch);
  ByteBuf data = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(16, 4096 + 64);
  data.writeBytes(std::string(4096, 'd'));
  const std::uint8_t* address = data.memoryAddress();
  LastHttpContent last(std::move(data));
  last.trailingHeaders().add("X-Sum", "42");
  ch.writeOutbound(std::move(last));
  ASSERT_EQ(ch.outboundMessages().size(), 1U);
  std::optional<ByteBuf> out = ch.readOutbound<ByteBuf>();
  EXPECT_EQ(out->memoryAddress(), address);
  EXPECT_EQ(out->toString(), "1000\r\n" + std::string(4096, 'd') + "\r\n0\r\nX-Sum: 42\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, UnchunkedContentIsPassedOnAsItIs) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setContentLength(res, 3);
  ch.writeOutbound(std::move(res));
  outboundBytes(ch);
  ByteBuf data = Unpooled::copiedBuffer("abc");
  const std::uint8_t* address = data.memoryAddress();
  ch.writeOutbound(LastHttpContent(std::move(data)));
  ASSERT_EQ(ch.outboundMessages().size(), 1U);
  std::optional<ByteBuf> out = ch.readOutbound<ByteBuf>();
  EXPECT_EQ(out->memoryAddress(), address);
  EXPECT_EQ(out->toString(), "abc");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, SmallChunkWithRoomIsFramedInPlace) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk));
  outboundBytes(ch);
  ByteBuf data = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(8, 64);
  data.writeBytes("tick");
  const std::uint8_t* address = data.memoryAddress();
  ch.writeOutbound(HttpContent(std::move(data)));
  ASSERT_EQ(ch.outboundMessages().size(), 1U);
  std::optional<ByteBuf> out = ch.readOutbound<ByteBuf>();
  EXPECT_EQ(out->memoryAddress(), address);
  EXPECT_EQ(out->toString(), "4\r\ntick\r\n");
  ch.writeOutbound(LastHttpContent());
  EXPECT_EQ(outboundBytes(ch), "0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, LargeChunkWithHeadroomOnlyGetsItsTailAsABuffer) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  ch.writeOutbound(HttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk));
  outboundBytes(ch);
  const std::string bytes(8192, 'h');
  ByteBuf data = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(8, 8192, 8200);
  data.writeBytes(bytes);
  ASSERT_EQ(data.writableBytes(), 0U);
  ch.writeOutbound(LastHttpContent(std::move(data)));
  EXPECT_EQ(outboundBuffers(ch), (std::vector<std::string>{"2000\r\n" + bytes, "\r\n0\r\n\r\n"}));
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpResponseEncoderTest, ChunkSizesAreHex) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  ch.writeOutbound(std::move(res));
  outboundBytes(ch);
  for (const std::size_t size : {1UL, 15UL, 16UL, 255UL, 256UL, 1024UL, 65535UL, 1048576UL}) {
    ch.writeOutbound(content(std::string(size, 'q')));
    const std::string out = outboundBytes(ch);
    EXPECT_EQ(out.substr(0, out.find('\r')), fmt::format("{:x}", size));
    EXPECT_EQ(out.size(), out.find('\r') + 2 + size + 2);
  }
  ch.writeOutbound(LastHttpContent());
  EXPECT_EQ(outboundBytes(ch), "0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

// Throws from a hook, as a user's subclass might.
class ThrowingEncoder : public HttpResponseEncoder {
 protected:
  bool isContentAlwaysEmpty(const HttpMessage&) override { throw std::runtime_error("boom"); }
};

TEST_F(HttpResponseEncoderTest, ExceptionFromAHookFailsTheWriteAndReleasesTheMessage) {
  EmbeddedChannel ch(std::make_unique<ThrowingEncoder>());
  ChannelFuture f = ch.writeAndFlush(FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                      Unpooled::copiedBuffer("body")));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CodecErrc::EncoderException);
  EXPECT_EQ(f.cause().message(), "boom");
  EXPECT_TRUE(ch.outboundMessages().empty());
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
