#pragma once

#include <sluice/channel/Message.h>
#include <sluice/util/Error.h>

#include <cstdint>
#include <functional>
#include <utility>

namespace sluice {

class ByteBufAllocator;

/// What ChunkedInput::readChunk returns: a chunk, an error, or neither ("nothing right now,
/// try later", Netty's null). Converts implicitly from a Message and from an Error, so an
/// input writes `return Message(std::move(buf));` or `return Error(...);`, and `return {};`
/// for none.
class ChunkResult {
 public:
  /// None: no data available yet, and not the end of the input either.
  ChunkResult() noexcept = default;
  ChunkResult(Message chunk) noexcept  // NOLINT(google-explicit-constructor)
      : chunk_(std::move(chunk)) {}
  ChunkResult(Error error) noexcept  // NOLINT(google-explicit-constructor)
      : error_(std::move(error)) {}
  ChunkResult(CoreErrc error) : error_(error) {}  // NOLINT(google-explicit-constructor)

  bool hasChunk() const noexcept { return chunk_.hasValue(); }
  bool hasError() const noexcept { return static_cast<bool>(error_); }
  /// Neither a chunk nor an error.
  bool isNone() const noexcept { return !hasChunk() && !hasError(); }

  Message& chunk() noexcept { return chunk_; }
  const Error& error() const noexcept { return error_; }

 private:
  Message chunk_;
  Error error_;
};

/// A body that is written piece by piece, never whole in memory (Netty's ChunkedInput).
/// Write one through a ChunkedWriteHandler as a Message, which keeps it while it drains it:
///
/// ```cpp
/// ctx.writeAndFlush(sluice::Message(sluice::ChunkedFile(fd, 0, size)));
/// ```
///
/// Every subclass is a ChunkedInput for Message::is<ChunkedInput>() without declaring
/// anything (see MessageSupertypes). Subclasses must be movable (a Message is made from one
/// by moving it in) and must not throw from the destructor; one that holds resources frees
/// them in close() and, if close() was never called, in its destructor.
///
/// Thread: the loop of the channel it is written to, once written; before that, the thread
/// that made it. Subclasses that accept data from elsewhere (ChunkedStream) say so.
class ChunkedInput {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<ChunkedInput>;
  /// Called when an input that returned none may have data again. May be called on any
  /// thread, any number of times; it is cheap and never blocks.
  using ResumeCallback = std::function<void()>;

  virtual ~ChunkedInput() = default;

  /// True once every chunk has been read: readChunk() will return none from now on.
  virtual bool isEndOfInput() = 0;
  /// Releases what the input holds (file descriptor, queued buffers). Called once by
  /// ChunkedWriteHandler when the input is done, failed or abandoned; further calls do
  /// nothing.
  virtual void close() = 0;
  /// The next chunk (a ByteBuf, or for HttpChunkedInput an HttpContent), taken from `alloc`
  /// where it needs memory; none if no data is available right now (the writer waits for the
  /// resume callback); or an error, which fails the write. After the last chunk,
  /// isEndOfInput() is true. Should not throw; if it does, the write fails with what it
  /// threw.
  virtual ChunkResult readChunk(ByteBufAllocator& alloc) = 0;
  /// The total length in bytes, or -1 when it is not known (yet).
  virtual std::int64_t length() = 0;
  /// How many bytes have been read so far.
  virtual std::int64_t progress() = 0;

  /// Installs the callback to call whenever data may have become available after
  /// readChunk() returned none. ChunkedWriteHandler calls it once, before the first
  /// readChunk(). Inputs that never return none (files) ignore it, which is the default;
  /// wrappers (HttpChunkedInput) pass it to what they wrap.
  virtual void setResumeCallback(ResumeCallback resume) { (void)resume; }

 protected:
  ChunkedInput() = default;
  ChunkedInput(const ChunkedInput&) = default;
  ChunkedInput(ChunkedInput&&) noexcept = default;
  ChunkedInput& operator=(const ChunkedInput&) = default;
  ChunkedInput& operator=(ChunkedInput&&) noexcept = default;
};

}  // namespace sluice
