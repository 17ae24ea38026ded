// A static file server with compression, conditional requests and a small cookie API.
//
//   http-file-server [--host 127.0.0.1] [--port 8080] [--threads N] [--root DIR]
//
// DIR defaults to the www folder beside this source file. It prints "listening on
// HOST:PORT" once bound (port 0 picks a free one) and runs until interrupted.

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

#include "HttpFileServerInitializer.h"

#ifndef HTTP_FILE_SERVER_DEFAULT_ROOT
#define HTTP_FILE_SERVER_DEFAULT_ROOT "www"
#endif

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::size_t threads = 1;
  std::string root = HTTP_FILE_SERVER_DEFAULT_ROOT;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[i + 1];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    } else if (std::strcmp(argv[i], "--root") == 0) {
      root = argv[i + 1];
    }
  }

  std::shared_ptr<sluice::http::HttpStaticFileHandler> files;
  try {
    files = std::make_shared<sluice::http::HttpStaticFileHandler>(
        sluice::http::HttpStaticFileConfig{.root = root});
  } catch (const std::exception& e) {
    fmt::print(stderr, "http-file-server: {}\n", e.what());
    return 1;
  }

  // Signals are waited for on this thread; the loops' threads must not take them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sluice::UvEventLoopGroup group(threads);
  sluice::ServerBootstrap bootstrap;
  bootstrap.group(group).childHandler(std::make_shared<HttpFileServerInitializer>(files));
  sluice::ChannelFuture bound = bootstrap.bind(host, static_cast<std::uint16_t>(port));
  bound.await();
  if (!bound.isSuccess()) {
    fmt::print(stderr, "http-file-server: {}\n", bound.cause().message());
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
