#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelOutboundBuffer.h>
#include <sluice/concurrent/EventLoop.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <algorithm>

namespace sluice {

namespace {

// Bytes queued in every channel's outbound buffer: one add per change, on the loop's own
// shard.
Gauge& writeQueueBytes() {
  static Gauge& gauge = MetricsRegistry::global().gauge(
      "sluice_write_queue_bytes", "Bytes queued in outbound buffers, not yet written.");
  return gauge;
}

}  // namespace

ChannelOutboundBuffer::~ChannelOutboundBuffer() {
  // Entries still queued when the channel goes (it never closed) leave the gauge too.
  if (pendingBytes_ != 0) {
    writeQueueBytes().add(-static_cast<std::int64_t>(pendingBytes_));
  }
}

void ChannelOutboundBuffer::addMessage(Message&& msg, std::size_t size, ChannelPromise&& promise) {
  entries_.emplace_back(std::move(msg), size, std::move(promise));
  incrementPending(size);
}

bool ChannelOutboundBuffer::remove() {
  if (flushed_ == 0) {
    return false;
  }
  removeFront(nullptr);
  return true;
}

bool ChannelOutboundBuffer::remove(const Error& error) {
  if (flushed_ == 0) {
    return false;
  }
  removeFront(&error);
  return true;
}

void ChannelOutboundBuffer::removeFront(const Error* error) {
  Entry entry = entries_.pop_front();
  --flushed_;
  entry.msg.reset();  // release the bytes before listeners run
  decrementPending(entry.size);
  if (error == nullptr) {
    entry.promise.trySuccess();
  } else {
    entry.promise.tryFailure(*error);
  }
}

void ChannelOutboundBuffer::removeBytes(std::size_t written) {
  while (written != 0 && flushed_ != 0) {
    Message& msg = entries_.front().msg;
    std::size_t readable = 0;
    if (ByteBuf* buf = msg.getIf<ByteBuf>(); buf != nullptr) {
      readable = buf->readableBytes();
      if (written < readable) {
        buf->skipBytes(written);
        partlyWritten(written);
        return;
      }
    } else if (CompositeByteBuf* composite = msg.getIf<CompositeByteBuf>(); composite != nullptr) {
      readable = composite->readableBytes();
      if (written < readable) {
        composite->skipBytes(written);
        partlyWritten(written);
        return;
      }
    } else {
      return;  // only byte messages are written as bytes
    }
    written -= readable;
    removeFront(nullptr);
  }
  // Flushed empty buffers ahead are done too.
  while (flushed_ != 0) {
    const Message& msg = entries_.front().msg;
    const ByteBuf* buf = msg.getIf<ByteBuf>();
    if (buf == nullptr || buf->isReadable()) {
      break;
    }
    removeFront(nullptr);
  }
}

void ChannelOutboundBuffer::partlyWritten(std::size_t written) {
  // Bytes that left count against the water marks at once, not when the whole entry goes.
  Entry& front = entries_.front();
  const std::size_t n = std::min(written, front.size);
  front.size -= n;
  decrementPending(n);
}

std::size_t ChannelOutboundBuffer::readableIovecs(std::span<iovec> out, std::size_t maxBytes,
                                                  std::size_t& bytes) noexcept {
  std::size_t count = 0;
  bytes = 0;
  for (std::size_t i = 0; i < flushed_ && count < out.size() && bytes < maxBytes; ++i) {
    Message& msg = entries_[i].msg;
    if (ByteBuf* buf = msg.getIf<ByteBuf>(); buf != nullptr) {
      if (buf->isReadable()) {
        auto* base = buf->readableSpan().data();
        const std::size_t len = buf->readableBytes();
        // Slices of one read buffer (lines, frames echoed back) lie end to end: one iovec
        // for the run costs the kernel far less than one per slice.
        if (count != 0 &&
            static_cast<std::uint8_t*>(out[count - 1].iov_base) + out[count - 1].iov_len == base) {
          out[count - 1].iov_len += len;
        } else {
          out[count++] = iovec{base, len};
        }
        bytes += len;
      }
    } else if (CompositeByteBuf* composite = msg.getIf<CompositeByteBuf>(); composite != nullptr) {
      const std::size_t n = composite->readableIovecs(out.subspan(count));
      for (std::size_t j = count; j < count + n; ++j) {
        bytes += out[j].iov_len;
      }
      count += n;
      if (n < composite->nioBufferCount()) {
        break;  // out is full mid-composite
      }
    } else {
      break;  // a message the transport must handle itself
    }
  }
  return count;
}

void ChannelOutboundBuffer::failFlushed(const Error& error) {
  while (flushed_ != 0) {
    removeFront(&error);
  }
}

void ChannelOutboundBuffer::close(const Error& error) {
  flushed_ = entries_.size();
  failFlushed(error);
}

std::size_t ChannelOutboundBuffer::bytesBeforeUnwritable() const noexcept {
  const std::size_t high = channel_.config().writeBufferWaterMark().high;
  return writable_ && pendingBytes_ < high ? high - pendingBytes_ : 0;
}

std::size_t ChannelOutboundBuffer::bytesBeforeWritable() const noexcept {
  const std::size_t low = channel_.config().writeBufferWaterMark().low;
  return !writable_ && pendingBytes_ > low ? pendingBytes_ - low : 0;
}

void ChannelOutboundBuffer::incrementPending(std::size_t size) {
  pendingBytes_ += size;
  writeQueueBytes().add(static_cast<std::int64_t>(size));
  if (writable_ && pendingBytes_ > channel_.config().writeBufferWaterMark().high) {
    writable_ = false;
    // Called from inside a write: tell the handlers once the write has returned, as Netty.
    channel_.eventLoop().execute([keep = channel_.taskKeepAlive(), ch = &channel_] {
      ch->pipeline().fireChannelWritabilityChanged();
    });
  }
}

void ChannelOutboundBuffer::decrementPending(std::size_t size) {
  const std::size_t n = std::min(size, pendingBytes_);
  pendingBytes_ -= n;
  writeQueueBytes().add(-static_cast<std::int64_t>(n));
  if (!writable_ && pendingBytes_ < channel_.config().writeBufferWaterMark().low) {
    writable_ = true;
    channel_.pipeline().fireChannelWritabilityChanged();
  }
}

}  // namespace sluice
