#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/handler/stream/ChunkedInput.h>
#include <sluice/util/Error.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sluice {

/// A body whose bytes a producer pushes as they come (a proxied upstream, a generator on a
/// worker thread): write() queues a buffer, end() says there are no more, and each queued
/// buffer becomes one chunk. Netty's ChunkedStream pulls from an InputStream; in an event
/// loop nothing may block, so this one is pushed instead.
///
/// A ChunkedStream is a handle: copies share one stream. Keep one to produce and write
/// another to the channel through a ChunkedWriteHandler:
///
/// ```cpp
/// sluice::ChunkedStream body;
/// ctx.writeAndFlush(sluice::Message(body));    // a copy goes down the pipeline
/// body.write(ctx.alloc().copiedBuffer("hello"));  // later, from any thread
/// body.end();
/// ```
///
/// While the queue is empty and end() has not been called, readChunk() returns none and
/// the handler suspends the transfer (other writes queued behind it wait, keeping their
/// order). The next write(), end() or fail() calls the resume callback the handler
/// installed, on the producer's thread; the handler then continues on its own loop (at
/// once when the producer is on that loop, through a task otherwise). So no one has to
/// call ChunkedWriteHandler::resumeTransfer() by hand.
///
/// Memory. The queue is not bounded: the channel's writability limits what is queued in
/// the channel, not what the producer pushes. A producer that can outrun the peer watches
/// queuedBytes() (or the channel's writability) and slows down.
///
/// A producer that gives up calls fail(): the write's promise fails with that error. Once
/// the consumer has closed the stream (written to the end, failed, or the channel closed),
/// write() returns false and releases the buffer: isClosed() tells the producer to stop.
/// A producer that never calls end() or fail() leaves the write pending until the channel
/// closes.
///
/// Thread: write(), end(), fail(), isClosed() and queuedBytes() from any thread; the
/// ChunkedInput methods on the channel's loop.
class ChunkedStream : public ChunkedInput {
 public:
  /// An empty, open stream.
  ChunkedStream();
  ChunkedStream(const ChunkedStream&) = default;
  ChunkedStream& operator=(const ChunkedStream&) = default;
  /// A move copies the handle: a handle is never empty, so the producer's copy keeps
  /// writing to the stream after another copy was moved into a Message.
  ChunkedStream(ChunkedStream&& other) noexcept : ChunkedInput(other), state_(other.state_) {}
  ChunkedStream& operator=(ChunkedStream&& other) noexcept {
    state_ = other.state_;
    return *this;
  }
  ~ChunkedStream() override = default;

  /// Queues `buf` as the next chunk and resumes the transfer if it was waiting. Empty
  /// buffers are dropped. False (with `buf` released) once end() or fail() was called or
  /// the consumer closed the stream.
  bool write(ByteBuf buf);
  /// No more buffers: the write completes once the queued ones are written. Later calls
  /// (and calls after fail() or close()) do nothing.
  void end();
  /// Aborts: the queued buffers are released, and the next readChunk() returns `error`
  /// (CoreErrc::Cancelled when `error` is empty), failing the write.
  void fail(Error error);
  /// True once the consumer has closed the stream: nothing written will be sent.
  bool isClosed() const;
  /// Bytes queued and not yet read by the consumer.
  std::size_t queuedBytes() const;

  bool isEndOfInput() override;
  /// Releases the queued buffers; further writes are refused.
  void close() override;
  /// The next queued buffer as it was written; none while the queue is empty and the
  /// stream not ended; the error given to fail().
  ChunkResult readChunk(ByteBufAllocator& alloc) override;
  /// -1 until end(), then every byte written.
  std::int64_t length() override;
  std::int64_t progress() override;
  void setResumeCallback(ResumeCallback resume) override;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sluice
