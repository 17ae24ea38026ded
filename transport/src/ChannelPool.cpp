#include <sluice/transport/ChannelPool.h>

#include <atomic>

namespace sluice {

// Everything but the counters is touched on `loop` only.
struct ChannelPool::State : std::enable_shared_from_this<ChannelPool::State> {
  struct Waiter {
    Promise<ChannelPtr> promise;
    ScheduledFuture timeout;
  };

  Bootstrap bootstrap;
  std::string host;
  std::uint16_t port = 0;
  ChannelPoolConfig config;
  HealthCheck healthCheck;
  ReadyCheck readyCheck;
  EventLoop* loop = nullptr;
  std::deque<ChannelPtr> idle;
  std::deque<std::shared_ptr<Waiter>> waiters;
  std::size_t open = 0;  // acquired or connecting
  bool closed = false;
  std::atomic<std::size_t> acquiredGauge{0};
  std::atomic<std::size_t> idleGauge{0};

  void updateGauges() { idleGauge.store(idle.size(), std::memory_order_relaxed); }

  void acquire(Promise<ChannelPtr> promise) {
    if (closed) {
      promise.tryFailure(Error(CoreErrc::ClosedChannel, "the pool is closed"));
      return;
    }
    if (!idle.empty()) {
      ChannelPtr ch = std::move(idle.back());  // the most recently used: likeliest alive
      idle.pop_back();
      updateGauges();
      ++open;
      check(std::move(ch), std::move(promise));
      return;
    }
    if (config.maxConnections == 0 || open < config.maxConnections) {
      ++open;
      connect(std::move(promise));
      return;
    }
    if (waiters.size() >= config.maxPendingAcquires) {
      promise.tryFailure(Error(CoreErrc::RejectedExecution, "too many acquirers waiting"));
      return;
    }
    auto waiter = std::make_shared<Waiter>();
    waiter->promise = std::move(promise);
    if (config.acquireTimeout.count() > 0) {
      std::weak_ptr<Waiter> weak = waiter;
      waiter->timeout = loop->schedule(
          [self = shared_from_this(), weak] {
            if (auto w = weak.lock()) {
              std::erase(self->waiters, w);
              w->promise.tryFailure(Error(CoreErrc::Timeout, "timed out waiting for a connection"));
            }
          },
          config.acquireTimeout);
    }
    waiters.push_back(std::move(waiter));
  }

  // Runs the health check on an idle connection; an unhealthy one is closed and replaced.
  void check(ChannelPtr ch, Promise<ChannelPtr> promise) {
    Future<bool> healthy = healthCheck ? healthCheck(*ch) : makeSucceededFuture(ch->isActive());
    healthy.addListener([self = shared_from_this(), ch, promise](const Future<bool>& f) {
      if (f.isSuccess() && f.getNow() && ch->isActive()) {
        self->handOut(ch, promise);
        return;
      }
      ch->close();
      self->connect(promise);  // the slot stays counted
    });
  }

  void connect(Promise<ChannelPtr> promise) {
    bootstrap.connect(host, port)
        .addListener([self = shared_from_this(), promise](const Future<ChannelPtr>& f) {
          self->loop->execute([self, promise, f] {
            if (!f.isSuccess()) {
              self->connectFailed(promise, f.cause());
            } else if (self->readyCheck) {
              self->awaitReady(f.getNow(), promise);
            } else {
              self->handOut(f.getNow(), promise);
            }
          });
        });
  }

  void awaitReady(const ChannelPtr& ch, const Promise<ChannelPtr>& promise) {
    Future<void> ready;
    try {
      ready = readyCheck(*ch);
    } catch (...) {
      ready = makeFailedFuture<void>(Error::fromCurrentException());
    }
    ready.addListener([self = shared_from_this(), ch, promise](const Future<void>& r) {
      self->loop->execute([self, ch, promise, r] {
        if (r.isSuccess() && ch->isActive()) {
          self->handOut(ch, promise);
          return;
        }
        ch->close();
        self->connectFailed(promise, r.isSuccess() ? Error(CoreErrc::ClosedChannel) : r.cause());
      });
    });
  }

  void connectFailed(const Promise<ChannelPtr>& promise, const Error& cause) {
    --open;
    promise.tryFailure(cause);
    serveWaiter();
  }

  void handOut(const ChannelPtr& ch, const Promise<ChannelPtr>& promise) {
    // Counted before the acquirer can see it.
    acquiredGauge.fetch_add(1, std::memory_order_relaxed);
    if (!promise.trySuccess(ch)) {
      acquiredGauge.fetch_sub(1, std::memory_order_relaxed);
      // The acquirer gave up (timed out): keep the connection for the next one.
      --open;
      release(ch);
    }
  }

  void release(ChannelPtr ch) {
    if (closed || !ch->isActive()) {
      ch->close();
      serveWaiter();
      return;
    }
    if (!waiters.empty()) {
      auto w = std::move(waiters.front());
      waiters.pop_front();
      if (w->timeout.isValid()) {
        w->timeout.cancel();
      }
      ++open;
      check(std::move(ch), w->promise);
      return;
    }
    // An idle connection that closes leaves the pool.
    ch->closeFuture().addListener(
        [self = shared_from_this(), weak = std::weak_ptr<Channel>(ch)](const ChannelFuture&) {
          self->loop->execute([self, weak] {
            if (auto c = weak.lock()) {
              std::erase(self->idle, c);
              self->updateGauges();
            }
          });
        });
    idle.push_back(std::move(ch));
    updateGauges();
  }

  // A slot came free: the first waiter gets a new connection.
  void serveWaiter() {
    if (waiters.empty() || closed) {
      return;
    }
    auto w = std::move(waiters.front());
    waiters.pop_front();
    if (w->timeout.isValid()) {
      w->timeout.cancel();
    }
    ++open;
    connect(w->promise);
  }

  void close() {
    closed = true;
    for (auto& ch : idle) {
      ch->close();
    }
    idle.clear();
    updateGauges();
    for (auto& w : waiters) {
      if (w->timeout.isValid()) {
        w->timeout.cancel();
      }
      w->promise.tryFailure(Error(CoreErrc::ClosedChannel, "the pool is closed"));
    }
    waiters.clear();
  }
};

ChannelPool::ChannelPool(Bootstrap bootstrap, std::string host, std::uint16_t port,
                         ChannelPoolConfig config, HealthCheck healthCheck, ReadyCheck readyCheck)
    : state_(std::make_shared<State>()) {
  state_->bootstrap = std::move(bootstrap);
  state_->host = std::move(host);
  state_->port = port;
  state_->config = config;
  state_->healthCheck = std::move(healthCheck);
  state_->readyCheck = std::move(readyCheck);
  state_->loop = &state_->bootstrap.eventLoopGroup().next();
}

ChannelPool::~ChannelPool() {
  try {
    state_->loop->execute([s = state_] { s->close(); });
  } catch (const ErrorException&) {
    // The loop has gone; so have its channels.
  }
}

Future<ChannelPtr> ChannelPool::acquire() {
  auto promise = Promise<ChannelPtr>::make(state_->loop);
  state_->loop->execute([s = state_, promise] { s->acquire(promise); });
  return promise.future();
}

Future<void> ChannelPool::release(ChannelPtr channel) {
  auto promise = Promise<void>::make(state_->loop);
  state_->loop->execute([s = state_, ch = std::move(channel), promise]() mutable {
    if (s->open > 0) {
      --s->open;
    }
    s->acquiredGauge.fetch_sub(1, std::memory_order_relaxed);
    s->release(std::move(ch));
    promise.trySuccess();
  });
  return promise.future();
}

std::size_t ChannelPool::acquiredCount() const noexcept {
  return state_->acquiredGauge.load(std::memory_order_relaxed);
}

std::size_t ChannelPool::idleCount() const noexcept {
  return state_->idleGauge.load(std::memory_order_relaxed);
}

}  // namespace sluice
