#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpContentCompressor.h>
#include <sluice/http/HttpContentDecompressor.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/http/HttpUtil.h>
#include <zlib.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpContentCompressorTest = testing::SluiceTest;
using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

std::string body(std::size_t size) {
  std::string s;
  for (int i = 0; s.size() < size; ++i) {
    s += "{\"id\":" + std::to_string(i) + ",\"name\":\"user " + std::to_string(i * 7) +
         "\",\"active\":true},";
  }
  s.resize(size);
  return s;
}

// Inflates gzip or zlib data with zlib itself (windowBits 15 + 32 detects either).
std::string zlibInflate(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 32), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_SYNC_FLUSH);
  EXPECT_TRUE(rc == Z_STREAM_END || rc == Z_OK) << rc;
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

void receive(EmbeddedChannel& ch, std::string_view acceptEncoding,
             HttpMethod method = HttpMethod::kGet, HttpVersion version = HttpVersion::kHttp11) {
  Message request = Message::make<FullHttpRequest>(version, std::move(method), "/");
  if (!acceptEncoding.empty() || acceptEncoding.data() != nullptr) {
    request.get<HttpRequest>().headers().add(HttpHeaderNames::kAcceptEncoding, acceptEncoding);
  }
  ASSERT_TRUE(ch.writeInbound(std::move(request)));
  ch.readInbound().reset();
}

Message full(std::string_view content, Fields fields = {},
             const HttpResponseStatus& status = HttpResponseStatus::kOk,
             HttpVersion version = HttpVersion::kHttp11) {
  Message m = Message::make<FullHttpResponse>(version, status, Unpooled::copiedBuffer(content));
  for (const auto& [name, value] : fields) {
    m.get<HttpResponse>().headers().add(name, value);
  }
  HttpUtil::setContentLength(m.get<HttpResponse>(), content.size());
  return m;
}

FullHttpResponse serveFull(EmbeddedChannel& ch, Message response) {
  ch.writeOutbound(std::move(response));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  EXPECT_TRUE(out.has_value());
  EXPECT_TRUE(ch.outboundMessages().empty());
  return out ? std::move(*out)
             : FullHttpResponse(HttpVersion::kHttp11, HttpResponseStatus::kInternalServerError);
}

std::string header(const HttpMessage& m, HttpHeaderName name) {
  return std::string(m.headers().get(name, "<none>"));
}

std::string choose(std::string_view acceptEncoding) {
  return std::string(HttpContentCompressor::determineEncoding(acceptEncoding).coding);
}

// ---- Negotiation -------------------------------------------------------------------------

TEST_F(HttpContentCompressorTest, ChoosesByWeightPreferringGzipAtEqualWeights) {
  EXPECT_EQ(choose("gzip"), "gzip");
  EXPECT_EQ(choose("deflate"), "deflate");
  EXPECT_EQ(choose("gzip, deflate, br"), "gzip");
  EXPECT_EQ(choose("deflate, gzip"), "gzip");
  EXPECT_EQ(choose("deflate;q=1, gzip;q=0.5"), "deflate");
  EXPECT_EQ(choose("gzip ; q=0.8 , deflate;Q=0.9"), "deflate");
  EXPECT_EQ(choose("gzip;q=0.001"), "gzip");
  EXPECT_EQ(choose("gzip;level=1"), "gzip");
}

TEST_F(HttpContentCompressorTest, CodingsAreCaseInsensitiveAndXGzipIsGzip) {
  EXPECT_EQ(choose("GZIP"), "gzip");
  EXPECT_EQ(choose("Deflate"), "deflate");
  EXPECT_EQ(choose("x-gzip"), "gzip");
}

TEST_F(HttpContentCompressorTest, QZeroMeansNotAcceptable) {
  EXPECT_EQ(choose("gzip;q=0"), "");
  EXPECT_EQ(choose("gzip;q=0.000, deflate"), "deflate");
  EXPECT_EQ(choose("gzip;q=0, *"), "deflate");
  EXPECT_EQ(choose("*;q=0"), "");
  EXPECT_FALSE(HttpContentCompressor::determineEncoding("*;q=0").identityAcceptable);
  EXPECT_TRUE(HttpContentCompressor::determineEncoding("*;q=0, identity").identityAcceptable);
  EXPECT_FALSE(HttpContentCompressor::determineEncoding("identity;q=0").identityAcceptable);
  EXPECT_EQ(choose("identity;q=0"), "");
  EXPECT_EQ(choose("identity;q=0, gzip"), "gzip");
}

TEST_F(HttpContentCompressorTest, StarStandsForCodingsNotListed) {
  EXPECT_EQ(choose("*"), "gzip");
  EXPECT_EQ(choose("br, *;q=0.5"), "gzip");
  EXPECT_EQ(choose("gzip;q=0.2, *;q=0.5"), "deflate");
}

TEST_F(HttpContentCompressorTest, IdentityPreferredAboveEveryCodingWins) {
  EXPECT_EQ(choose("identity, gzip;q=0.5"), "");
  EXPECT_EQ(choose("identity;q=0.5, gzip;q=0.5"), "gzip");
}

TEST_F(HttpContentCompressorTest, UnknownEmptyOrMalformedGetsNoCoding) {
  EXPECT_EQ(choose(""), "");
  EXPECT_EQ(choose("br, zstd"), "");
  EXPECT_EQ(choose("identity"), "");
  EXPECT_EQ(choose("gzip;q=abc"), "");
  EXPECT_EQ(choose("gzip;q=1.5"), "");
  EXPECT_EQ(choose("gzip;q=0.1234"), "");
  EXPECT_EQ(choose(" , ,"), "");
}

// ---- Whole responses ---------------------------------------------------------------------

TEST_F(HttpContentCompressorTest, GzipsAFullResponseInOneMessageWithItsNewLength) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(16384);
  receive(ch, "gzip, deflate");
  FullHttpResponse res = serveFull(ch, full(text, {{"Content-Type", "application/json"}}));
  EXPECT_EQ(header(res, HttpHeaderNames::kContentEncoding), "gzip");
  EXPECT_EQ(header(res, HttpHeaderNames::kVary), "Accept-Encoding");
  EXPECT_EQ(header(res, HttpHeaderNames::kContentLength),
            std::to_string(res.content().readableBytes()));
  EXPECT_FALSE(HttpUtil::isTransferEncodingChunked(res));
  EXPECT_LT(res.content().readableBytes(), text.size() / 4);
  EXPECT_EQ(res.content().getUnsignedByte(0), 0x1f);  // RFC 1952 2.3.1: ID1 ID2
  EXPECT_EQ(zlibInflate(res.content().toStringView()), text);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpContentCompressorTest, DeflateIsTheZlibFormat) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(5000);
  receive(ch, "deflate");
  FullHttpResponse res = serveFull(ch, full(text));
  EXPECT_EQ(header(res, HttpHeaderNames::kContentEncoding), "deflate");
  EXPECT_EQ(res.content().getUnsignedByte(0), 0x78);  // RFC 1950 2.2: CMF
  EXPECT_EQ(zlibInflate(res.content().toStringView()), text);
}

TEST_F(HttpContentCompressorTest, StrongETagBecomesWeak) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  receive(ch, "gzip");
  FullHttpResponse res = serveFull(ch, full(body(4000), {{"ETag", "\"abc\""}}));
  EXPECT_EQ(header(res, HttpHeaderNames::kEtag), "W/\"abc\"");
  receive(ch, "gzip");
  FullHttpResponse weak = serveFull(ch, full(body(4000), {{"ETag", "W/\"abc\""}}));
  EXPECT_EQ(header(weak, HttpHeaderNames::kEtag), "W/\"abc\"");
}

TEST_F(HttpContentCompressorTest, ExistingVaryIsExtendedOnce) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  receive(ch, "gzip");
  FullHttpResponse res = serveFull(ch, full(body(4000), {{"Vary", "Origin"}}));
  EXPECT_EQ(res.headers().getAll(HttpHeaderNames::kVary),
            (std::vector<std::string_view>{"Origin", "Accept-Encoding"}));
  receive(ch, "gzip");
  FullHttpResponse again = serveFull(ch, full(body(4000), {{"Vary", "accept-encoding"}}));
  EXPECT_EQ(again.headers().getAll(HttpHeaderNames::kVary).size(), 1u);
}

// ---- Responses left alone ----------------------------------------------------------------

void expectUntouched(const FullHttpResponse& res, std::string_view text) {
  EXPECT_EQ(header(res, HttpHeaderNames::kContentEncoding), "<none>");
  EXPECT_EQ(res.content().toStringView(), text);
}

TEST_F(HttpContentCompressorTest, WithoutAcceptEncodingNothingIsCompressedButVaryIsSaid) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(4000);
  receive(ch, std::string_view());
  FullHttpResponse res = serveFull(ch, full(text));
  expectUntouched(res, text);
  EXPECT_EQ(header(res, HttpHeaderNames::kVary), "Accept-Encoding");
}

TEST_F(HttpContentCompressorTest, UnacceptableCodingsLeaveTheBodyAlone) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(4000);
  for (std::string_view ae : {"br", "*;q=0", "identity;q=0", "gzip;q=0, deflate;q=0", ""}) {
    receive(ch, ae);
    expectUntouched(serveFull(ch, full(text)), text);
  }
}

TEST_F(HttpContentCompressorTest, SkipsHeadNoContentNotModifiedAndInformational) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(4000);
  receive(ch, "gzip", HttpMethod::kHead);
  FullHttpResponse head = serveFull(ch, full(text));
  expectUntouched(head, text);
  EXPECT_EQ(header(head, HttpHeaderNames::kVary), "<none>");

  receive(ch, "gzip");
  expectUntouched(serveFull(ch, full("", {}, HttpResponseStatus::kNoContent)), "");
  receive(ch, "gzip");
  expectUntouched(serveFull(ch, full(text, {}, HttpResponseStatus::kNotModified)), text);

  // A 100 Continue does not answer the request: the 200 after it is compressed.
  receive(ch, "gzip");
  expectUntouched(serveFull(ch, full("", {}, HttpResponseStatus::kContinue)), "");
  FullHttpResponse ok = serveFull(ch, full(text));
  EXPECT_EQ(header(ok, HttpHeaderNames::kContentEncoding), "gzip");
  EXPECT_EQ(zlibInflate(ok.content().toStringView()), text);
}

TEST_F(HttpContentCompressorTest, SkipsConnectSuccessAndPartialContent) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(4000);
  receive(ch, "gzip", HttpMethod::kConnect);
  expectUntouched(serveFull(ch, full(text)), text);
  receive(ch, "gzip");
  expectUntouched(serveFull(ch, full(text, {}, HttpResponseStatus::kPartialContent)), text);
  receive(ch, "gzip");
  expectUntouched(serveFull(ch, full(text, {{"Content-Range", "bytes 0-3999/8000"}})), text);
}

TEST_F(HttpContentCompressorTest, AlreadyEncodedResponsesAreLeftAloneButIdentityIsReplaced) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(4000);
  receive(ch, "gzip");
  FullHttpResponse br = serveFull(ch, full(text, {{"Content-Encoding", "br"}}));
  EXPECT_EQ(header(br, HttpHeaderNames::kContentEncoding), "br");
  EXPECT_EQ(br.content().toStringView(), text);
  receive(ch, "gzip");
  FullHttpResponse identity = serveFull(ch, full(text, {{"Content-Encoding", "identity"}}));
  EXPECT_EQ(header(identity, HttpHeaderNames::kContentEncoding), "gzip");
  EXPECT_EQ(zlibInflate(identity.content().toStringView()), text);
}

TEST_F(HttpContentCompressorTest, BodiesUnderTheThresholdAreSentAsTheyAre) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string small = body(1023);
  receive(ch, "gzip");
  expectUntouched(serveFull(ch, full(small)), small);
  receive(ch, "gzip");
  FullHttpResponse atThreshold = serveFull(ch, full(body(1024)));
  EXPECT_EQ(header(atThreshold, HttpHeaderNames::kContentEncoding), "gzip");
  // Unless the client refuses identity.
  receive(ch, "gzip, identity;q=0");
  FullHttpResponse refused = serveFull(ch, full(small));
  EXPECT_EQ(zlibInflate(refused.content().toStringView()), small);
  // And never an empty body.
  receive(ch, "gzip, identity;q=0");
  expectUntouched(serveFull(ch, full("")), "");
}

TEST_F(HttpContentCompressorTest, ThresholdZeroCompressesSmallBodies) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>(
      HttpContentCompressorConfig{.contentSizeThreshold = 0}));
  receive(ch, "gzip");
  FullHttpResponse res = serveFull(ch, full("hi"));
  EXPECT_EQ(zlibInflate(res.content().toStringView()), "hi");
}

TEST_F(HttpContentCompressorTest, RefusesInvalidSettings) {
  EXPECT_THROW(HttpContentCompressor({.compressionLevel = 10}), std::invalid_argument);
  EXPECT_THROW(HttpContentCompressor({.windowBits = 8}), std::invalid_argument);
  EXPECT_THROW(HttpContentCompressor({.memLevel = 10}), std::invalid_argument);
}

// ---- Streamed responses ------------------------------------------------------------------

struct Streamed {
  std::optional<HttpResponse> head;
  std::string bytes;  // the compressed body, all pieces concatenated
  std::size_t pieces = 0;
  bool ended = false;
};

Streamed drain(EmbeddedChannel& ch) {
  Streamed s;
  while (Message m = ch.readOutbound()) {
    if (m.isExactly<HttpResponse>()) {
      s.head.emplace(std::move(m.get<HttpResponse>()));
      continue;
    }
    s.bytes += m.get<HttpContent>().content().toStringView();
    ++s.pieces;
    s.ended = m.is<LastHttpContent>();
  }
  return s;
}

Message streamedHead(Fields fields = {}, HttpVersion version = HttpVersion::kHttp11) {
  Message m = Message::make<HttpResponse>(version, HttpResponseStatus::kOk);
  for (const auto& [name, value] : fields) {
    m.get<HttpResponse>().headers().add(name, value);
  }
  return m;
}

Message piece(std::string_view text) {
  return Message::make<HttpContent>(Unpooled::copiedBuffer(text));
}

TEST_F(HttpContentCompressorTest, StreamsChunkByChunkAndBecomesChunked) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(16384);
  receive(ch, "gzip");
  ch.writeOutbound(streamedHead({{"Content-Length", std::to_string(text.size())}}));
  for (std::size_t i = 0; i < text.size(); i += 4096) {
    ch.write(piece(std::string_view(text).substr(i, 4096)));
  }
  ch.writeOutbound(Message::make<LastHttpContent>());
  Streamed s = drain(ch);
  ASSERT_TRUE(s.head.has_value());
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentEncoding), "gzip");
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentLength), "<none>");
  EXPECT_TRUE(HttpUtil::isTransferEncodingChunked(*s.head));
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kVary), "Accept-Encoding");
  EXPECT_EQ(s.pieces, 5u);  // one per content written, no extra flush
  EXPECT_TRUE(s.ended);
  EXPECT_LT(s.bytes.size(), text.size() / 4);
  EXPECT_EQ(zlibInflate(s.bytes), text);
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpContentCompressorTest, AFlushMakesEverythingWrittenSoFarDecodable) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  receive(ch, "gzip");
  ch.writeOutbound(streamedHead());
  ASSERT_TRUE(drain(ch).head.has_value());
  ch.write(piece("data: first event\n\n"));
  ch.write(piece("data: second event\n\n"));
  EXPECT_TRUE(ch.outboundMessages().empty());
  ch.flush();
  Streamed s = drain(ch);
  EXPECT_EQ(s.pieces, 3u);  // two (empty) pieces and the sync flush
  ASSERT_GE(s.bytes.size(), 4u);
  EXPECT_EQ(s.bytes.substr(s.bytes.size() - 4), std::string("\0\0\xff\xff", 4));
  EXPECT_EQ(zlibInflate(s.bytes), "data: first event\n\ndata: second event\n\n");
  // A flush with nothing new written adds nothing.
  ch.flush();
  EXPECT_TRUE(ch.outboundMessages().empty());
  ch.writeOutbound(Message::make<LastHttpContent>());
  Streamed rest = drain(ch);
  EXPECT_TRUE(rest.ended);
  EXPECT_EQ(zlibInflate(s.bytes + rest.bytes), "data: first event\n\ndata: second event\n\n");
}

TEST_F(HttpContentCompressorTest, StreamedWithASmallKnownLengthIsLeftAlone) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  receive(ch, "gzip");
  ch.writeOutbound(streamedHead({{"Content-Length", "5"}}));
  ch.writeOutbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("hello")));
  Streamed s = drain(ch);
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentEncoding), "<none>");
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentLength), "5");
  EXPECT_EQ(s.bytes, "hello");
}

TEST_F(HttpContentCompressorTest, Http10StreamWithoutLengthIsDelimitedByTheClose) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(8000);
  receive(ch, "gzip", HttpMethod::kGet, HttpVersion::kHttp10);
  ch.writeOutbound(streamedHead({}, HttpVersion::kHttp10));
  ch.writeOutbound(piece(text));
  ch.writeOutbound(Message::make<LastHttpContent>());
  Streamed s = drain(ch);
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentEncoding), "gzip");
  EXPECT_FALSE(s.head->headers().contains(HttpHeaderNames::kTransferEncoding));
  EXPECT_FALSE(s.head->headers().contains(HttpHeaderNames::kContentLength));
  EXPECT_EQ(zlibInflate(s.bytes), text);
}

TEST_F(HttpContentCompressorTest, Http10StreamWithALengthIsLeftAlone) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(8000);
  // An HTTP/1.0 request: chunked may not be sent (RFC 9112 6.1), whatever the response says.
  receive(ch, "gzip", HttpMethod::kGet, HttpVersion::kHttp10);
  ch.writeOutbound(streamedHead({{"Content-Length", std::to_string(text.size())}}));
  ch.writeOutbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer(text)));
  Streamed s = drain(ch);
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentEncoding), "<none>");
  EXPECT_EQ(s.bytes, text);
  // A whole HTTP/1.0 response is compressed: its new length is known.
  receive(ch, "gzip", HttpMethod::kGet, HttpVersion::kHttp10);
  FullHttpResponse res =
      serveFull(ch, full(text, {}, HttpResponseStatus::kOk, HttpVersion::kHttp10));
  EXPECT_EQ(header(res, HttpHeaderNames::kContentLength),
            std::to_string(res.content().readableBytes()));
  EXPECT_EQ(zlibInflate(res.content().toStringView()), text);
}

TEST_F(HttpContentCompressorTest, PipelinedRequestsAreAnsweredWithTheirOwnCoding) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  const std::string text = body(4000);
  receive(ch, "gzip");
  receive(ch, "br");
  receive(ch, "deflate");
  receive(ch, "gzip", HttpMethod::kHead);
  receive(ch, "deflate;q=0.5, gzip;q=0.4");
  EXPECT_EQ(header(serveFull(ch, full(text)), HttpHeaderNames::kContentEncoding), "gzip");
  EXPECT_EQ(header(serveFull(ch, full(text)), HttpHeaderNames::kContentEncoding), "<none>");
  // A streamed response in the middle keeps the queue in step.
  ch.writeOutbound(streamedHead());
  ch.writeOutbound(piece(text));
  ch.writeOutbound(Message::make<LastHttpContent>());
  Streamed s = drain(ch);
  EXPECT_EQ(header(*s.head, HttpHeaderNames::kContentEncoding), "deflate");
  EXPECT_EQ(zlibInflate(s.bytes), text);
  EXPECT_EQ(header(serveFull(ch, full(text)), HttpHeaderNames::kContentEncoding), "<none>");
  EXPECT_EQ(header(serveFull(ch, full(text)), HttpHeaderNames::kContentEncoding), "deflate");
}

TEST_F(HttpContentCompressorTest, UnrelatedMessagesPassThrough) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  ASSERT_TRUE(ch.writeInbound(Unpooled::copiedBuffer("raw in")));
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toStringView(), "raw in");
  ASSERT_TRUE(ch.writeOutbound(Unpooled::copiedBuffer("raw out")));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toStringView(), "raw out");
  // A content with no response before it passes as it is.
  ASSERT_TRUE(ch.writeOutbound(piece("stray")));
  EXPECT_EQ(ch.readOutbound<HttpContent>()->content().toStringView(), "stray");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpContentCompressorTest, UnfinishedStreamIsReleasedWithTheChannel) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>());
  receive(ch, "gzip");
  ch.writeOutbound(streamedHead());
  ch.writeOutbound(piece(body(3000)));
  EXPECT_TRUE(ch.finishAndReleaseAll());
}

// ---- End to end --------------------------------------------------------------------------

// Answers each whole request with a JSON body, whole or in 4 KiB pieces by its target.
class JsonResponder : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    const auto* request = msg.getIf<FullHttpRequest>();
    if (request == nullptr) {
      return;
    }
    const std::string text = body(10000);
    if (request->uri() == "/full") {
      Message res = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                    Unpooled::copiedBuffer(text));
      HttpUtil::setContentLength(res.get<HttpResponse>(), text.size());
      ctx.writeAndFlush(std::move(res));
      return;
    }
    ctx.write(Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk));
    for (std::size_t i = 0; i < text.size(); i += 4096) {
      ctx.writeAndFlush(piece(std::string_view(text).substr(i, 4096)));
    }
    ctx.writeAndFlush(Message::make<LastHttpContent>());
  }
};

std::string drainBytes(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toStringView();
  }
  return all;
}

TEST_F(HttpContentCompressorTest, ServerCodecCompressorAndHandlerRoundTripThroughAClient) {
  EmbeddedChannel server(
      std::make_unique<HttpServerCodec>(), std::make_unique<HttpContentCompressor>(),
      std::make_unique<HttpObjectAggregator>(1 << 20), std::make_unique<JsonResponder>());
  EmbeddedChannel client(std::make_unique<HttpClientCodec>(),
                         std::make_unique<HttpContentDecompressor>(),
                         std::make_unique<HttpObjectAggregator>(1 << 20));
  for (std::string_view uri : {"/full", "/streamed", "/full"}) {
    Message request =
        Message::make<FullHttpRequest>(HttpVersion::kHttp11, HttpMethod::kGet, std::string(uri));
    request.get<HttpRequest>().headers().add(HttpHeaderNames::kHost, "example.com");
    request.get<HttpRequest>().headers().add(HttpHeaderNames::kAcceptEncoding, "gzip, deflate");
    client.writeOutbound(std::move(request));
    server.writeInbound(Unpooled::copiedBuffer(drainBytes(client)));
    const std::string wire = drainBytes(server);
    EXPECT_NE(wire.find("content-encoding: gzip\r\n"), std::string::npos) << uri;
    EXPECT_EQ(wire.find("{\"id\""), std::string::npos) << "the body went out compressed";
    ASSERT_TRUE(client.writeInbound(Unpooled::copiedBuffer(wire)));
    std::optional<FullHttpResponse> res = client.readInbound<FullHttpResponse>();
    ASSERT_TRUE(res.has_value());
    EXPECT_TRUE(res->decoderResult().isSuccess());
    EXPECT_EQ(res->content().toString(), body(10000)) << uri;
    EXPECT_FALSE(res->headers().contains(HttpHeaderNames::kContentEncoding));
  }
  EXPECT_FALSE(server.finish());
  EXPECT_FALSE(client.finish());
}

}  // namespace
}  // namespace sluice::http
