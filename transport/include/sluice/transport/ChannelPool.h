#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/concurrent/Future.h>
#include <sluice/transport/Bootstrap.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace sluice {

/// Limits of a ChannelPool. The defaults make Netty's SimpleChannelPool (no limit); set
/// maxConnections for its FixedChannelPool.
struct ChannelPoolConfig {
  /// Connections open at once (acquired or connecting); 0: no limit.
  std::size_t maxConnections = 0;
  /// Acquirers that may wait for a connection when maxConnections are in use; more fail at
  /// once.
  std::size_t maxPendingAcquires = SIZE_MAX;
  /// How long an acquirer waits before failing with CoreErrc::Timeout; 0: no limit.
  std::chrono::milliseconds acquireTimeout{0};
};

/// Client connections to one remote address, reused (Netty's SimpleChannelPool and
/// FixedChannelPool). acquire() hands out an idle connection that passes the health check, or
/// connects a new one, or — at maxConnections — queues the caller; release() returns one.
/// Connections that close while idle are dropped from the pool.
///
/// All of the pool's state lives on one event loop of the bootstrap's group, so it needs no
/// locks; its methods may be called from any thread. Thread: any.
class ChannelPool {
 public:
  /// Decides whether an idle connection may be handed out (default: it is active).
  using HealthCheck = std::function<Future<bool>(Channel&)>;
  /// What a new connection must finish before it is handed out, such as a protocol's
  /// handshake (default: nothing). When it fails, the connection is closed and the acquire
  /// fails with its error.
  using ReadyCheck = std::function<Future<void>(Channel&)>;

  ChannelPool(Bootstrap bootstrap, std::string host, std::uint16_t port,
              ChannelPoolConfig config = {}, HealthCheck healthCheck = {},
              ReadyCheck readyCheck = {});
  /// Closes the idle connections and fails waiting acquirers.
  ~ChannelPool();
  ChannelPool(const ChannelPool&) = delete;
  ChannelPool& operator=(const ChannelPool&) = delete;

  /// A healthy connection, when one is to be had.
  Future<ChannelPtr> acquire();
  /// Gives `channel` back; a closed one is dropped (and its slot goes to a waiter).
  Future<void> release(ChannelPtr channel);

  /// Connections handed out and not released. Thread: any (a snapshot).
  std::size_t acquiredCount() const noexcept;
  /// Connections in the pool, ready. Thread: any (a snapshot).
  std::size_t idleCount() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sluice
