#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/handler/stream/ChunkedInput.h>

#include <deque>
#include <memory>

namespace sluice {

namespace detail {
struct ChunkedTransfer;
struct ChunkedWriteResumer;
}  // namespace detail

/// Writes ChunkedInputs chunk by chunk, as fast as the channel takes them and no faster
/// (Netty's ChunkedWriteHandler). Add it after the encoders (toward the tail) so that the
/// chunks it writes are encoded:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::ChunkedWriteHandler>();
/// p.addLast<FileServerHandler>();  // ctx.writeAndFlush(Message(ChunkedFile(fd, 0, size)))
/// ```
///
/// Every write is queued; a flush drains the queue in order. A message that is not a
/// ChunkedInput passes on as it is, with its promise. A ChunkedInput stays in the queue
/// while the handler reads its chunks and writes and flushes them one by one, for as long
/// as channel.isWritable(): once the outbound buffer is above its high water mark it stops,
/// and it goes on in channelWritabilityChanged when the buffer has drained below the low
/// mark. So the bytes of one input queued in the channel never exceed the high water mark
/// plus one chunk, whatever its length.
///
/// Promises. The write's promise succeeds once the last chunk has been written (and the
/// input closed). It fails, and the input is closed, if readChunk() returns an error or
/// throws, if writing a chunk fails, or if the channel closes (channelInactive) or the
/// handler is removed before the end: then every queued input is closed and every queued
/// promise fails (CoreErrc::ClosedChannel; CoreErrc::Cancelled if the handler is removed
/// from an open channel). An input that had ended by then succeeds.
///
/// Inputs that wait for data (ChunkedStream) return none from readChunk(); the transfer
/// then suspends, leaving later writes queued behind it, until the input's resume callback
/// (installed by this handler) or resumeTransfer() starts it again.
///
/// Thread: the loop, except resumeTransfer().
class ChunkedWriteHandler : public ChannelDuplexHandler {
 public:
  ChunkedWriteHandler();
  ~ChunkedWriteHandler() override;
  ChunkedWriteHandler(const ChunkedWriteHandler&) = delete;
  ChunkedWriteHandler& operator=(const ChunkedWriteHandler&) = delete;

  /// Goes on writing queued inputs, e.g. after data arrived for one that had none. Inputs
  /// that install the resume callback need no call. Thread: any, while the handler is in a
  /// pipeline: off the handler's executor it queues the work there.
  void resumeTransfer();

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void flush(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void channelWritabilityChanged(ChannelHandlerContext& ctx) override;

 private:
  friend struct detail::ChunkedWriteResumer;

  struct PendingWrite {
    Message msg;  // a message to pass on; empty when `transfer` is set
    ChannelPromise promise;
    std::shared_ptr<detail::ChunkedTransfer> transfer;  // a ChunkedInput being written
  };

  void doFlush();
  void doFlushOnce();
  // Fails (or, for ended inputs, completes) every queued write.
  void discard(const Error& cause);

  ChannelHandlerContext* ctx_ = nullptr;
  std::deque<PendingWrite> queue_;
  std::shared_ptr<detail::ChunkedWriteResumer> resumer_;
  bool flushing_ = false;
  bool flushAgain_ = false;
};

}  // namespace sluice
