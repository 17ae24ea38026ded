#pragma once

// The shutdown the server examples share: wait for SIGINT or SIGTERM, then drain (stop
// accepting, let each connection finish as its protocol says: WebSocket close 1001, the HTTP
// response in flight with `Connection: close`), print what the drain did, and stop the loops.
// `--drain-timeout SECONDS` bounds the drain; a second signal during it stops at once.

#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/concurrent/Future.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/transport/UvServerSocketChannel.h>
#include <sluice/util/Error.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <vector>

struct ExampleDrain {
  /// How long connections get to close by themselves before the drain closes them.
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};

  /// Takes argv[i] and its value (advancing i) if it is --drain-timeout SECONDS; false
  /// otherwise. `bad` is set for a value that is not a number of seconds >= 0.
  bool parse(int argc, char** argv, int& i, bool& bad) {
    if (std::strcmp(argv[i], "--drain-timeout") != 0 || i + 1 >= argc) {
      return false;
    }
    char* end = nullptr;
    const double seconds = std::strtod(argv[++i], &end);
    bad = end == argv[i] || *end != '\0' || !(seconds >= 0 && seconds < 86400);
    timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    return true;
  }
};

/// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread it starts later
/// (the event loops'): they are taken by waitAndDrain's sigwait alone. Call it first thing.
inline sigset_t blockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

/// Waits for SIGINT or SIGTERM, drains `servers` (channels ServerBootstrap::bind returned) at
/// once within `timeout`, prints "drained N connections: X closed in time, Y forced", and
/// shuts `group` down. Returns the process's exit status: 0 once drained, 1 if the drain
/// failed, 130 if a second signal cut it short.
inline int waitAndDrain(const sigset_t& signals, sluice::UvEventLoopGroup& group,
                        std::initializer_list<sluice::Channel*> servers,
                        std::chrono::milliseconds timeout) {
  int signal = 0;
  sigwait(&signals, &signal);
  std::vector<sluice::Future<sluice::DrainResult>> drains;
  for (sluice::Channel* server : servers) {
    drains.push_back(sluice::UvServerSocketChannel::drain(*server, timeout));
  }
  int status = 0;
  sluice::DrainResult total;
  for (const auto& drain : drains) {
    // Wait in short steps so that a second signal is seen while the drain runs.
    while (!drain.isDone()) {
      timespec tick{.tv_sec = 0, .tv_nsec = 100'000'000};
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        fmt::print(stderr, "second signal: stopping without waiting for the drain\n");
        group.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).await();
        return 130;
      }
    }
    if (!drain.isSuccess()) {
      fmt::print(stderr, "drain: {}\n", drain.cause().message());
      status = 1;
      continue;
    }
    const sluice::DrainResult& result = drain.getNow();
    total.channels += result.channels;
    total.closedInTime += result.closedInTime;
    total.forced += result.forced;
  }
  fmt::print("drained {} connections: {} closed in time, {} forced\n", total.channels,
             total.closedInTime, total.forced);
  std::fflush(stdout);
  // Every connection has closed: nothing is left for the loops' usual 2 s quiet period.
  group.shutdownGracefully(std::chrono::milliseconds(100), std::chrono::seconds(5)).await();
  return status;
}
