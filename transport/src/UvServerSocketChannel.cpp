#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/UvError.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/transport/UvServerSocketChannel.h>
#include <sluice/transport/UvSocketChannel.h>
#include <sluice/util/Log.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "UvLoopImpl.h"

namespace sluice {

namespace detail {
struct UvServerHandles {
  uv_tcp_t tcp{};
  // The connections this server accepted that are still open, for drain(). A group forgets
  // a member once it closes.
  ChannelGroup children{"accepted"};
  // Set by drain(): a connection accepted just before the listening socket closed, still on
  // its way to its loop, is dropped rather than served.
  std::atomic<bool> draining{false};
};
}  // namespace detail

namespace {

Counter& acceptedTotal() {
  static Counter& counter = MetricsRegistry::global().counter("sluice_connections_accepted_total",
                                                              "Connections accepted by servers.");
  return counter;
}

}  // namespace

UvServerSocketChannel::UvServerSocketChannel(Private, UvEventLoop& loop,
                                             const ChannelOptions& options,
                                             std::shared_ptr<const ChildChannelSpec> child)
    : Channel(loop),
      loop_(loop),
      options_(options),
      child_(std::move(child)),
      h_(std::make_unique<detail::UvServerHandles>()) {
  options_.applyTo(config());
}

UvServerSocketChannel::~UvServerSocketChannel() = default;

std::shared_ptr<UvServerSocketChannel> UvServerSocketChannel::create(
    UvEventLoop& loop, const ChannelOptions& options,
    std::shared_ptr<const ChildChannelSpec> child) {
  auto ch = std::make_shared<UvServerSocketChannel>(Private{}, loop, options, std::move(child));
  detail::UvChannelHooks::registerChannel(loop, ch);
  return ch;
}

SocketAddress UvServerSocketChannel::localAddress() const {
  sockaddr_storage ss{};
  int len = sizeof(ss);
  if (!bound_ || uv_tcp_getsockname(&h_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return {};
  }
  return SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len));
}

ChannelFuture UvServerSocketChannel::registerAndBind(const SocketAddress& localAddress) {
  onRegistered();
  return bind(localAddress);
}

void UvServerSocketChannel::addSibling(std::shared_ptr<Channel> sibling) {
  std::lock_guard lock(siblingsMutex_);
  siblings_.push_back(std::move(sibling));
}

void UvServerSocketChannel::doBind(const SocketAddress& localAddress, ChannelPromise promise) {
  if (bound_) {
    promise.tryFailure(Error(CoreErrc::UnsupportedOperation, "already bound"));
    return;
  }
  // Created with its socket (uv_tcp_init_ex), so that SO_REUSEPORT can be set before bind:
  // libuv 1.44 has no flag for it (DESIGN.md, toolchain facts).
  int rc = uv_tcp_init_ex(detail::UvChannelHooks::uvLoop(loop_), &h_->tcp,
                          static_cast<unsigned>(localAddress.family()));
  if (rc == 0) {
    handleInitialized_ = true;
    h_->tcp.data = this;
    if (options_.reusePort) {
      uv_os_fd_t fd = -1;
      uv_fileno(reinterpret_cast<uv_handle_t*>(&h_->tcp), &fd);
      const int one = 1;
      if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
        rc = -errno;
      }
    }
  }
  if (rc == 0) {
    rc = uv_tcp_bind(&h_->tcp, localAddress.sockaddrPtr(), 0);
  }
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&h_->tcp), options_.backlog,
                   [](uv_stream_t* s, int status) {
                     static_cast<UvServerSocketChannel*>(s->data)->onConnection(status);
                   });
  }
  if (rc != 0) {
    promise.tryFailure(makeUvError(rc, "bind " + localAddress.toString()));
    close();
    return;
  }
  bound_ = true;
  promise.trySuccess();
  onActive();
}

void UvServerSocketChannel::onConnection(int status) {
  if (status != 0) {
    pipeline().fireExceptionCaught(makeUvError(status, "accept"));
    return;
  }
  accept();
}

void UvServerSocketChannel::accept() {
  uv_loop_t* uvLoop = detail::UvChannelHooks::uvLoop(loop_);
  auto* accepted = new uv_tcp_t;
  uv_tcp_init(uvLoop, accepted);
  int rc =
      uv_accept(reinterpret_cast<uv_stream_t*>(&h_->tcp), reinterpret_cast<uv_stream_t*>(accepted));
  // The socket moves to the child channel as a descriptor: a duplicate survives the close of
  // this temporary handle, and any loop can adopt it.
  int fd = -1;
  if (rc == 0) {
    uv_os_fd_t raw = -1;
    uv_fileno(reinterpret_cast<uv_handle_t*>(accepted), &raw);
    fd = ::dup(raw);
    if (fd < 0) {
      rc = -errno;
    }
  }
  uv_close(reinterpret_cast<uv_handle_t*>(accepted),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  if (rc != 0) {
    pipeline().fireExceptionCaught(makeUvError(rc, "accept"));
    return;
  }
  acceptedTotal().inc();
  std::shared_ptr<const ChildChannelSpec> child = child_;
  auto parent = std::static_pointer_cast<UvServerSocketChannel>(shared_from_this());
  UvEventLoop& target = child->group != nullptr ? child->group->next() : loop_;
  auto start = [&target, child, parent, fd] {
    if (parent->h_->draining.load(std::memory_order_acquire)) {
      ::close(fd);
      return;
    }
    try {
      auto ch = UvSocketChannel::createAccepted(target, child->options, parent, fd);
      parent->h_->children.add(ch);
      for (const auto& setAttribute : child->attributes) {
        setAttribute(*ch);
      }
      if (child->handler != nullptr) {
        ch->pipeline().addLast(child->handler);
      }
      ch->activate();
    } catch (...) {
      Log::log(LogLevel::Warn, "transport", "could not set up an accepted connection: {}",
               Error::fromCurrentException().message());
    }
  };
  if (&target == &loop_) {
    start();
    return;
  }
  try {
    target.execute(std::move(start));
  } catch (const ErrorException&) {
    ::close(fd);  // the child loop is shutting down
  }
}

bool UvServerSocketChannel::doClose() noexcept {
  if (!open_) {
    return false;
  }
  open_ = false;
  std::vector<std::shared_ptr<Channel>> siblings;
  {
    // Copied, not taken: drain() still needs them once the listening sockets are closed.
    std::lock_guard lock(siblingsMutex_);
    siblings = siblings_;
  }
  for (auto& sibling : siblings) {
    sibling->close();
  }
  if (!handleInitialized_) {
    // No socket: closed at once. The loop's reference goes in a later task, not while the
    // close is still running in this channel.
    try {
      loop_.execute([this] { detail::UvChannelHooks::unregisterChannel(loop_, this); });
    } catch (const ErrorException&) {
      // The loop is going away and drops every channel with it.
    }
    return true;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&h_->tcp), [](uv_handle_t* h) {
    auto* self = static_cast<UvServerSocketChannel*>(h->data);
    std::shared_ptr<Channel> keep = detail::UvChannelHooks::unregisterChannel(self->loop_, self);
    self->onClosed();
  });
  return false;
}

Future<DrainResult> UvServerSocketChannel::drain(std::chrono::milliseconds timeout) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::max(timeout, std::chrono::milliseconds(0));
  std::vector<std::shared_ptr<UvServerSocketChannel>> servers{
      std::static_pointer_cast<UvServerSocketChannel>(shared_from_this())};
  {
    std::lock_guard lock(siblingsMutex_);
    for (const auto& sibling : siblings_) {
      if (auto server = std::dynamic_pointer_cast<UvServerSocketChannel>(sibling)) {
        servers.push_back(std::move(server));
      }
    }
  }
  for (const auto& server : servers) {
    server->h_->draining.store(true, std::memory_order_release);
  }
  auto promise = Promise<DrainResult>::make(nullptr);
  // Stop accepting first (closing this channel closes its siblings), then drain what the
  // listening sockets accepted, within what is left of the time.
  close().addListener([servers = std::move(servers), promise, deadline](const ChannelFuture&) {
    ChannelGroup accepted("draining");
    for (const auto& server : servers) {
      for (ChannelPtr& ch : server->h_->children.channels()) {
        accepted.add(std::move(ch));
      }
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(std::max(
        deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero()));
    accepted.drain(left).addListener([promise](const Future<DrainResult>& f) {
      if (f.isSuccess()) {
        promise.trySuccess(f.getNow());
      } else {
        promise.tryFailure(f.cause());
      }
    });
  });
  return promise.future();
}

Future<DrainResult> UvServerSocketChannel::drain(Channel& server,
                                                 std::chrono::milliseconds timeout) {
  auto* uvServer = dynamic_cast<UvServerSocketChannel*>(&server);
  if (uvServer == nullptr) {
    throw std::invalid_argument("UvServerSocketChannel::drain: " + server.toString() +
                                " is not a server channel");
  }
  return uvServer->drain(timeout);
}

void UvServerSocketChannel::doWrite(ChannelOutboundBuffer& buffer) {
  buffer.failFlushed(Error(CoreErrc::UnsupportedOperation, "a server channel does not write"));
}

}  // namespace sluice
