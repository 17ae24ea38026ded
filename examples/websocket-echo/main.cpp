// A WebSocket echo server: every text and binary frame sent to ws://HOST:PORT/ws comes back.
//
//   websocket-echo [--host 127.0.0.1] [--port 8080] [--threads N]
//                  [--max-frame-size BYTES] [--max-message-size BYTES]
//                  [--deflate [shared|dedicated|small|tiny]] [--tls] [--cert FILE --key FILE]
//                  [--metrics-port N] [--drain-timeout SECONDS]
//
// It prints "listening on HOST:PORT" once bound (port 0 picks a free one) and runs until
// interrupted. The limits default to the decoder's (64 KiB frames, 1 MiB messages); a bigger
// frame or message is refused with close code 1009. --deflate offers permessage-deflate (RFC
// 7692) with Netty's defaults, or one of the memory tiers of PerMessageDeflateServerConfig.
// With --tls it serves wss:// (and https) with a self-signed certificate for localhost, or
// with --cert and --key (PEM files). --metrics-port N serves the metrics over HTTP on HOST:N
// (GET /metrics, Prometheus's text format), printed as "metrics on HOST:PORT". On SIGINT or
// SIGTERM it drains: it stops accepting, sends every client close 1001 (Going Away) and waits
// for the closing handshakes up to the drain timeout (default 10 s), prints "drained N
// connections: X closed in time, Y forced" and exits 0.

#include <fmt/format.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "ExampleDrain.h"
#include "ExampleTls.h"
#include "MetricsServerInitializer.h"
#include "WebSocketEchoInitializer.h"

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t threads = 1;
  sluice::websocket::WebSocketDecoderConfig decoderConfig;
  ExampleTls tls;
  ExampleDrain drain;
  std::optional<int> metricsPort;
  std::optional<sluice::websocket::PerMessageDeflateServerConfig> deflate;
  for (int i = 1; i < argc; ++i) {
    if (tls.parse(argc, argv, i)) {
      continue;
    }
    bool bad = false;
    if (drain.parse(argc, argv, i, bad)) {
      if (bad) {
        fmt::print(stderr, "websocket-echo: --drain-timeout takes seconds, not {}\n", argv[i]);
        return 2;
      }
      continue;
    }
    if (std::strcmp(argv[i], "--deflate") == 0) {
      using Config = sluice::websocket::PerMessageDeflateServerConfig;
      const std::string tier = i + 1 < argc && argv[i + 1][0] != '-' ? argv[++i] : "";
      if (tier.empty() || tier == "dedicated") {
        deflate = Config::dedicatedTier();
      } else if (tier == "shared") {
        deflate = Config::sharedTier();
      } else if (tier == "small") {
        deflate = Config::dedicatedSmallTier();
      } else if (tier == "tiny") {
        deflate = Config::dedicatedTinyTier();
      } else {
        fmt::print(stderr, "websocket-echo: unknown --deflate tier {}\n", tier);
        return 2;
      }
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "websocket-echo: unknown option or missing value {}\n", argv[i]);
      return 2;
    }
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[++i];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = static_cast<std::size_t>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--max-frame-size") == 0) {
      decoderConfig.maxFramePayloadLength = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--max-message-size") == 0) {
      decoderConfig.maxMessageLength = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--metrics-port") == 0) {
      metricsPort = std::atoi(argv[++i]);
    } else {
      fmt::print(stderr, "websocket-echo: unknown option {}\n", argv[i]);
      return 2;
    }
  }
  bool tlsFailed = false;
  auto sslContext = tls.serverContext("websocket-echo", tlsFailed);
  if (tlsFailed) {
    return 1;
  }

  // Signals are waited for on this thread; the loops' threads must not take them.
  const sigset_t signals = blockShutdownSignals();

  sluice::UvEventLoopGroup group(threads);
  sluice::ServerBootstrap bootstrap;
  std::shared_ptr<sluice::ChannelInitializer> initializer;
  if (deflate) {
    initializer = std::make_shared<WebSocketEchoDeflateInitializer>(decoderConfig, *deflate);
  } else {
    initializer = std::make_shared<WebSocketEchoInitializer>(decoderConfig);
  }
  bootstrap.group(group).childHandler(withTls(sslContext, std::move(initializer)));
  sluice::ChannelFuture bound = bootstrap.bind(host, static_cast<std::uint16_t>(port));
  bound.await();
  if (!bound.isSuccess()) {
    fmt::print(stderr, "websocket-echo: {}\n", bound.cause().message());
    return 1;
  }
  fmt::print("listening on {}\n", bound.channel().localAddress().toString());

  // The metrics on a port of their own (plain HTTP, also with --tls): this one upgrades.
  sluice::ServerBootstrap metricsBootstrap;
  sluice::ChannelFuture metricsBound;
  if (metricsPort) {
    metricsBound = bindMetricsServer(metricsBootstrap, group, host,
                                     static_cast<std::uint16_t>(*metricsPort), "websocket-echo");
    if (!metricsBound.isSuccess()) {
      bound.channel().close().await();
      group.shutdownGracefully().await();
      return 1;
    }
  }
  std::fflush(stdout);

  if (metricsPort) {
    return waitAndDrain(signals, group, {&bound.channel(), &metricsBound.channel()}, drain.timeout);
  }
  return waitAndDrain(signals, group, {&bound.channel()}, drain.timeout);
}
