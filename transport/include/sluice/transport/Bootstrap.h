#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/concurrent/Future.h>
#include <sluice/transport/ChannelOptions.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/util/AttributeKey.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

class ChannelHandler;

/// Sets up and connects client channels (Netty's Bootstrap):
///
/// ```cpp
/// sluice::Bootstrap b;
/// b.group(group).handler(std::make_shared<ClientInitializer>());
/// sluice::ChannelPtr ch = b.connect("localhost", 8080).get();
/// ```
///
/// connect() resolves the host with uv_getaddrinfo and tries each address in turn, each try
/// bounded by the connect timeout (ChannelOptions::connectTimeout, default 30 s). Unlike
/// Netty's it returns a Future<ChannelPtr>: the channel that connected, since each try uses
/// a channel of its own. The group must outlive the channels. Thread: any, one at a time.
class Bootstrap {
 public:
  Bootstrap& group(UvEventLoopGroup& group);
  /// The group set with group(); throws std::logic_error before.
  UvEventLoopGroup& eventLoopGroup() const;
  Bootstrap& option(ChannelOptions options);
  /// The handler each channel starts with: usually a ChannelInitializer (sharable).
  Bootstrap& handler(std::shared_ptr<ChannelHandler> handler);
  template <typename T>
  Bootstrap& attr(const AttributeKey<T>& key, T value) {
    attributes_.push_back([&key, value](Channel& ch) { ch.attr(key).set(value); });
    return *this;
  }

  /// Connects to `host` (a name or a numeric address) and `port`. Fails with the resolver's
  /// error if the name does not resolve, with the last connect error (connection refused,
  /// CoreErrc::Timeout...) if no address accepts.
  Future<ChannelPtr> connect(std::string host, std::uint16_t port);
  /// Connects to one address.
  Future<ChannelPtr> connect(const SocketAddress& address);

 private:
  struct Attempt;
  static void tryNext(const std::shared_ptr<Attempt>& attempt);

  UvEventLoopGroup* group_ = nullptr;
  ChannelOptions options_;
  std::shared_ptr<ChannelHandler> handler_;
  std::vector<std::function<void(Channel&)>> attributes_;
};

}  // namespace sluice
