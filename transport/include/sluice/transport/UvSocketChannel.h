#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/transport/ChannelOptions.h>
#include <sluice/transport/UvEventLoop.h>

#include <memory>

namespace sluice {

namespace detail {
struct UvSocketHandles;
class UvLoopClient;
}  // namespace detail

/// A TCP connection on libuv (Netty's NioSocketChannel): the client side made by Bootstrap,
/// or a connection accepted by UvServerSocketChannel.
///
/// Reads land in buffers from the channel's allocator, sized by its
/// AdaptiveRecvByteBufAllocator, and go up the pipeline as they are; channelReadComplete
/// follows each burst. Flushed writes are corked: every channel flushed during one loop
/// iteration is written at its end, each with one gathering write (uv_try_write first,
/// uv_write for what the socket would not take at once). Each write's promise completes when
/// its last byte has been handed to the kernel.
///
/// EOF from the peer, a reset and close() all end in channelInactive; writes still pending
/// then fail with CoreErrc::ClosedChannel (or the socket error that closed it).
///
/// Lifetime: owned by ChannelPtr; the loop keeps it alive until its socket has closed.
class UvSocketChannel final : public Channel {
 public:
  ~UvSocketChannel() override;

  bool isOpen() const noexcept override;
  bool isActive() const noexcept override;
  SocketAddress localAddress() const override;
  SocketAddress remoteAddress() const override;

  /// Half-closes the connection: sends FIN once pending writes have left; reading goes on.
  /// Thread: any.
  ChannelFuture shutdownOutput();
  bool isOutputShutdown() const noexcept { return outputShutdown_; }

  UvEventLoop& uvEventLoop() const noexcept { return loop_; }

  /// An unconnected client channel on `loop`, registered with it; connect() it next.
  /// Thread: `loop`'s.
  static std::shared_ptr<UvSocketChannel> create(UvEventLoop& loop, const ChannelOptions& options);
  /// A channel for a socket accepted by `parent`, adopting the descriptor `fd`, registered
  /// with `loop`. The caller adds handlers, then calls activate(). Thread: `loop`'s.
  static std::shared_ptr<UvSocketChannel> createAccepted(UvEventLoop& loop,
                                                         const ChannelOptions& options,
                                                         std::shared_ptr<Channel> parent, int fd);
  /// Fires channelRegistered, and channelActive (and starts reading) if already connected:
  /// call it once handlers are added. Thread: the loop's.
  void activate();

 protected:
  void doConnect(const SocketAddress& remoteAddress, const SocketAddress& localAddress,
                 ChannelPromise promise) override;
  bool doClose() noexcept override;
  void doBeginRead() override;
  void doStopRead() override;
  void doWrite(ChannelOutboundBuffer& buffer) override;

 private:
  struct Private {};

 public:
  UvSocketChannel(Private, UvEventLoop& loop, const ChannelOptions& options,
                  std::shared_ptr<Channel> parent);

 private:
  friend struct detail::UvSocketHandles;
  class Client;

  void applySocketOptions() noexcept;
  void rememberPeer() noexcept;
  void startReading();
  void writePending();
  void onRead(long nread);
  void onWriteDone(int status);
  void onConnectDone(int status);
  void onConnectTimeout();
  void onHandleClosed();

  UvEventLoop& loop_;
  ChannelOptions options_;
  std::shared_ptr<Channel> parentRef_;  // keeps parent() valid
  std::unique_ptr<detail::UvSocketHandles> h_;
  std::unique_ptr<Client> client_;
  ByteBuf readBuf_;
  SocketAddress connectingTo_;
  SocketAddress peer_;  // set on the loop once connected, before the connect future completes
  ChannelPromise connectPromise_;
  std::size_t inFlightBytes_ = 0;
  bool open_ = true;
  bool connected_ = false;
  bool reading_ = false;
  bool writeInFlight_ = false;
  bool flushRequested_ = false;
  bool readCompleteRequested_ = false;
  bool outputShutdown_ = false;
  bool timerActive_ = false;
};

}  // namespace sluice
