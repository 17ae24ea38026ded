#pragma once

#include <sluice/channel/ChannelFuture.h>
#include <sluice/channel/SocketAddress.h>
#include <sluice/transport/ChannelOptions.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/transport/UvServerSocketChannel.h>
#include <sluice/util/AttributeKey.h>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace sluice {

class ChannelHandler;

/// Sets up and binds a server (Netty's ServerBootstrap):
///
/// ```cpp
/// sluice::UvEventLoopGroup boss(1), workers;
/// sluice::ServerBootstrap b;
/// b.group(boss, workers).childHandler(std::make_shared<EchoInitializer>());
/// sluice::ChannelFuture bound = b.bind("127.0.0.1", 8080).sync();
/// bound.channel().closeFuture().sync();
/// ```
///
/// The groups must outlive every channel the bootstrap makes. A bootstrap may bind several
/// times. Thread: any, one at a time.
class ServerBootstrap {
 public:
  /// The boss group accepts; the worker group serves the connections.
  ServerBootstrap& group(UvEventLoopGroup& boss, UvEventLoopGroup& worker);
  /// One group for both.
  ServerBootstrap& group(UvEventLoopGroup& group) { return this->group(group, group); }
  /// Options of the listening socket (backlog, reusePort...).
  ServerBootstrap& option(ChannelOptions options);
  /// Options of every accepted connection.
  ServerBootstrap& childOption(ChannelOptions options);
  /// A handler for the listening channel's own pipeline (logging, for instance).
  ServerBootstrap& handler(std::shared_ptr<ChannelHandler> handler);
  /// The handler every accepted connection starts with: usually a ChannelInitializer. It is
  /// shared by all of them, so it must be sharable.
  ServerBootstrap& childHandler(std::shared_ptr<ChannelHandler> handler);
  /// An attribute every accepted connection starts with.
  template <typename T>
  ServerBootstrap& childAttr(const AttributeKey<T>& key, T value) {
    childAttributes_.push_back([&key, value](Channel& ch) { ch.attr(key).set(value); });
    return *this;
  }

  /// Binds to `address` (port 0: any free port; localAddress() tells which). The future
  /// completes when the socket listens, or fails with the bind error. With
  /// option({.reusePort = true}) every worker loop listens itself; the returned channel is
  /// the first, and closing it closes the others.
  ChannelFuture bind(const SocketAddress& address);
  /// Binds to a numeric address or "localhost" (127.0.0.1).
  ChannelFuture bind(std::string_view host, std::uint16_t port);

 private:
  UvEventLoopGroup* boss_ = nullptr;
  UvEventLoopGroup* worker_ = nullptr;
  ChannelOptions options_;
  ChannelOptions childOptions_;
  std::shared_ptr<ChannelHandler> handler_;
  std::shared_ptr<ChannelHandler> childHandler_;
  std::vector<std::function<void(Channel&)>> childAttributes_;
};

}  // namespace sluice
