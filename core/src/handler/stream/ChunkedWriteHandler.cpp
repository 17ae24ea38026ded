#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/handler/stream/ChunkedWriteHandler.h>
#include <sluice/util/Log.h>

#include <utility>

namespace sluice {
namespace detail {

/// One ChunkedInput being written: shared by the queue entry and the listeners of its
/// chunks' writes, which may complete after the entry has left the queue (or the handler
/// the pipeline).
struct ChunkedTransfer {
  Message input;
  ChunkedInput* in = nullptr;  // the value of `input`, which never moves
  ChannelPromise promise;
  bool closed = false;
  bool done = false;  // the promise is complete; the entry only waits to be dropped

  void closeInput() noexcept {
    if (closed) {
      return;
    }
    closed = true;
    try {
      in->close();
    } catch (...) {
      Log::log(LogLevel::Warn, "ChunkedWriteHandler", "closing a ChunkedInput failed: {}",
               Error::fromCurrentException().message());
    }
  }
  // Once: a void promise reports each failure through the pipeline, and a transfer may
  // hear of several (two chunks failing, then the channel closing).
  void succeed() {
    if (done) {
      return;
    }
    closeInput();
    done = true;
    promise.trySuccess();
  }
  void fail(const Error& cause) {
    if (done) {
      return;
    }
    closeInput();
    done = true;
    promise.tryFailure(cause);
  }
};

/// What an input's resume callback reaches: the handler while it is in a pipeline, and the
/// executor its callbacks run on. Callbacks hold it weakly, so an input that outlives the
/// handler (a ChunkedStream whose producer keeps a handle) calls into nothing.
struct ChunkedWriteResumer : std::enable_shared_from_this<ChunkedWriteResumer> {
  std::atomic<EventExecutor*> executor{nullptr};
  ChunkedWriteHandler* handler = nullptr;  // read and written on `executor` only

  void resume() {
    EventExecutor* ex = executor.load(std::memory_order_acquire);
    if (ex == nullptr) {
      return;
    }
    if (ex->inEventLoop()) {
      if (handler != nullptr) {
        handler->doFlush();
      }
      return;
    }
    try {
      ex->execute([self = shared_from_this()] {
        if (self->handler != nullptr) {
          self->handler->doFlush();
        }
      });
    } catch (const ErrorException&) {
      // The loop has shut down: the channel is closed, nothing is left to resume.
    }
  }
};

}  // namespace detail

ChunkedWriteHandler::ChunkedWriteHandler()
    : resumer_(std::make_shared<detail::ChunkedWriteResumer>()) {}

ChunkedWriteHandler::~ChunkedWriteHandler() { resumer_->handler = nullptr; }

void ChunkedWriteHandler::resumeTransfer() { resumer_->resume(); }

void ChunkedWriteHandler::handlerAdded(ChannelHandlerContext& ctx) {
  ctx_ = &ctx;
  resumer_->handler = this;
  resumer_->executor.store(&ctx.executor(), std::memory_order_release);
}

void ChunkedWriteHandler::handlerRemoved(ChannelHandlerContext& ctx) {
  discard(ctx.channel().isActive()
              ? Error(CoreErrc::Cancelled, "ChunkedWriteHandler removed before the write ended")
              : Error(CoreErrc::ClosedChannel));
  resumer_->handler = nullptr;
  ctx_ = nullptr;
}

void ChunkedWriteHandler::write(ChannelHandlerContext& /*ctx*/, Message msg,
                                ChannelPromise promise) {
  ChunkedInput* in = msg.getIf<ChunkedInput>();
  if (in == nullptr) {
    queue_.push_back(PendingWrite{std::move(msg), std::move(promise), nullptr});
    return;
  }
  in->setResumeCallback([weak = std::weak_ptr<detail::ChunkedWriteResumer>(resumer_)] {
    if (auto resumer = weak.lock()) {
      resumer->resume();
    }
  });
  auto transfer = std::make_shared<detail::ChunkedTransfer>();
  transfer->input = std::move(msg);
  // Taken again after the move: a value stored inline in a Message moves with it.
  transfer->in = transfer->input.getIf<ChunkedInput>();
  transfer->promise = std::move(promise);
  queue_.push_back(PendingWrite{Message(), ChannelPromise(), std::move(transfer)});
}

void ChunkedWriteHandler::flush(ChannelHandlerContext& /*ctx*/) { doFlush(); }

void ChunkedWriteHandler::channelInactive(ChannelHandlerContext& ctx) {
  doFlush();  // the channel is inactive: this fails what is queued
  ctx.fireChannelInactive();
}

void ChunkedWriteHandler::channelWritabilityChanged(ChannelHandlerContext& ctx) {
  if (ctx.channel().isWritable()) {
    doFlush();
  }
  ctx.fireChannelWritabilityChanged();
}

void ChunkedWriteHandler::doFlush() {
  if (ctx_ == nullptr) {
    return;
  }
  if (flushing_) {
    // Re-entered from inside a write (a listener, a resume callback, writability turning
    // true as a chunk leaves): the running pass goes round once more instead.
    flushAgain_ = true;
    return;
  }
  flushing_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{flushing_};
  do {
    flushAgain_ = false;
    doFlushOnce();
  } while (flushAgain_ && ctx_ != nullptr);
}

void ChunkedWriteHandler::doFlushOnce() {
  ChannelHandlerContext& ctx = *ctx_;
  Channel& channel = ctx.channel();
  if (!channel.isActive()) {
    discard(Error(CoreErrc::ClosedChannel));
    return;
  }
  while (channel.isWritable() && !queue_.empty()) {
    PendingWrite& front = queue_.front();
    if (front.transfer == nullptr) {
      PendingWrite w = std::move(front);
      queue_.pop_front();
      ctx.write(std::move(w.msg), std::move(w.promise));
    } else {
      std::shared_ptr<detail::ChunkedTransfer> t = front.transfer;
      if (t->done) {
        queue_.pop_front();  // failed by a chunk's write
        continue;
      }
      ChunkResult chunk;
      bool end = false;
      try {
        chunk = t->in->readChunk(ctx.alloc());
        end = !chunk.hasError() && t->in->isEndOfInput();
      } catch (...) {
        chunk = ChunkResult(Error::fromCurrentException());
      }
      if (chunk.hasError()) {
        queue_.pop_front();
        t->fail(chunk.error());
        continue;
      }
      if (chunk.isNone() && !end) {
        break;  // no data yet: the input's resume callback starts the next pass
      }
      if (end) {
        queue_.pop_front();
      }
      Message msg = chunk.hasChunk() ? std::move(chunk.chunk()) : Message(ByteBuf());
      ChannelPromise promise = ctx.newPromise();
      promise.addListener([t, end](const ChannelFuture& f) {
        if (!f.isSuccess()) {
          t->fail(f.cause());
        } else if (end) {
          t->succeed();
        }
      });
      // A write counts against the water marks as soon as it is queued, so the loop stops
      // at the high mark without a flush per chunk; one flush after the loop sends them all
      // (and lets a compressor in front sync-flush once per pass, not once per chunk).
      ctx.write(std::move(msg), std::move(promise));
    }
    if (!channel.isActive()) {
      discard(Error(CoreErrc::ClosedChannel));
      return;
    }
  }
  ctx.flush();
}

void ChunkedWriteHandler::discard(const Error& cause) {
  // Each entry leaves the queue before its promise completes: a listener may write again.
  while (!queue_.empty()) {
    PendingWrite w = std::move(queue_.front());
    queue_.pop_front();
    if (w.transfer == nullptr) {
      w.msg.reset();
      w.promise.tryFailure(cause);
      continue;
    }
    detail::ChunkedTransfer& t = *w.transfer;
    if (t.done) {
      continue;
    }
    bool ended = false;
    try {
      ended = t.in->isEndOfInput();
    } catch (...) {
      ended = false;
    }
    if (ended) {
      t.succeed();
    } else {
      t.fail(cause);
    }
  }
}

}  // namespace sluice
