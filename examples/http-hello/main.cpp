// An HTTP/1.1 server that says hello: GET /hello -> "Hello, World!", keep-alive, pipelining.
//
//   http-hello [--host 127.0.0.1] [--port 8080] [--threads N]
//
// It prints "listening on HOST:PORT" once bound (port 0 picks a free one) and runs until
// interrupted.

#include <fmt/format.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "HttpHelloServerInitializer.h"

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[i + 1];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    }
  }

  // Signals are waited for on this thread; the loops' threads must not take them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // [docs:http-hello-bootstrap]
  sluice::UvEventLoopGroup group(threads);
  sluice::ServerBootstrap bootstrap;
  bootstrap.group(group).childHandler(std::make_shared<HttpHelloServerInitializer>());
  sluice::ChannelFuture bound = bootstrap.bind(host, static_cast<std::uint16_t>(port));
  // [docs:end]
  bound.await();
  if (!bound.isSuccess()) {
    fmt::print(stderr, "http-hello: {}\n", bound.cause().message());
    return 1;
  }
  fmt::print("listening on {}\n", bound.channel().localAddress().toString());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  bound.channel().close().await();
  group.shutdownGracefully().await();
  return 0;
}
