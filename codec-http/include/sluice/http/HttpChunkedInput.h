#pragma once

#include <sluice/handler/stream/ChunkedInput.h>
#include <sluice/http/HttpObject.h>

#include <cstdint>
#include <memory>
#include <optional>

namespace sluice::http {

/// An HTTP body written chunk by chunk (Netty's HttpChunkedInput): wraps a ChunkedInput of
/// bytes (ChunkedFile, ChunkedStream) and yields each of its chunks as an HttpContent, then
/// `lastContent` (by default empty, with no trailers) as the LastHttpContent that ends the
/// message. Write it through a ChunkedWriteHandler placed after the HttpServerCodec, right
/// after an HttpResponse that says how the body is framed:
///
/// ```cpp
/// HttpResponse res(HttpVersion::kHttp11, HttpResponseStatus::kOk);
/// HttpUtil::setContentLength(res, size);
/// ctx.write(Message(std::move(res)));
/// ctx.writeAndFlush(Message(HttpChunkedInput(std::make_unique<ChunkedFile>(fd, 0, size))));
/// ```
///
/// With Transfer-Encoding: chunked the encoder frames each HttpContent as a chunk and the
/// LastHttpContent as the last chunk with its trailer fields (RFC 9112 7.1); with a
/// Content-Length the trailers are not sent (only the chunked coding carries them).
///
/// Movable, not copyable. Thread: as ChunkedInput.
class HttpChunkedInput : public ChunkedInput {
 public:
  /// Reads the body from `input` (not null) and ends with `lastContent`.
  explicit HttpChunkedInput(std::unique_ptr<ChunkedInput> input, LastHttpContent lastContent = {});
  HttpChunkedInput(HttpChunkedInput&&) noexcept = default;
  HttpChunkedInput& operator=(HttpChunkedInput&&) = delete;  // LastHttpContent cannot assign
  ~HttpChunkedInput() override = default;

  /// True once the wrapped input has ended and the LastHttpContent has been read.
  bool isEndOfInput() override;
  /// Closes the wrapped input.
  void close() override;
  /// An HttpContent holding the wrapped input's next chunk; once that input has ended, the
  /// LastHttpContent; then none. None and errors of the wrapped input pass through.
  ChunkResult readChunk(ByteBufAllocator& alloc) override;
  /// The wrapped input's length and progress (body bytes; the framing is not counted).
  std::int64_t length() override { return input_->length(); }
  std::int64_t progress() override { return input_->progress(); }
  /// Passed to the wrapped input.
  void setResumeCallback(ResumeCallback resume) override;

  ChunkedInput& input() noexcept { return *input_; }

 private:
  std::unique_ptr<ChunkedInput> input_;
  std::optional<LastHttpContent> lastContent_;  // empty once read
};

}  // namespace sluice::http
