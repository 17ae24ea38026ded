#include <fcntl.h>
#include <gtest/gtest.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/stream/ChunkedFile.h>
#include <sluice/handler/stream/ChunkedStream.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/http/HttpChunkedInput.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpResponseEncoder.h>
#include <sluice/http/HttpUtil.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

class HttpChunkedInputTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
    testing::SluiceTest::TearDown();
  }

  // A file in /tmp holding `content`; returns a descriptor open for reading.
  int fileWith(const std::string& content) {
    std::string name = "/tmp/sluice-http-chunked-XXXXXX";
    const int fd = ::mkstemp(name.data());
    EXPECT_GE(fd, 0);
    path_ = name;
    EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(fd);
    return ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  }

  ByteBufAllocator& alloc_ = ByteBufAllocator::defaultAllocator();
  std::string path_;
};

std::string outboundBytes(EmbeddedChannel& ch) {
  std::string all;
  while (Message m = ch.readOutbound()) {
    all += m.get<ByteBuf>().toString();
  }
  return all;
}

// Yields one chunk that is not a ByteBuf.
class WrongTypeInput : public ChunkedInput {
 public:
  bool isEndOfInput() override { return false; }
  void close() override {}
  ChunkResult readChunk(ByteBufAllocator&) override { return Message(std::string("text")); }
  std::int64_t length() override { return -1; }
  std::int64_t progress() override { return 0; }
};

TEST_F(HttpChunkedInputTest, YieldsContentPiecesThenTheLastContent) {
  LastHttpContent last;
  last.trailingHeaders().add("X-Checksum", "abc");
  HttpChunkedInput input(std::make_unique<ChunkedFile>(fileWith("hello world"), 0, 11, 6),
                         std::move(last));
  EXPECT_EQ(input.length(), 11);

  ChunkResult first = input.readChunk(alloc_);
  ASSERT_TRUE(first.chunk().isExactly<HttpContent>());
  EXPECT_EQ(first.chunk().get<HttpContent>().content().toString(), "hello ");
  ChunkResult second = input.readChunk(alloc_);
  ASSERT_TRUE(second.chunk().isExactly<HttpContent>());
  EXPECT_EQ(second.chunk().get<HttpContent>().content().toString(), "world");
  EXPECT_FALSE(input.isEndOfInput());  // the body has ended, the message has not
  EXPECT_EQ(input.progress(), 11);

  ChunkResult end = input.readChunk(alloc_);
  ASSERT_TRUE(end.chunk().isExactly<LastHttpContent>());
  EXPECT_EQ(end.chunk().get<LastHttpContent>().trailingHeaders().get("X-Checksum"), "abc");
  EXPECT_TRUE(input.isEndOfInput());
  EXPECT_TRUE(input.readChunk(alloc_).isNone());
}

TEST_F(HttpChunkedInputTest, IsAChunkedInputInAMessageAndMoves) {
  HttpChunkedInput input(std::make_unique<ChunkedFile>(fileWith("x"), 0, 1));
  Message msg(std::move(input));
  ASSERT_TRUE(msg.is<ChunkedInput>());
  EXPECT_EQ(msg.get<ChunkedInput>().length(), 1);
}

TEST_F(HttpChunkedInputTest, NullInputIsRefused) {
  EXPECT_THROW(HttpChunkedInput(nullptr), std::invalid_argument);
}

TEST_F(HttpChunkedInputTest, ChunkThatIsNotBytesIsAnError) {
  HttpChunkedInput input(std::make_unique<WrongTypeInput>());
  ChunkResult r = input.readChunk(alloc_);
  ASSERT_TRUE(r.hasError());
  EXPECT_EQ(r.error(), CoreErrc::UnsupportedMessageType);
}

TEST_F(HttpChunkedInputTest, ChunkedResponseWithTrailersOnTheWire) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>(),
                     std::make_unique<ChunkedWriteHandler>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  ch.write(Message(std::move(res)));
  LastHttpContent last;
  last.trailingHeaders().add("X-Checksum", "abc");
  ChannelFuture f = ch.writeAndFlush(Message(HttpChunkedInput(
      std::make_unique<ChunkedFile>(fileWith("hello world"), 0, 11, 6), std::move(last))));
  EXPECT_TRUE(f.isSuccess());
  // RFC 9112 7.1: each piece a chunk, then the last chunk and the trailer section.
  EXPECT_EQ(outboundBytes(ch),
            "HTTP/1.1 200 OK\r\n"
            "transfer-encoding: chunked\r\n"
            "\r\n"
            "6\r\nhello \r\n"
            "5\r\nworld\r\n"
            "0\r\n"
            "X-Checksum: abc\r\n"
            "\r\n");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpChunkedInputTest, ResponseWithContentLengthIsTheBareBody) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>(),
                     std::make_unique<ChunkedWriteHandler>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setContentLength(res, 11);
  ch.write(Message(std::move(res)));
  ChannelFuture f = ch.writeAndFlush(
      Message(HttpChunkedInput(std::make_unique<ChunkedFile>(fileWith("hello world"), 0, 11))));
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhello world");
  EXPECT_FALSE(ch.finish());
}

TEST_F(HttpChunkedInputTest, StreamedBodySuspendsAndResumesThroughTheWrapper) {
  EmbeddedChannel ch(std::make_unique<HttpResponseEncoder>(),
                     std::make_unique<ChunkedWriteHandler>());
  HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  HttpUtil::setTransferEncodingChunked(res, true);
  ch.write(Message(std::move(res)));
  ChunkedStream body;
  ChannelFuture f =
      ch.writeAndFlush(Message(HttpChunkedInput(std::make_unique<ChunkedStream>(body))));
  EXPECT_EQ(outboundBytes(ch), "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
  body.write(Unpooled::copiedBuffer("abc"));  // the wrapper passed the resume callback on
  EXPECT_EQ(outboundBytes(ch), "3\r\nabc\r\n");
  EXPECT_FALSE(f.isDone());
  body.end();
  EXPECT_TRUE(f.isSuccess());
  EXPECT_EQ(outboundBytes(ch), "0\r\n\r\n");
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice::http
