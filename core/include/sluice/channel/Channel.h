#pragma once

#include <sluice/channel/ChannelConfig.h>
#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/ChannelId.h>
#include <sluice/channel/ChannelOutboundBuffer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/CloseReason.h>
#include <sluice/channel/Message.h>
#include <sluice/channel/SocketAddress.h>
#include <sluice/util/AttributeMap.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace sluice {

class ByteBufAllocator;
class EventLoop;

/// A connection, a listening socket, or a test double: something with a pipeline that reads
/// and writes (Netty's Channel and AbstractChannel).
///
/// A channel is registered with one event loop for its whole life, and every callback of its
/// pipeline runs on that loop's thread. Its outbound methods (write, flush, close...) may be
/// called from any thread: they enter the pipeline at the tail and are queued to the loop
/// when called elsewhere.
///
/// Lifetime: code that keeps a channel beyond a callback holds a ChannelPtr
/// (std::shared_ptr<Channel>); channels made by transports are always owned that way.
/// closeFuture() completes when the channel has closed.
///
/// Transports derive from Channel and implement the protected do*() operations (Netty's
/// Channel.Unsafe), which run on the loop.
class Channel : public std::enable_shared_from_this<Channel> {
 public:
  virtual ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  ChannelId id() const noexcept { return id_; }
  EventLoop& eventLoop() const noexcept { return eventLoop_; }
  /// The server channel that accepted this one, or null. Valid while this channel is open.
  Channel* parent() const noexcept { return parent_; }
  ChannelPipeline& pipeline() noexcept { return pipeline_; }
  ChannelConfig& config() noexcept { return config_; }
  ByteBufAllocator& alloc() const noexcept { return config_.allocator(); }

  /// Open until closed; a channel that is open may not be active yet (not connected).
  virtual bool isOpen() const noexcept = 0;
  /// Connected (or bound, for a server channel) and open.
  virtual bool isActive() const noexcept = 0;
  bool isRegistered() const noexcept { return registered_; }
  /// False while more than the high water mark of bytes wait to be written.
  bool isWritable() const noexcept { return outbound_.isWritable(); }
  std::size_t bytesBeforeUnwritable() const noexcept { return outbound_.bytesBeforeUnwritable(); }
  std::size_t bytesBeforeWritable() const noexcept { return outbound_.bytesBeforeWritable(); }
  virtual SocketAddress localAddress() const { return {}; }
  virtual SocketAddress remoteAddress() const { return {}; }
  /// The client as the application should see it: remoteAddress(), unless a PROXY protocol
  /// header (HAProxyMessageDecoder) or a trusted forwarding header named the client behind
  /// the balancer that connected (setClientAddress). The close log line reports it.
  SocketAddress clientAddress() const { return clientAddress_ ? *clientAddress_ : remoteAddress(); }
  /// Names the real client of a relayed connection. Thread: the channel's loop.
  void setClientAddress(const SocketAddress& address) {
    clientAddress_ = std::make_unique<SocketAddress>(address);
  }

  /// Completes (successfully) once the channel has closed.
  ChannelFuture closeFuture() const noexcept { return closePromise_; }

  template <typename T>
  Attribute<T>& attr(const AttributeKey<T>& key) {
    return attributes_.attr(key);
  }
  template <typename T>
  bool hasAttr(const AttributeKey<T>& key) const {
    return attributes_.hasAttr(key);
  }
  AttributeMap& attributes() noexcept { return attributes_; }

  /// Why this channel closed, or is about to (see CloseReason). Whoever decides to close
  /// records the reason here before calling close(); ChannelClosedEvent carries it. Thread:
  /// the channel's loop.
  CloseReason& closeReason() noexcept { return closeReason_; }
  const CloseReason& closeReason() const noexcept { return closeReason_; }
  /// Bytes read from and written to the transport so far. Thread: the channel's loop.
  std::uint64_t bytesRead() const noexcept { return bytesRead_; }
  std::uint64_t bytesWritten() const noexcept { return bytesWritten_; }
  /// True for a listening channel (it accepts connections rather than being one): it fires
  /// no ChannelClosedEvent and is not counted as a connection.
  virtual bool isServer() const noexcept { return false; }

  // ---- Outbound operations, through the whole pipeline. Thread: any. ---------------------

  ChannelFuture bind(const SocketAddress& localAddress) { return pipeline_.bind(localAddress); }
  ChannelFuture connect(const SocketAddress& remoteAddress,
                        const SocketAddress& localAddress = {}) {
    return pipeline_.connect(remoteAddress, localAddress);
  }
  ChannelFuture disconnect() { return pipeline_.disconnect(); }
  ChannelFuture close() { return pipeline_.close(); }
  ChannelFuture deregister() { return pipeline_.deregister(); }
  Channel& read() {
    pipeline_.read();
    return *this;
  }
  ChannelFuture write(Message msg) { return pipeline_.write(std::move(msg)); }
  ChannelFuture write(Message msg, ChannelPromise promise) {
    return pipeline_.write(std::move(msg), std::move(promise));
  }
  Channel& flush() {
    pipeline_.flush();
    return *this;
  }
  ChannelFuture writeAndFlush(Message msg) { return pipeline_.writeAndFlush(std::move(msg)); }
  ChannelFuture writeAndFlush(Message msg, ChannelPromise promise) {
    return pipeline_.writeAndFlush(std::move(msg), std::move(promise));
  }

  ChannelPromise newPromise();
  ChannelPromise voidPromise() noexcept { return ChannelPromise::makeVoid(*this); }
  ChannelFuture newSucceededFuture();
  ChannelFuture newFailedFuture(Error error);

  /// This channel as a ChannelPtr. Throws std::bad_weak_ptr if it is not owned by one (an
  /// EmbeddedChannel on the stack).
  std::shared_ptr<Channel> shared() { return shared_from_this(); }

  /// What a task queued on this channel's own loop holds to keep it alive until it runs: a
  /// ChannelPtr, or null for a channel that owns its loop (an EmbeddedChannel's tasks never
  /// outlive it, and holding itself would keep it alive for ever if they never ran). Tasks
  /// for other executors hold a ChannelPtr.
  std::shared_ptr<Channel> taskKeepAlive() {
    return ownsEventLoop() ? nullptr : weak_from_this().lock();
  }

  /// "[id: 1f3a9c02, L:127.0.0.1:8080 - R:127.0.0.1:53412]", for logs.
  std::string toString() const;

 protected:
  explicit Channel(EventLoop& eventLoop, Channel* parent = nullptr);

  // ---- For transports, on the loop --------------------------------------------------------

  /// The channel is registered with its loop: runs handlerAdded of handlers added before,
  /// then fires channelRegistered.
  void onRegistered();
  /// The channel became active: fires channelActive, then starts reading if autoRead is on.
  void onActive();
  /// Fails pending writes, fires channelInactive and channelUnregistered, removes every
  /// handler and completes closeFuture: what close() does once the transport has closed.
  /// `cause` (if any) fails the pending writes; ClosedChannel otherwise. A channel that was
  /// active (and is not a server) first reports the close: it records Application unless a
  /// reason is recorded (Error with `cause`, if there is one), counts it in
  /// sluice_connections_closed_total, writes the close log line and fires
  /// ChannelClosedEvent; then closeFuture completes and channelInactive follows.
  void onClosed(const Error& cause = {});
  ChannelOutboundBuffer& outboundBuffer() noexcept { return outbound_; }
  /// The transport read or wrote `n` bytes: counts them for this channel and in
  /// sluice_bytes_read_total / sluice_bytes_written_total. Thread: the loop.
  void addBytesRead(std::size_t n) noexcept;
  void addBytesWritten(std::size_t n) noexcept;

  // ---- Transport operations (Netty's Channel.Unsafe), called on the loop ------------------

  virtual void doBind(const SocketAddress& localAddress, ChannelPromise promise);
  virtual void doConnect(const SocketAddress& remoteAddress, const SocketAddress& localAddress,
                         ChannelPromise promise);
  /// Releases the transport's resources so that isOpen() turns false; completion may come
  /// later, through onClosed(). The base calls onClosed() right after doClose() unless the
  /// transport returns false to say it will call it itself.
  virtual bool doClose() noexcept = 0;
  virtual void doBeginRead() = 0;
  /// autoRead was turned off: stop reading until the next read().
  virtual void doStopRead() {}
  /// Writes (some of) the flushed entries of `buffer`, removing those written.
  virtual void doWrite(ChannelOutboundBuffer& buffer) = 0;

  /// True for a channel that owns its event loop (EmbeddedChannel).
  virtual bool ownsEventLoop() const noexcept { return false; }

  /// A message reached the tail: nobody handled it. The default releases it.
  virtual void onUnhandledInboundMessage(Message msg) noexcept;
  /// An error reached the tail. The default logs it once per channel.
  virtual void onUnhandledException(const Error& error) noexcept;

 private:
  friend class ChannelPipeline;
  friend class ChannelConfig;

  // The head handler's entry points into the transport.
  void bindFromHead(const SocketAddress& localAddress, ChannelPromise promise);
  void connectFromHead(const SocketAddress& remoteAddress, const SocketAddress& localAddress,
                       ChannelPromise promise);
  void closeFromHead(ChannelPromise promise);
  void deregisterFromHead(ChannelPromise promise);
  void readFromHead();
  void writeFromHead(Message&& msg, ChannelPromise&& promise);
  void flushFromHead();
  void autoReadChanged(bool autoRead);
  // Records Application unless a reason is recorded, counts the close, writes the log line
  // and fires ChannelClosedEvent.
  void reportClosed(const Error& cause);

  ChannelId id_;
  EventLoop& eventLoop_;
  Channel* parent_;
  ChannelConfig config_;
  AttributeMap attributes_;
  ChannelOutboundBuffer outbound_;
  ChannelPromise closePromise_;
  CloseReason closeReason_;
  std::uint64_t bytesRead_ = 0;
  std::uint64_t bytesWritten_ = 0;
  std::chrono::steady_clock::time_point activeSince_{};
  std::unique_ptr<SocketAddress> clientAddress_;  // rarely set: a pointer keeps channels small
  ChannelPipeline pipeline_;  // last: its handlers may use everything above while removed
  bool registered_ = false;
  bool closing_ = false;
  bool activeFired_ = false;  // channelInactive follows only a channelActive
  bool countedOpen_ = false;  // counted in sluice_connections_open
  bool loggedUnhandledException_ = false;
};

/// A channel kept beyond a callback.
using ChannelPtr = std::shared_ptr<Channel>;

}  // namespace sluice
