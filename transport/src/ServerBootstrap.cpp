#include <sluice/channel/ChannelHandler.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvError.h>

#include <stdexcept>

namespace sluice {

ServerBootstrap& ServerBootstrap::group(UvEventLoopGroup& boss, UvEventLoopGroup& worker) {
  boss_ = &boss;
  worker_ = &worker;
  return *this;
}

ServerBootstrap& ServerBootstrap::option(ChannelOptions options) {
  options_ = std::move(options);
  return *this;
}

ServerBootstrap& ServerBootstrap::childOption(ChannelOptions options) {
  childOptions_ = std::move(options);
  return *this;
}

ServerBootstrap& ServerBootstrap::handler(std::shared_ptr<ChannelHandler> handler) {
  handler_ = std::move(handler);
  return *this;
}

ServerBootstrap& ServerBootstrap::childHandler(std::shared_ptr<ChannelHandler> handler) {
  childHandler_ = std::move(handler);
  return *this;
}

ChannelFuture ServerBootstrap::bind(std::string_view host, std::uint16_t port) {
  auto address = SocketAddress::parse(host == "localhost" ? "127.0.0.1" : host, port);
  if (!address) {
    throw std::invalid_argument("ServerBootstrap::bind needs a numeric address or localhost, not " +
                                std::string(host));
  }
  return bind(*address);
}

namespace {

// Creates a server channel on `loop`, sets it up and starts binding it; the result completes
// when it listens. Creation waits for the loop (quickly), so that the channel is known before
// the bind completes, as in Netty.
ChannelFuture bindOn(UvEventLoop& loop, const SocketAddress& address, const ChannelOptions& options,
                     std::shared_ptr<ChannelHandler> handler,
                     std::shared_ptr<const ChildChannelSpec> child,
                     std::shared_ptr<UvServerSocketChannel>* created) {
  auto made = loop.submit([&loop, address, options, handler, child, created] {
    auto server = UvServerSocketChannel::create(loop, options, child);
    if (handler != nullptr) {
      server->pipeline().addLast(handler);
    }
    *created = server;
    return server->registerAndBind(address);
  });
  return made.get();
}

}  // namespace

ChannelFuture ServerBootstrap::bind(const SocketAddress& address) {
  if (boss_ == nullptr || worker_ == nullptr) {
    throw std::logic_error("ServerBootstrap::bind before group()");
  }
  auto child = std::make_shared<ChildChannelSpec>();
  child->group = worker_;
  child->handler = childHandler_;
  child->options = childOptions_;
  child->attributes = childAttributes_;

  if (!options_.reusePort) {
    std::shared_ptr<UvServerSocketChannel> server;
    return bindOn(boss_->next(), address, options_, handler_, child, &server);
  }
  // Every worker loop listens on the port; each keeps the connections it accepts.
  std::shared_ptr<UvServerSocketChannel> first;
  ChannelFuture firstBound;
  SocketAddress bound = address;
  for (std::size_t i = 0; i < worker_->executorCount(); ++i) {
    UvEventLoop& loop = worker_->executor(i);
    auto own = std::make_shared<ChildChannelSpec>(*child);
    own->group = nullptr;  // accepted connections stay on the accepting loop
    std::shared_ptr<UvServerSocketChannel> server;
    ChannelFuture f = bindOn(loop, bound, options_, handler_, own, &server);
    if (i == 0) {
      first = server;
      firstBound = f;
      // Port 0: the others must take the port the first one got.
      if (!f.await(std::chrono::seconds(10)) || !f.isSuccess()) {
        return f;
      }
      bound = *SocketAddress::parse(address.ip(), server->localAddress().port());
    } else {
      first->addSibling(server);
    }
  }
  return firstBound;
}

}  // namespace sluice
