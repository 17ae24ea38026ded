#include <fmt/format.h>
#include <sluice/channel/ChannelHandler.h>
#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/UvError.h>
#include <sluice/transport/UvSocketChannel.h>

#include <stdexcept>

#include "UvLoopImpl.h"

namespace sluice {

// One connect() call: the addresses to try, the settings, the promise.
struct Bootstrap::Attempt {
  UvEventLoop* loop;
  ChannelOptions options;
  std::shared_ptr<ChannelHandler> handler;
  std::vector<std::function<void(Channel&)>> attributes;
  std::vector<SocketAddress> addresses;
  std::size_t next = 0;
  Error lastError;
  Promise<ChannelPtr> promise;
};

Bootstrap& Bootstrap::group(UvEventLoopGroup& group) {
  group_ = &group;
  return *this;
}

UvEventLoopGroup& Bootstrap::eventLoopGroup() const {
  if (group_ == nullptr) {
    throw std::logic_error("Bootstrap without a group");
  }
  return *group_;
}

Bootstrap& Bootstrap::option(ChannelOptions options) {
  options_ = std::move(options);
  return *this;
}

Bootstrap& Bootstrap::handler(std::shared_ptr<ChannelHandler> handler) {
  handler_ = std::move(handler);
  return *this;
}

void Bootstrap::tryNext(const std::shared_ptr<Attempt>& attempt) {
  if (attempt->next == attempt->addresses.size()) {
    attempt->promise.tryFailure(attempt->lastError);
    return;
  }
  const SocketAddress address = attempt->addresses[attempt->next++];
  std::shared_ptr<UvSocketChannel> ch;
  try {
    ch = UvSocketChannel::create(*attempt->loop, attempt->options);
    for (const auto& setAttribute : attempt->attributes) {
      setAttribute(*ch);
    }
    if (attempt->handler != nullptr) {
      ch->pipeline().addLast(attempt->handler);
    }
    ch->activate();  // registered; not active until connected
  } catch (...) {
    if (ch != nullptr) {
      ch->close();
    }
    attempt->promise.tryFailure(Error::fromCurrentException());
    return;
  }
  ch->connect(address).addListener([attempt, ch](const ChannelFuture& f) {
    if (f.isSuccess()) {
      attempt->promise.trySuccess(ch);
      return;
    }
    attempt->lastError = f.cause();
    ch->close();
    tryNext(attempt);
  });
}

Future<ChannelPtr> Bootstrap::connect(const SocketAddress& address) {
  if (group_ == nullptr) {
    throw std::logic_error("Bootstrap::connect before group()");
  }
  auto attempt = std::make_shared<Attempt>();
  attempt->loop = &group_->next();
  attempt->options = options_;
  attempt->handler = handler_;
  attempt->attributes = attributes_;
  attempt->addresses.push_back(address);
  attempt->promise = Promise<ChannelPtr>::make(attempt->loop);
  attempt->loop->execute([attempt] { tryNext(attempt); });
  return attempt->promise.future();
}

namespace {

struct Resolve {
  uv_getaddrinfo_t req{};
  std::function<void(int, addrinfo*)> done;  // holds the attempt until the resolver answers
};

}  // namespace

Future<ChannelPtr> Bootstrap::connect(std::string host, std::uint16_t port) {
  if (auto numeric = SocketAddress::parse(host, port)) {
    return connect(*numeric);
  }
  if (group_ == nullptr) {
    throw std::logic_error("Bootstrap::connect before group()");
  }
  auto attempt = std::make_shared<Attempt>();
  attempt->loop = &group_->next();
  attempt->options = options_;
  attempt->handler = handler_;
  attempt->attributes = attributes_;
  attempt->promise = Promise<ChannelPtr>::make(attempt->loop);
  attempt->loop->execute([attempt, host = std::move(host), port] {
    auto* resolve = new Resolve;
    resolve->req.data = resolve;
    resolve->done = [attempt, host, port](int status, addrinfo* result) {
      if (status != 0) {
        attempt->promise.tryFailure(makeUvError(status, fmt::format("cannot resolve {}", host)));
        return;
      }
      for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
        SocketAddress a = SocketAddress::fromSockaddr(ai->ai_addr, ai->ai_addrlen);
        if (!a.isUnspecified()) {
          attempt->addresses.push_back(*SocketAddress::parse(a.ip(), port));
        }
      }
      attempt->lastError = Error(CoreErrc::NotYetConnected, "no address for " + host);
      tryNext(attempt);
    };
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    const int rc = uv_getaddrinfo(
        detail::UvChannelHooks::uvLoop(*attempt->loop), &resolve->req,
        [](uv_getaddrinfo_t* req, int status, addrinfo* result) {
          std::unique_ptr<Resolve> r(static_cast<Resolve*>(req->data));
          r->done(status, result);
          uv_freeaddrinfo(result);
        },
        host.c_str(), nullptr, &hints);
    if (rc != 0) {
      std::unique_ptr<Resolve> r(resolve);
      r->done(rc, nullptr);
    }
  });
  return attempt->promise.future();
}

}  // namespace sluice
