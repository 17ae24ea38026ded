#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/Message.h>
#include <sluice/channel/detail/RingBuffer.h>
#include <sys/uio.h>

#include <cstddef>
#include <span>

namespace sluice {

class Channel;

/// The messages a channel has been asked to write and has not yet written (Netty's
/// ChannelOutboundBuffer), with their promises. write() appends an entry; flush() marks every
/// entry so far as flushed; the transport writes flushed entries and removes them as their
/// bytes leave, completing their promises.
///
/// It counts the bytes queued and drives the channel's writability: above the high water mark
/// isWritable() turns false, below the low mark true again, each change firing
/// channelWritabilityChanged. The same counts feed the sluice_write_queue_bytes gauge (every
/// channel's queued bytes). Thread: the channel's loop.
class ChannelOutboundBuffer {
 public:
  explicit ChannelOutboundBuffer(Channel& channel) noexcept : channel_(channel) {}
  ~ChannelOutboundBuffer();
  ChannelOutboundBuffer(const ChannelOutboundBuffer&) = delete;
  ChannelOutboundBuffer& operator=(const ChannelOutboundBuffer&) = delete;

  /// Appends an unflushed entry of `size` bytes (as estimateMessageSize counts them).
  void addMessage(Message&& msg, std::size_t size, ChannelPromise&& promise);
  /// Marks every entry added so far as flushed.
  void addFlush() noexcept { flushed_ = entries_.size(); }

  /// Flushed entries not yet removed.
  std::size_t flushedCount() const noexcept { return flushed_; }
  bool isEmpty() const noexcept { return flushed_ == 0; }
  /// The first flushed message, or null.
  Message* current() noexcept { return flushed_ == 0 ? nullptr : &entries_.front().msg; }
  /// Removes the first flushed entry and completes its promise: success, or `error`.
  /// Returns false when there was none.
  bool remove();
  bool remove(const Error& error);
  /// Accounts for `written` bytes leaving the socket: removes the flushed ByteBuf and
  /// CompositeByteBuf entries they cover and advances the reader index of a partly written
  /// one.
  void removeBytes(std::size_t written);
  /// Fills `out` with the readable bytes of the flushed ByteBuf and CompositeByteBuf entries
  /// at the front (stopping at any other type, or after `maxBytes`); returns how many iovecs
  /// it wrote and adds their bytes to `bytes`.
  std::size_t readableIovecs(std::span<iovec> out, std::size_t maxBytes,
                             std::size_t& bytes) noexcept;

  /// Fails every flushed entry with `error` (a write error).
  void failFlushed(const Error& error);
  /// Fails every entry, flushed or not (the channel closed).
  void close(const Error& error);

  std::size_t totalPendingWriteBytes() const noexcept { return pendingBytes_; }
  bool isWritable() const noexcept { return writable_; }
  /// Bytes that can be queued before isWritable() turns false (0 when it is false).
  std::size_t bytesBeforeUnwritable() const noexcept;
  /// Bytes that must leave before isWritable() turns true (0 when it is true).
  std::size_t bytesBeforeWritable() const noexcept;

 private:
  struct Entry {
    Message msg;
    std::size_t size = 0;
    ChannelPromise promise;

    void assign(Message&& m, std::size_t s, ChannelPromise&& p) noexcept {
      msg = std::move(m);
      size = s;
      promise = std::move(p);
    }
  };

  void incrementPending(std::size_t size);
  void decrementPending(std::size_t size);
  void removeFront(const Error* error);
  void partlyWritten(std::size_t written);

  Channel& channel_;
  detail::RingBuffer<Entry> entries_;
  std::size_t flushed_ = 0;  // entries_[0, flushed_) are flushed
  std::size_t pendingBytes_ = 0;
  bool writable_ = true;
};

}  // namespace sluice
