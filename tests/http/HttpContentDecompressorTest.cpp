#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpContentDecompressor.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpUtil.h>
#include <zlib.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

using HttpContentDecompressorTest = testing::SluiceTest;

std::string text(std::size_t size) {
  std::string s;
  for (int i = 0; s.size() < size; ++i) {
    s += "<li>item " + std::to_string(i) + "</li>\n";
  }
  s.resize(size);
  return s;
}

// Compressed by zlib itself: 31 gzip, 15 zlib, -15 raw deflate.
std::string compress(std::string_view plain, int windowBits) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(plain.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Message fullResponse(std::string_view content, std::string_view encoding) {
  Message m = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                              Unpooled::copiedBuffer(content));
  m.get<HttpResponse>().headers().add(HttpHeaderNames::kContentEncoding, encoding);
  HttpUtil::setContentLength(m.get<HttpResponse>(), content.size());
  return m;
}

// Collects what reaches the end of the pipeline, and the errors.
struct Collected {
  std::optional<HttpResponse> head;
  std::string body;
  bool ended = false;
  bool failed = false;
};

Collected collect(EmbeddedChannel& ch) {
  Collected c;
  while (Message m = ch.readInbound()) {
    if (m.isExactly<HttpResponse>()) {
      c.head.emplace(std::move(m.get<HttpResponse>()));
      continue;
    }
    auto& content = m.get<HttpContent>();
    c.body += content.content().toStringView();
    c.failed = c.failed || content.decoderResult().isFailure();
    c.ended = m.is<LastHttpContent>();
  }
  return c;
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

TEST_F(HttpContentDecompressorTest, InflatesAWholeGzipResponse) {
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  const std::string plain = text(20000);
  for (std::string_view coding : {"gzip", "x-gzip", "GZIP"}) {
    ASSERT_TRUE(ch.writeInbound(fullResponse(compress(plain, 31), coding)));
    std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
    ASSERT_TRUE(res.has_value());
    EXPECT_TRUE(res->decoderResult().isSuccess());
    EXPECT_EQ(res->content().toString(), plain);
    EXPECT_FALSE(res->headers().contains(HttpHeaderNames::kContentEncoding));
    EXPECT_EQ(HttpUtil::getContentLength(*res), plain.size());
  }
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpContentDecompressorTest, InflatesDeflateAsZlibOrRaw) {
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  const std::string plain = text(5000);
  for (int bits : {15, -15}) {
    ASSERT_TRUE(ch.writeInbound(fullResponse(compress(plain, bits), "deflate")));
    std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
    EXPECT_EQ(res->content().toString(), plain) << bits;
  }
}

TEST_F(HttpContentDecompressorTest, StreamedBodySplitByteByByte) {
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  const std::string plain = text(3000);
  for (int bits : {31, 15, -15}) {
    const std::string compressed = compress(plain, bits);
    Message head = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
    head.get<HttpResponse>().headers().add(HttpHeaderNames::kContentEncoding,
                                           bits == 31 ? "gzip" : "deflate");
    HttpUtil::setContentLength(head.get<HttpResponse>(), compressed.size());
    ch.writeInbound(std::move(head));
    for (char c : compressed) {
      ch.writeInbound(Message::make<HttpContent>(Unpooled::copiedBuffer(std::string_view(&c, 1))));
    }
    ch.writeInbound(Message::make<LastHttpContent>());
    Collected c = collect(ch);
    ASSERT_TRUE(c.head.has_value());
    EXPECT_FALSE(c.head->headers().contains(HttpHeaderNames::kContentEncoding));
    EXPECT_FALSE(c.head->headers().contains(HttpHeaderNames::kContentLength));
    EXPECT_TRUE(HttpUtil::isTransferEncodingChunked(*c.head));
    EXPECT_EQ(c.body, plain) << bits;
    EXPECT_TRUE(c.ended);
    EXPECT_FALSE(c.failed);
  }
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpContentDecompressorTest, ThroughTheClientCodecAndAggregator) {
  EmbeddedChannel ch(std::make_unique<HttpClientCodec>(),
                     std::make_unique<HttpContentDecompressor>(),
                     std::make_unique<HttpObjectAggregator>(1 << 20));
  ch.writeOutbound(Message::make<FullHttpRequest>(HttpVersion::kHttp11, HttpMethod::kGet, "/"));
  ch.releaseOutbound();
  const std::string plain = text(30000);
  const std::string gz = compress(plain, 31);
  std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < gz.size(); i += 100) {
    const std::string part = gz.substr(i, 100);
    wire += fmt::format("{:x}\r\n", part.size()) + part + "\r\n";
  }
  wire += "0\r\n\r\n";
  for (std::size_t i = 0; i < wire.size(); i += 7) {
    ch.writeInbound(Unpooled::copiedBuffer(std::string_view(wire).substr(i, 7)));
  }
  std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->content().toString(), plain);
  EXPECT_EQ(HttpUtil::getContentLength(*res), plain.size());
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpContentDecompressorTest, OnlyTheOutermostCodingIsRemoved) {
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  const std::string inner = compress("twice", 15);
  ASSERT_TRUE(ch.writeInbound(fullResponse(compress(inner, 31), "deflate, identity, gzip")));
  std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
  EXPECT_EQ(res->headers().get(HttpHeaderNames::kContentEncoding), "deflate");
  EXPECT_EQ(res->content().toString(), inner);
}

TEST_F(HttpContentDecompressorTest, UnknownCodingsAndInformationalPassThrough) {
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  ASSERT_TRUE(ch.writeInbound(fullResponse("opaque", "br")));
  std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
  EXPECT_EQ(res->headers().get(HttpHeaderNames::kContentEncoding), "br");
  EXPECT_EQ(res->content().toString(), "opaque");
  Message cont =
      Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kContinue);
  cont.get<HttpResponse>().headers().add(HttpHeaderNames::kContentEncoding, "gzip");
  ASSERT_TRUE(ch.writeInbound(std::move(cont)));
  EXPECT_EQ(ch.readInbound<FullHttpResponse>()->headers().get(HttpHeaderNames::kContentEncoding),
            "gzip");
}

TEST_F(HttpContentDecompressorTest, AnEmptyBodyIsNotAnError) {
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>());
  ASSERT_TRUE(ch.writeInbound(fullResponse("", "gzip")));
  std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
  EXPECT_TRUE(res->decoderResult().isSuccess());
  EXPECT_FALSE(res->content().isReadable());
}

TEST_F(HttpContentDecompressorTest, ABombFailsTheMessageAtTheLimit) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>(
                         HttpContentDecompressorConfig{.maxInflatedBytes = 1 << 20}),
                     std::make_unique<ErrorRecorder>(errors));
  // 64 MiB of zeros is about 64 KiB of gzip.
  const std::string bomb = compress(std::string(std::size_t{64} << 20, '\0'), 31);
  ASSERT_LT(bomb.size(), 100000u);
  Message head = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  head.get<HttpResponse>().headers().add(HttpHeaderNames::kContentEncoding, "gzip");
  ch.writeInbound(std::move(head));
  for (std::size_t i = 0; i < bomb.size(); i += 8192) {
    ch.writeInbound(
        Message::make<HttpContent>(Unpooled::copiedBuffer(std::string_view(bomb).substr(i, 8192))));
  }
  ch.writeInbound(Message::make<LastHttpContent>());
  Collected c = collect(ch);
  EXPECT_LE(c.body.size(), std::size_t{1} << 20);
  EXPECT_TRUE(c.failed);
  EXPECT_TRUE(c.ended);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), CodecErrc::DecompressionLimitExceeded);

  // Exactly at the limit is fine, and the next message decodes as usual.
  ASSERT_TRUE(ch.writeInbound(fullResponse(compress(std::string(1 << 20, 'a'), 31), "gzip")));
  std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
  EXPECT_TRUE(res->decoderResult().isSuccess());
  EXPECT_EQ(res->content().readableBytes(), std::size_t{1} << 20);
  EXPECT_EQ(errors.size(), 1u);
}

TEST_F(HttpContentDecompressorTest, AWholeBombFailsTheWholeMessage) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>(
                         HttpContentDecompressorConfig{.maxInflatedBytes = 1000}),
                     std::make_unique<ErrorRecorder>(errors));
  ASSERT_TRUE(ch.writeInbound(fullResponse(compress(std::string(1001, 'a'), 31), "gzip")));
  std::optional<FullHttpResponse> res = ch.readInbound<FullHttpResponse>();
  EXPECT_TRUE(res->decoderResult().isFailure());
  EXPECT_EQ(res->decoderResult().cause().code(), CodecErrc::DecompressionLimitExceeded);
  EXPECT_FALSE(res->content().isReadable());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message(), "decompressed data exceeds the limit of 1000 bytes");
}

TEST_F(HttpContentDecompressorTest, CorruptInputFailsWithATypedError) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>(),
                     std::make_unique<ErrorRecorder>(errors));
  std::string gz = compress(text(2000), 31);
  gz[gz.size() - 6] ^= 0x55;  // the CRC-32
  ASSERT_TRUE(ch.writeInbound(fullResponse(gz, "gzip")));
  EXPECT_TRUE(ch.readInbound<FullHttpResponse>()->decoderResult().isFailure());
  ASSERT_TRUE(ch.writeInbound(fullResponse("not gzip at all", "gzip")));
  EXPECT_TRUE(ch.readInbound<FullHttpResponse>()->decoderResult().isFailure());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code(), CodecErrc::DecompressionFailed);
  EXPECT_EQ(errors[0].message(), "corrupted compressed data (incorrect data check)");
  EXPECT_EQ(errors[1].code(), std::errc::bad_message);
}

TEST_F(HttpContentDecompressorTest, CorruptStreamDropsTheRestOfTheBodyOnly) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>(),
                     std::make_unique<ErrorRecorder>(errors));
  Message head = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  head.get<HttpResponse>().headers().add(HttpHeaderNames::kContentEncoding, "deflate");
  ch.writeInbound(std::move(head));
  ch.writeInbound(Message::make<HttpContent>(Unpooled::copiedBuffer("\x78\x9c\xff\xff\xff")));
  ch.writeInbound(Message::make<HttpContent>(Unpooled::copiedBuffer("more")));
  ch.writeInbound(Message::make<LastHttpContent>(Unpooled::copiedBuffer("end")));
  Collected c = collect(ch);
  EXPECT_TRUE(c.failed);
  EXPECT_TRUE(c.ended);
  EXPECT_EQ(c.body, "");
  EXPECT_EQ(errors.size(), 1u);
  ASSERT_TRUE(ch.writeInbound(fullResponse(compress("next", 31), "gzip")));
  EXPECT_EQ(ch.readInbound<FullHttpResponse>()->content().toString(), "next");
}

TEST_F(HttpContentDecompressorTest, ABodyThatEndsBeforeItsStreamFails) {
  std::vector<Error> errors;
  EmbeddedChannel ch(std::make_unique<HttpContentDecompressor>(),
                     std::make_unique<ErrorRecorder>(errors));
  std::string gz = compress(text(2000), 31);
  gz.resize(gz.size() - 10);
  ASSERT_TRUE(ch.writeInbound(fullResponse(gz, "gzip")));
  EXPECT_TRUE(ch.readInbound<FullHttpResponse>()->decoderResult().isFailure());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message(), "corrupted compressed data (the body ended before the stream)");
}

// A body the HTTP framing cut short fails with the framing's error: the coding's stream
// ended early because the body did, so "corrupted compressed data" would name the wrong
// cause, and the HTTP decoders report bad input in the result, not as an exception.
TEST_F(HttpContentDecompressorTest, ABodyCutShortByTheFramingKeepsTheFramingError) {
  const std::string gz = compress(text(4000), 31);
  for (bool aggregated : {false, true}) {
    std::vector<Error> errors;
    EmbeddedChannel ch(std::make_unique<HttpClientCodec>());
    if (aggregated) {
      ch.pipeline().addLast(std::make_unique<HttpObjectAggregator>(1 << 20));
    }
    ch.pipeline().addLast(std::make_unique<HttpContentDecompressor>());
    ch.pipeline().addLast(std::make_unique<ErrorRecorder>(errors));
    const std::string head = fmt::format(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", gz.size());
    ch.writeInbound(Unpooled::copiedBuffer(head + gz.substr(0, gz.size() / 2)));
    ch.finish();  // the connection closes in the body
    bool sawFailure = false;
    while (Message m = ch.readInbound()) {
      const HttpObject& o = m.get<HttpObject>();
      if (o.decoderResult().isFailure()) {
        sawFailure = true;
        EXPECT_EQ(o.decoderResult().cause().code(), make_error_code(HttpErrc::PrematureClose))
            << o.decoderResult().cause().message() << " aggregated " << aggregated;
      }
    }
    EXPECT_TRUE(sawFailure) << aggregated;
    EXPECT_TRUE(errors.empty()) << errors.front().message() << " aggregated " << aggregated;
  }
}

TEST_F(HttpContentDecompressorTest, RefusesAZeroLimit) {
  EXPECT_THROW(HttpContentDecompressor({.maxInflatedBytes = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::http
