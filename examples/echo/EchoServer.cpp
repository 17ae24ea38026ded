// A line-based TCP echo server: the transport, a framer and one handler.
//
//   echo-server [--host 127.0.0.1] [--port 8007] [--threads N]
//               [--metrics-port N] [--no-metrics] [--drain-timeout SECONDS]
//
// It prints "listening on HOST:PORT" once bound (port 0 picks a free one) and runs until
// interrupted. --metrics-port N serves the metrics over HTTP on HOST:N (GET /metrics,
// Prometheus's text format; 0 picks a free port), printed as "metrics on HOST:PORT"; without
// it there is no HTTP listener. --no-metrics turns recording off
// (MetricsRegistry::setEnabled(false)). On SIGINT or SIGTERM it drains: it stops accepting,
// closes the connections (a line echo has no goodbye to say), closes what is left after the
// drain timeout (default 10 s), prints "drained N connections: X closed in time, Y forced"
// and exits 0.

#include <fmt/format.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "EchoServerInitializer.h"
#include "ExampleDrain.h"
#include "MetricsServerInitializer.h"

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8007;
  std::size_t threads = 1;
  std::optional<int> metricsPort;
  ExampleDrain drain;
  for (int i = 1; i < argc; ++i) {
    bool bad = false;
    if (drain.parse(argc, argv, i, bad)) {
      if (bad) {
        fmt::print(stderr, "echo-server: --drain-timeout takes seconds, not {}\n", argv[i]);
        return 2;
      }
      continue;
    }
    if (std::strcmp(argv[i], "--no-metrics") == 0) {
      sluice::MetricsRegistry::setEnabled(false);
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "echo-server: unknown option or missing value {}\n", argv[i]);
      return 2;
    }
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[++i];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = static_cast<std::size_t>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--metrics-port") == 0) {
      metricsPort = std::atoi(argv[++i]);
    } else {
      fmt::print(stderr, "echo-server: unknown option {}\n", argv[i]);
      return 2;
    }
  }

  // Signals are waited for on this thread; the loops' threads must not take them.
  const sigset_t signals = blockShutdownSignals();

  // [docs:echo-bootstrap]
  sluice::UvEventLoopGroup group(threads);
  sluice::ServerBootstrap bootstrap;
  bootstrap.group(group).childHandler(std::make_shared<EchoServerInitializer>());
  sluice::ChannelFuture bound = bootstrap.bind(host, static_cast<std::uint16_t>(port));
  // [docs:end]
  bound.await();
  if (!bound.isSuccess()) {
    fmt::print(stderr, "echo-server: {}\n", bound.cause().message());
    return 1;
  }
  fmt::print("listening on {}\n", bound.channel().localAddress().toString());

  // The metrics get a listener of their own, on the same loops: the echo port speaks lines.
  sluice::ServerBootstrap metricsBootstrap;
  sluice::ChannelFuture metricsBound;
  if (metricsPort) {
    metricsBound = bindMetricsServer(metricsBootstrap, group, host,
                                     static_cast<std::uint16_t>(*metricsPort), "echo-server");
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
