#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/util/Log.h>
#include <sluice/websocket/WebSocketClient.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketPingHealthCheck.h>
#include <sluice/websocket/WebSocketUri.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

namespace sluice::websocket {

namespace {

// Completes when a channel is ready for frames: its TLS handshake (wss) and its WebSocket
// handshake done, or fails with the first of them that failed (a refused certificate is
// reported as such, not as the connection closing). Set in initChannel, on the channel's
// loop, before the connect future completes; read only after that.
const AttributeKey<Future<void>> kReady{"sluice.websocket.client.ready"};

// The pipeline of every channel the client opens. The watcher goes first so that it hears
// channelInactive whatever the handlers after it do, while the protocol handler still
// knows how the connection ended.
class ClientInitializer : public ChannelInitializer {
 public:
  using Watch = std::function<void(Channel&, const WebSocketClientProtocolHandler&)>;

  ClientInitializer(std::shared_ptr<const WebSocketClientConfig> config, const WebSocketUri& uri,
                    std::shared_ptr<const SslContext> ssl, Watch onInactive)
      : config_(std::move(config)),
        uri_(uri),
        ssl_(std::move(ssl)),
        protocol_(config_->protocol),
        onInactive_(std::move(onInactive)) {
    protocol_.webSocketUri = uri_.toString();
  }

 protected:
  void initChannel(Channel& ch) override {
    ChannelPipeline& p = ch.pipeline();
    if (onInactive_) {
      p.addLast<Watcher>(onInactive_);
    }
    SslHandler* tls = nullptr;
    if (ssl_) {
      // Verifies the certificate against the URL's host, which it also sends as SNI.
      std::unique_ptr<SslHandler> handler = ssl_->newHandler(uri_.host(), uri_.port());
      tls = handler.get();
      p.addLast(std::move(handler));
    }
    p.addLast<http::HttpClientCodec>();
    p.addLast<http::HttpObjectAggregator>(config_->maxHandshakeResponseLength);
    auto& protocol = p.addLast<WebSocketClientProtocolHandler>(protocol_);
    if (config_->initChannel) {
      config_->initChannel(p);
    }

    auto ready = Promise<void>::make(&ch.eventLoop());
    p.addLast<HandshakeErrorSink>(ready.future());
    if (tls != nullptr) {
      tls->handshakeFuture().addListener([ready](const Future<void>& f) {
        if (!f.isSuccess()) {
          ready.tryFailure(f.cause());
        }
      });
    }
    protocol.handshakeFuture().addListener([ready](const ChannelFuture& f) {
      if (f.isSuccess()) {
        ready.trySuccess();
      } else {
        ready.tryFailure(f.cause());
      }
    });
    ch.attr(kReady).set(ready.future());
  }

 private:
  // Errors of a connection that never became ready (a refused certificate, a refused
  // upgrade) reach the application through connect()'s future and the ConnectFailed event;
  // this keeps them from also being logged as unhandled by the pipeline's tail. Errors of a
  // ready connection pass.
  class HandshakeErrorSink : public ChannelInboundHandler {
   public:
    explicit HandshakeErrorSink(Future<void> ready) : ready_(std::move(ready)) {}
    void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override {
      if (ready_.isSuccess()) {
        ctx.fireExceptionCaught(error);
      } else {
        Log::log(LogLevel::Debug, "websocket", "{} before the handshake completed: {}",
                 ctx.channel().toString(), error.toString());
      }
    }

   private:
    Future<void> ready_;
  };

  class Watcher : public ChannelInboundHandler {
   public:
    explicit Watcher(Watch onInactive) : onInactive_(std::move(onInactive)) {}
    void channelInactive(ChannelHandlerContext& ctx) override {
      if (auto* handler = ctx.pipeline().get<WebSocketClientProtocolHandler>()) {
        onInactive_(ctx.channel(), *handler);
      }
      ctx.fireChannelInactive();
    }

   private:
    Watch onInactive_;
  };

  std::shared_ptr<const WebSocketClientConfig> config_;
  WebSocketUri uri_;
  std::shared_ptr<const SslContext> ssl_;
  WebSocketClientProtocolConfig protocol_;
  Watch onInactive_;
};

// See kReady. Thread: any, once the channel's connect future has completed.
Future<void> readyOf(Channel& ch) {
  if (const Future<void>* ready = ch.attr(kReady).get()) {
    return *ready;
  }
  return makeFailedFuture<void>(
      Error(CoreErrc::IllegalState, "not a channel of a WebSocketClient"));
}

}  // namespace

// The client's connections are owned here until they finish; each holds this weakly, so
// nothing cycles.
struct WebSocketClient::Shared {
  UvEventLoopGroup* group = nullptr;
  std::shared_ptr<const WebSocketClientConfig> config;
  std::mutex mutex;  // guards connections, closed and defaultSsl
  std::vector<std::shared_ptr<Connection>> connections;
  bool closed = false;
  std::shared_ptr<const SslContext> defaultSsl;

  // The context for wss:// URLs: the config's, or one with the defaults (the system's trust
  // store; chain and host name verified), made on first use and shared by every connection so
  // that sessions are resumed. Throws ErrorException if OpenSSL cannot make one.
  std::shared_ptr<const SslContext> sslContext() {
    if (config->sslContext) {
      return config->sslContext;
    }
    std::lock_guard lock(mutex);
    if (!defaultSsl) {
      defaultSsl = SslContextBuilder::forClient().build();
    }
    return defaultSsl;
  }

  void remove(const Connection* connection) {
    std::lock_guard lock(mutex);
    std::erase_if(connections, [connection](const auto& c) { return c.get() == connection; });
  }
};

// One logical connection: the attempts to make it and, with reconnect, to remake it. All its
// state is touched on `loop` only. Callbacks in flight hold it strongly, timers and the
// channel's watcher weakly: the client's Shared owns it.
struct WebSocketClient::Connection : std::enable_shared_from_this<Connection> {
  std::weak_ptr<Shared> owner;
  std::shared_ptr<const WebSocketClientConfig> config;
  WebSocketUri uri;
  EventLoop* loop = nullptr;
  Bootstrap bootstrap;
  Promise<ChannelPtr> firstReady;  // connect()'s future
  Promise<void> closed;            // completes with the Closed event
  std::size_t attempt = 0;
  ChannelPtr channel;  // the connected channel, if any
  ScheduledFuture retryTimer;
  bool stopping = false;
  bool finished = false;
  std::minstd_rand random{std::random_device{}()};

  Connection(std::shared_ptr<const WebSocketClientConfig> cfg, WebSocketUri u, EventLoop& l)
      : config(std::move(cfg)),
        uri(std::move(u)),
        loop(&l),
        firstReady(Promise<ChannelPtr>::make(&l)),
        closed(Promise<void>::make(&l)) {}

  void init(UvEventLoopGroup& group, std::shared_ptr<const SslContext> ssl) {
    std::weak_ptr<Connection> weak = weak_from_this();
    bootstrap.group(group)
        .option(config->channelOptions)
        .handler(std::make_shared<ClientInitializer>(
            config, uri, std::move(ssl),
            [weak](Channel& ch, const WebSocketClientProtocolHandler& handler) {
              auto self = weak.lock();
              if (!self) {
                return;
              }
              WebSocketClientEvent event{.type = WebSocketClientEvent::Type::Disconnected};
              if (const auto& status = handler.receivedCloseStatus()) {
                event.closeCode = status->code();
                event.closeReason = std::string(status->reasonText());  // outlives the handler
              }
              bool byApplication = handler.closedByApplication();
              ChannelPtr gone = ch.shared_from_this();
              self->runOnLoop([self, gone, event, byApplication]() mutable {
                self->onInactive(gone, std::move(event), byApplication);
              });
            }));
  }

  template <typename F>
  void runOnLoop(F&& task) {
    try {
      loop->execute(std::forward<F>(task));
    } catch (const ErrorException&) {
      // The loop is shutting down: so is everything this connection would do.
    }
  }

  void emit(WebSocketClientEvent event) const {
    if (!config->onEvent) {
      return;
    }
    try {
      config->onEvent(event);
    } catch (const std::exception& e) {
      Log::log(LogLevel::Warn, "websocket", "WebSocketClient: onEvent threw: {}", e.what());
    }
  }

  void start() {
    attempt = 1;
    tryConnect();
  }

  void tryConnect() {
    if (stopping) {
      finish(Error(CoreErrc::Cancelled, "the WebSocket client was closed"));
      return;
    }
    emit({.type = WebSocketClientEvent::Type::Connecting, .attempt = attempt});
    bootstrap.connect(uri.host(), uri.port())
        .addListener([self = shared_from_this()](const Future<ChannelPtr>& f) {
          self->runOnLoop([self, f] { self->onConnected(f); });
        });
  }

  void onConnected(const Future<ChannelPtr>& f) {
    if (!f.isSuccess()) {
      attemptFailed(f.cause());
      return;
    }
    ChannelPtr ch = f.getNow();
    if (stopping) {
      ch->close();
      finish(Error(CoreErrc::Cancelled, "the WebSocket client was closed"));
      return;
    }
    readyOf(*ch).addListener([self = shared_from_this(), ch](const Future<void>& h) {
      self->runOnLoop([self, ch, h] { self->onHandshake(ch, h); });
    });
  }

  void onHandshake(const ChannelPtr& ch, const Future<void>& handshake) {
    if (!handshake.isSuccess()) {
      ch->close();
      attemptFailed(handshake.cause());
      return;
    }
    if (!ch->isActive()) {
      // Closed between the handshake and this task: onInactive will have seen no channel.
      attemptFailed(Error(CoreErrc::ClosedChannel, "the connection closed after its handshake"));
      return;
    }
    channel = ch;
    emit({.type = WebSocketClientEvent::Type::Connected, .attempt = attempt, .channel = ch});
    attempt = 1;  // a connection that came up resets the backoff
    firstReady.trySuccess(ch);
    if (stopping) {
      ch->close();
    }
  }

  void onInactive(const ChannelPtr& ch, WebSocketClientEvent event, bool byApplication) {
    if (ch != channel) {
      return;  // an attempt that never completed its handshake: onHandshake reports it
    }
    channel.reset();
    event.attempt = attempt;
    event.channel = ch;
    emit(event);
    if (byApplication || stopping) {
      finish({});
      return;
    }
    scheduleRetry(Error(CoreErrc::ClosedChannel, "the connection was closed"));
  }

  void attemptFailed(const Error& error) {
    Log::log(LogLevel::Debug, "websocket", "WebSocketClient: {} attempt {} failed: {}",
             uri.toString(), attempt, error.toString());
    emit({.type = WebSocketClientEvent::Type::ConnectFailed, .attempt = attempt, .error = error});
    scheduleRetry(error);
  }

  void scheduleRetry(const Error& cause) {
    const WebSocketReconnectConfig& r = config->reconnect;
    if (stopping || !r.enabled || (r.maxAttempts != 0 && attempt >= r.maxAttempts)) {
      finish(cause);
      return;
    }
    auto delay = backoff(attempt);
    ++attempt;
    emit({.type = WebSocketClientEvent::Type::ReconnectScheduled,
          .attempt = attempt,
          .delay = delay});
    retryTimer = loop->schedule(
        [weak = weak_from_this()] {
          if (auto self = weak.lock()) {
            self->tryConnect();
          }
        },
        delay);
  }

  // min(maxDelay, initialDelay * multiplier^(n-1)), less a random share of up to `jitter`.
  std::chrono::milliseconds backoff(std::size_t failedAttempts) {
    const WebSocketReconnectConfig& r = config->reconnect;
    double base = static_cast<double>(r.initialDelay.count()) *
                  std::pow(std::max(r.multiplier, 1.0), static_cast<double>(failedAttempts - 1));
    base = std::min(base, static_cast<double>(r.maxDelay.count()));
    double jitter = std::clamp(r.jitter, 0.0, 1.0);
    double share = std::uniform_real_distribution<double>(0.0, jitter)(random);
    return std::chrono::milliseconds(static_cast<std::int64_t>(base * (1.0 - share)));
  }

  // Ends this connection for good: the Closed event, and connect()'s future if still open.
  void finish(const Error& cause) {
    if (finished) {
      return;
    }
    finished = true;
    if (retryTimer.isValid()) {
      retryTimer.cancel();
    }
    emit({.type = WebSocketClientEvent::Type::Closed, .attempt = attempt, .error = cause});
    firstReady.tryFailure(cause ? cause : Error(CoreErrc::ClosedChannel, "the client was closed"));
    closed.trySuccess();
    if (auto shared = owner.lock()) {
      shared->remove(this);  // may destroy this: nothing after it
    }
  }

  // close(): stop retrying; a connected channel runs its closing handshake first.
  void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    if (channel) {
      channel->close();  // onInactive finishes
    } else if (retryTimer.isValid() && retryTimer.cancel()) {
      finish(Error(CoreErrc::Cancelled, "the WebSocket client was closed"));
    }
    // Otherwise an attempt is in flight; it sees `stopping` when it completes.
  }
};

WebSocketClient::WebSocketClient(UvEventLoopGroup& group, WebSocketClientConfig config)
    : shared_(std::make_shared<Shared>()) {
  shared_->group = &group;
  shared_->config = std::make_shared<const WebSocketClientConfig>(std::move(config));
}

WebSocketClient::~WebSocketClient() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(shared_->mutex);
    live = shared_->connections;
  }
  close();
  // The connections go with the client; a connect() still waiting learns it now.
  for (auto& c : live) {
    c->firstReady.tryFailure(Error(CoreErrc::Cancelled, "the WebSocket client was destroyed"));
  }
}

const WebSocketClientConfig& WebSocketClient::config() const noexcept { return *shared_->config; }

Future<ChannelPtr> WebSocketClient::connect(std::string_view url) {
  auto uri = WebSocketUri::parse(url);
  if (!uri) {
    return makeFailedFuture<ChannelPtr>(Error(std::make_error_code(std::errc::invalid_argument),
                                              fmt::format("not a ws:// or wss:// URL: '{}'", url)));
  }
  std::shared_ptr<const SslContext> ssl;
  if (uri->isSecure()) {
    try {
      ssl = shared_->sslContext();
    } catch (const ErrorException& e) {
      return makeFailedFuture<ChannelPtr>(e.error());
    }
  }
  EventLoop& loop = shared_->group->next();
  auto connection = std::make_shared<Connection>(shared_->config, std::move(*uri), loop);
  connection->owner = shared_;
  connection->init(*shared_->group, std::move(ssl));
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->closed) {
      return makeFailedFuture<ChannelPtr>(
          Error(CoreErrc::ClosedChannel, "the WebSocket client was closed"));
    }
    shared_->connections.push_back(connection);
  }
  Future<ChannelPtr> ready = connection->firstReady.future();
  connection->runOnLoop([connection] { connection->start(); });
  return ready;
}

Future<void> WebSocketClient::close() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->closed = true;
    live = shared_->connections;  // each leaves the list when it finishes
  }
  if (live.empty()) {
    return makeSucceededFuture();
  }
  auto all = Promise<void>::make(&shared_->group->next());
  auto remaining = std::make_shared<std::atomic<std::size_t>>(live.size());
  for (auto& c : live) {
    c->closed.future().addListener([all, remaining](const Future<void>&) {
      if (remaining->fetch_sub(1) == 1) {
        all.trySuccess();
      }
    });
    c->runOnLoop([c] { c->stop(); });
  }
  return all.future();
}

std::unique_ptr<ChannelPool> WebSocketClient::newChannelPool(
    std::string_view url, ChannelPoolConfig poolConfig, std::chrono::milliseconds pingTimeout) {
  auto uri = WebSocketUri::parse(url);
  if (!uri) {
    throw std::invalid_argument(fmt::format("not a ws:// or wss:// URL: '{}'", url));
  }
  Bootstrap bootstrap;
  bootstrap.group(*shared_->group)
      .option(shared_->config->channelOptions)
      .handler(std::make_shared<ClientInitializer>(
          shared_->config, *uri, uri->isSecure() ? shared_->sslContext() : nullptr,
          ClientInitializer::Watch{}));
  return std::make_unique<ChannelPool>(std::move(bootstrap), uri->host(), uri->port(), poolConfig,
                                       webSocketPingHealthCheck(pingTimeout),
                                       [](Channel& ch) { return readyOf(ch); });
}

}  // namespace sluice::websocket
