// A chat server: a web page on http://HOST:PORT/ and chat rooms over WebSocket on /ws.
//
//   websocket-chat [--host 127.0.0.1] [--port 8080] [--threads N] [--root DIR]
//                  [--metrics-path /metrics] [--drain-timeout SECONDS]
//                  [--tls] [--cert FILE --key FILE]
//
// DIR (the page, its script and style) defaults to the www folder beside this source file.
// It prints "listening on HOST:PORT" once bound (port 0 picks a free one), then the address
// to open in a browser, and runs until interrupted. With --tls it serves https and wss with a
// self-signed certificate for localhost (the browser will warn), or with --cert and --key.
// GET on the metrics path (default /metrics) answers with the server's metrics in
// Prometheus's text format. On SIGINT or SIGTERM it drains: it stops accepting, sends every
// chat client close 1001 (Going Away), lets HTTP responses in flight finish with
// `Connection: close`, closes what is left after the drain timeout (default 10 s), prints
// "drained N connections: X closed in time, Y forced" and exits 0.

#include <fmt/format.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "ChatRooms.h"
#include "ChatServerInitializer.h"
#include "ExampleDrain.h"
#include "ExampleTls.h"

#ifndef WEBSOCKET_CHAT_DEFAULT_ROOT
#define WEBSOCKET_CHAT_DEFAULT_ROOT "www"
#endif

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t threads = 1;
  std::string root = WEBSOCKET_CHAT_DEFAULT_ROOT;
  std::string metricsPath = "/metrics";
  ExampleTls tls;
  ExampleDrain drain;
  for (int i = 1; i < argc; ++i) {
    if (tls.parse(argc, argv, i)) {
      continue;
    }
    bool bad = false;
    if (drain.parse(argc, argv, i, bad)) {
      if (bad) {
        fmt::print(stderr, "websocket-chat: --drain-timeout takes seconds, not {}\n", argv[i]);
        return 2;
      }
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "websocket-chat: {} needs a value\n", argv[i]);
      return 2;
    }
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[++i];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = static_cast<std::size_t>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--root") == 0) {
      root = argv[++i];
    } else if (std::strcmp(argv[i], "--metrics-path") == 0) {
      metricsPath = argv[++i];
      if (metricsPath.empty() || metricsPath[0] != '/') {
        fmt::print(stderr, "websocket-chat: --metrics-path must start with /\n");
        return 2;
      }
    } else {
      fmt::print(stderr, "websocket-chat: unknown option {}\n", argv[i]);
      return 2;
    }
  }
  bool tlsFailed = false;
  auto sslContext = tls.serverContext("websocket-chat", tlsFailed);
  if (tlsFailed) {
    return 1;
  }

  std::shared_ptr<sluice::http::HttpStaticFileHandler> files;
  try {
    files = std::make_shared<sluice::http::HttpStaticFileHandler>(
        sluice::http::HttpStaticFileConfig{.root = root});
  } catch (const std::exception& e) {
    fmt::print(stderr, "websocket-chat: {}\n", e.what());
    return 1;
  }
  auto rooms = std::make_shared<ChatRooms>();
  auto metrics = std::make_shared<sluice::http::HttpMetricsHandler>(
      sluice::http::HttpMetricsConfig{.path = metricsPath});

  // Signals are waited for on this thread; the loops' threads must not take them.
  const sigset_t signals = blockShutdownSignals();

  sluice::UvEventLoopGroup group(threads);
  sluice::ServerBootstrap bootstrap;
  bootstrap.group(group).childHandler(
      withTls(sslContext, std::make_shared<ChatServerInitializer>(files, rooms, metrics)));
  sluice::ChannelFuture bound = bootstrap.bind(host, static_cast<std::uint16_t>(port));
  bound.await();
  if (!bound.isSuccess()) {
    fmt::print(stderr, "websocket-chat: {}\n", bound.cause().message());
    return 1;
  }
  const std::string address = bound.channel().localAddress().toString();
  fmt::print("listening on {}\n", address);
  fmt::print("open {}://{}/ in two browser tabs (Ctrl-C stops the server)\n",
             sslContext ? "https" : "http", address);
  std::fflush(stdout);

  return waitAndDrain(signals, group, {&bound.channel()}, drain.timeout);
}
