#pragma once

#include <sluice/handler/stream/ChunkedInput.h>

#include <cstdint>
#include <memory>

namespace sluice::websocket {

/// A large binary message streamed as one WebSocket message without holding it whole
/// (Netty's WebSocketChunkedInput): wraps a ChunkedInput of bytes (ChunkedFile,
/// ChunkedStream) and yields its first chunk as a BinaryWebSocketFrame without FIN, the
/// following ones as ContinuationWebSocketFrames, and sets FIN on the frame that ends the
/// message (RFC 6455 5.4). Write it through a ChunkedWriteHandler placed after the frame
/// encoder, so frames are read from the input only as fast as the peer takes them:
///
/// ```cpp
/// p.addLast<sluice::ChunkedWriteHandler>();  // after WebSocketServerProtocolHandler
/// ctx.writeAndFlush(Message(WebSocketChunkedInput(std::make_unique<ChunkedFile>(fd, 0, size))));
/// ```
///
/// When the wrapped input only learns that it has ended after its last chunk went out (a
/// ChunkedStream whose producer calls end() later), the message ends with an empty
/// continuation frame carrying FIN; an input with no bytes at all gives one empty binary
/// frame.
///
/// Movable, not copyable. Thread: as ChunkedInput.
class WebSocketChunkedInput : public ChunkedInput {
 public:
  /// Reads the message from `input` (not null); `rsv` goes on the first frame (an
  /// extension's bits, 0 to 7). Throws std::invalid_argument otherwise.
  explicit WebSocketChunkedInput(std::unique_ptr<ChunkedInput> input, int rsv = 0);
  WebSocketChunkedInput(WebSocketChunkedInput&&) noexcept = default;
  WebSocketChunkedInput& operator=(WebSocketChunkedInput&&) noexcept = default;
  ~WebSocketChunkedInput() override = default;

  /// True once the frame with FIN has been read.
  bool isEndOfInput() override { return finished_; }
  /// Closes the wrapped input.
  void close() override;
  /// The next frame; none and errors of the wrapped input pass through.
  ChunkResult readChunk(ByteBufAllocator& alloc) override;
  /// The wrapped input's length and progress (payload bytes; headers are not counted).
  std::int64_t length() override { return input_->length(); }
  std::int64_t progress() override { return input_->progress(); }
  /// Passed to the wrapped input.
  void setResumeCallback(ResumeCallback resume) override;

 private:
  std::unique_ptr<ChunkedInput> input_;
  int rsv_;
  bool started_ = false;   // the first (binary) frame has been read
  bool finished_ = false;  // the frame with FIN has been read
};

}  // namespace sluice::websocket
