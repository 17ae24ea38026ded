#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/concurrent/Future.h>
#include <sluice/transport/ChannelOptions.h>
#include <sluice/transport/UvEventLoop.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace sluice {

class ChannelHandler;
class EventLoopGroup;
class UvEventLoopGroup;

namespace detail {
struct UvServerHandles;
}  // namespace detail

/// What a server does with each accepted connection: the loops that serve them and how
/// their pipelines and options are set up (ServerBootstrap's child settings).
struct ChildChannelSpec {
  UvEventLoopGroup* group = nullptr;
  std::shared_ptr<ChannelHandler> handler;
  ChannelOptions options;
  std::vector<std::function<void(Channel&)>> attributes;
};

/// A listening TCP socket on libuv (Netty's NioServerSocketChannel). Each accepted
/// connection becomes a UvSocketChannel on a loop of the child group: when that is the
/// listening loop itself the socket stays where it is; otherwise its descriptor is handed to
/// the other loop's thread, which adopts it. With ChannelOptions::reusePort, ServerBootstrap
/// binds one of these on every child loop and the kernel spreads connections over them;
/// closing the first closes its siblings.
///
/// It keeps the connections it accepted (in a ChannelGroup, which forgets each as it closes),
/// for drain(), and counts them in sluice_connections_accepted_total.
class UvServerSocketChannel final : public Channel {
 private:
  struct Private {};

 public:
  UvServerSocketChannel(Private, UvEventLoop& loop, const ChannelOptions& options,
                        std::shared_ptr<const ChildChannelSpec> child);
  ~UvServerSocketChannel() override;

  /// A server channel on `loop`, registered with it; bind() it next. Thread: `loop`'s.
  static std::shared_ptr<UvServerSocketChannel> create(
      UvEventLoop& loop, const ChannelOptions& options,
      std::shared_ptr<const ChildChannelSpec> child);

  bool isOpen() const noexcept override { return open_; }
  bool isActive() const noexcept override { return open_ && bound_; }
  SocketAddress localAddress() const override;

  /// Fires channelRegistered, then binds through the pipeline. Thread: the loop's.
  ChannelFuture registerAndBind(const SocketAddress& localAddress);

  /// Channels closed along with this one (the reuse-port siblings). Thread: any.
  void addSibling(std::shared_ptr<Channel> sibling);
  bool isServer() const noexcept override { return true; }

  /// Drains the server: stops accepting (closes this channel and its siblings; a connection
  /// accepted just before, still on its way to its loop, is dropped), then drains every
  /// connection they accepted that is still open, as ChannelGroup::drain does, within what is
  /// left of `timeout`. The future completes once every connection has closed; it is not
  /// bound to a loop. Keep the server's ChannelPtr while draining: a closed server channel
  /// lives only as long as someone owns it. Thread: any.
  Future<DrainResult> drain(std::chrono::milliseconds timeout);
  /// drain() on the channel ServerBootstrap::bind() returned. Throws std::invalid_argument if
  /// `server` is not a UvServerSocketChannel.
  static Future<DrainResult> drain(Channel& server, std::chrono::milliseconds timeout);

 protected:
  void doBind(const SocketAddress& localAddress, ChannelPromise promise) override;
  bool doClose() noexcept override;
  void doBeginRead() override {}
  void doWrite(ChannelOutboundBuffer& buffer) override;

 private:
  void onConnection(int status);
  void accept();

  UvEventLoop& loop_;
  ChannelOptions options_;
  std::shared_ptr<const ChildChannelSpec> child_;
  std::unique_ptr<detail::UvServerHandles> h_;
  std::mutex siblingsMutex_;
  std::vector<std::shared_ptr<Channel>> siblings_;
  bool open_ = true;
  bool bound_ = false;
  bool handleInitialized_ = false;
};

}  // namespace sluice
