// sluice-load: the project's load generator for echo servers.
//
// One thread and one level-triggered epoll set drive N TCP connections. Each connection keeps
// `depth` messages in flight: it sends `depth` messages when it connects and one more each time
// a complete message comes back, so the server always has work queued and the measurement is of
// throughput at a fixed concurrency (a closed loop), not of an open-loop arrival rate.
//
// Every byte that comes back is checked against the byte sent at that position of the stream,
// so a server that drops, reorders or mangles data fails the run instead of inflating it.
//
// The run is bounded: connect (with a timeout), warm up, measure, stop. The figures cover only
// the measured window: message rate, latency percentiles (send to echo, per message, from a
// per-connection FIFO of send times) and, given --server-pid, the server's CPU time per message
// from /proc/PID/stat (utime + stime, all threads), which is the figure that still means
// something when the load generator, not the server, is the bottleneck.

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "Histogram.h"
#include "LoadUtil.h"

namespace sluice::load {
namespace {

constexpr std::size_t kReadBufferSize = std::size_t{64} * 1024;
// The send pattern holds at least this many bytes of whole messages, so one write() can carry
// many queued messages.
constexpr std::size_t kPatternMinBytes = std::size_t{64} * 1024;
constexpr std::size_t kMaxMessageSize = std::size_t{16} * 1024 * 1024;
constexpr int kMaxEvents = 256;

enum class Mode {
  // Lines: each message is size-1 payload bytes and '\n', for line-based echo servers.
  EchoLines,
  // Raw: fixed-size messages with no delimiter, counted by the bytes echoed.
  EchoRaw,
};

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t connections = 100;
  std::size_t depth = 32;
  std::size_t size = 64;
  double durationSeconds = 10;
  double warmupSeconds = 2;
  double connectTimeoutSeconds = 5;
  Mode mode = Mode::EchoLines;
  int serverPid = 0;  // 0: not measured.
  int cpu = -1;       // -1: not pinned.
  bool json = false;
  bool allowNonLoopback = false;
};

using Clock = std::chrono::steady_clock;

std::int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::int64_t secondsToNanos(double seconds) { return static_cast<std::int64_t>(seconds * 1e9); }

void printUsage(std::FILE* out) {
  fmt::print(out,
             "usage: sluice-load --port N [options]\n"
             "  --host ADDR              numeric IPv4 or IPv6 address (default 127.0.0.1)\n"
             "  --port N                 server port (required)\n"
             "  --connections N          connections (default 100)\n"
             "  --depth N                messages in flight per connection (default 32)\n"
             "  --size N                 message size in bytes, delimiter included (default 64)\n"
             "  --duration S             measured seconds (default 10)\n"
             "  --warmup S               seconds run before measuring (default 2)\n"
             "  --connect-timeout S      time allowed to connect every connection (default 5)\n"
             "  --mode echo-lines|echo-raw\n"
             "                           echo-lines: size-1 bytes then '\\n' (default);\n"
             "                           echo-raw: fixed-size messages without a delimiter\n"
             "  --server-pid PID         report the server's CPU time per message\n"
             "  --cpu N                  pin this process to CPU N\n"
             "  --json                   print one JSON object instead of text\n"
             "  --allow-non-loopback     allow a host outside 127.0.0.0/8 and ::1\n");
}

using loadutil::parseNumber;

// Parses the command line; prints the problem and returns nothing when it is wrong.
std::optional<Options> parseOptions(int argc, char** argv) {
  Options o;
  bool havePort = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(stdout);
      std::exit(0);
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg == "--allow-non-loopback") {
      o.allowNonLoopback = true;
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "sluice-load: {} needs a value (or is unknown); see --help\n", arg);
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (arg == "--host") {
      o.host = value;
    } else if (arg == "--port") {
      ok = parseNumber(value, o.port) && o.port != 0;
      havePort = true;
    } else if (arg == "--connections") {
      ok = parseNumber(value, o.connections) && o.connections > 0 && o.connections <= 60000;
    } else if (arg == "--depth") {
      ok = parseNumber(value, o.depth) && o.depth > 0 && o.depth <= 1'000'000;
    } else if (arg == "--size") {
      ok = parseNumber(value, o.size) && o.size > 0 && o.size <= kMaxMessageSize;
    } else if (arg == "--duration") {
      ok = parseNumber(value, o.durationSeconds) && o.durationSeconds > 0 &&
           o.durationSeconds <= 86400;
    } else if (arg == "--warmup") {
      ok = parseNumber(value, o.warmupSeconds) && o.warmupSeconds >= 0 && o.warmupSeconds <= 86400;
    } else if (arg == "--connect-timeout") {
      ok = parseNumber(value, o.connectTimeoutSeconds) && o.connectTimeoutSeconds > 0 &&
           o.connectTimeoutSeconds <= 3600;
    } else if (arg == "--mode") {
      if (value == "echo-lines") {
        o.mode = Mode::EchoLines;
      } else if (value == "echo-raw") {
        o.mode = Mode::EchoRaw;
      } else {
        ok = false;
      }
    } else if (arg == "--server-pid") {
      ok = parseNumber(value, o.serverPid) && o.serverPid > 0;
    } else if (arg == "--cpu") {
      ok = parseNumber(value, o.cpu) && o.cpu >= 0 && o.cpu < CPU_SETSIZE;
    } else {
      fmt::print(stderr, "sluice-load: unknown option {}; see --help\n", arg);
      return std::nullopt;
    }
    if (!ok) {
      fmt::print(stderr, "sluice-load: bad value for {}: '{}'\n", arg, value);
      return std::nullopt;
    }
  }
  if (!havePort) {
    fmt::print(stderr, "sluice-load: --port is required; see --help\n");
    return std::nullopt;
  }
  return o;
}

// The server address, from a numeric host (no DNS: a load test names its target exactly).
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool loopback = false;
};

std::optional<Address> parseAddress(const std::string& host, std::uint16_t port) {
  Address a;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    a.loopback = (ntohl(v4.sin_addr.s_addr) >> 24) == 127;
    std::memcpy(&a.storage, &v4, sizeof v4);
    a.length = sizeof v4;
    return a;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    a.loopback = IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr);
    std::memcpy(&a.storage, &v6, sizeof v6);
    a.length = sizeof v6;
    return a;
  }
  return std::nullopt;
}

using loadutil::processCpuSeconds;
using loadutil::selfCpuSeconds;

// A fixed-capacity FIFO of send times: a connection never has more than `depth` in flight.
class SendTimes {
 public:
  explicit SendTimes(std::size_t capacity) : times_(capacity) {}

  void push(std::int64_t t) {
    times_[(head_ + count_) % times_.size()] = t;
    ++count_;
  }

  std::int64_t pop() {
    const std::int64_t t = times_[head_];
    head_ = (head_ + 1) % times_.size();
    --count_;
    return t;
  }

  std::size_t size() const { return count_; }

 private:
  std::vector<std::int64_t> times_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

// One TCP connection's state. The byte stream sent is the message pattern repeated, so a
// connection needs no send buffer: only how many bytes are queued and how many went out.
struct Connection {
  explicit Connection(std::size_t depth) : sendTimes(depth) {}

  int fd = -1;
  bool connected = false;
  bool wantWritable = false;   // EPOLLOUT is in the interest set.
  std::uint64_t queued = 0;    // Bytes of queued messages not yet written.
  std::uint64_t written = 0;   // Bytes written since connecting.
  std::uint64_t received = 0;  // Bytes echoed back since connecting.
  SendTimes sendTimes;         // Send time of each message in flight, oldest first.
};

enum class Phase { Connecting, Warmup, Measuring, Done };

// The results of the measured window.
struct Results {
  double elapsedSeconds = 0;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  Histogram latencyNanos;
  std::optional<double> serverCpuSeconds;
  double loadCpuSeconds = 0;
};

class LoadGenerator {
 public:
  LoadGenerator(const Options& options, const Address& address)
      : options_(options), address_(address), readBuffer_(kReadBufferSize) {
    buildPattern();
  }

  ~LoadGenerator() {
    for (const Connection& c : connections_) {
      if (c.fd >= 0) {
        close(c.fd);
      }
    }
    if (epoll_ >= 0) {
      close(epoll_);
    }
  }

  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  /// Connects, warms up, measures and stops; false (with error() set) when anything fails.
  bool run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      return fail(fmt::format("epoll_create1: {}", std::strerror(errno)));
    }
    connections_.reserve(options_.connections);
    for (std::size_t i = 0; i < options_.connections; ++i) {
      connections_.emplace_back(options_.depth);
      if (!startConnect(i)) {
        return false;
      }
    }
    phase_ = Phase::Connecting;
    deadline_ = nowNanos() + secondsToNanos(options_.connectTimeoutSeconds);

    epoll_event events[kMaxEvents];
    while (phase_ != Phase::Done) {
      const std::int64_t wait = deadline_ - nowNanos();
      // Round up so the loop does not spin in the last partial millisecond.
      const int timeoutMs = wait <= 0 ? 0 : static_cast<int>((wait + 999'999) / 1'000'000);
      const int n = epoll_wait(epoll_, events, kMaxEvents, timeoutMs);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(fmt::format("epoll_wait: {}", std::strerror(errno)));
      }
      for (int i = 0; i < n; ++i) {
        if (!handleEvent(events[i].data.u32, events[i].events)) {
          return false;
        }
      }
      if (!advancePhase()) {
        return false;
      }
    }
    return true;
  }

  const Results& results() const { return results_; }
  const std::string& error() const { return error_; }

 private:
  void buildPattern() {
    const std::size_t messages = std::max<std::size_t>(1, kPatternMinBytes / options_.size) + 1;
    pattern_.resize(messages * options_.size);
    for (std::size_t i = 0; i < pattern_.size(); ++i) {
      const std::size_t inMessage = i % options_.size;
      if (options_.mode == Mode::EchoLines && inMessage == options_.size - 1) {
        pattern_[i] = '\n';
      } else {
        pattern_[i] = static_cast<char>('a' + inMessage % 26);
      }
    }
  }

  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  std::string peer() const { return fmt::format("{}:{}", options_.host, options_.port); }

  bool startConnect(std::size_t index) {
    Connection& c = connections_[index];
    c.fd = socket(address_.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      return fail(fmt::format("socket: {}", std::strerror(errno)));
    }
    // Messages are small and latency is measured: never let Nagle hold one back.
    const int one = 1;
    if (setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
      return fail(fmt::format("setsockopt(TCP_NODELAY): {}", std::strerror(errno)));
    }
    if (connect(c.fd, reinterpret_cast<const sockaddr*>(&address_.storage), address_.length) != 0 &&
        errno != EINPROGRESS) {
      return fail(fmt::format("connect to {} failed: {}", peer(), std::strerror(errno)));
    }
    // Until connected, wait for writability, which is how a non-blocking connect completes.
    c.wantWritable = true;
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = static_cast<std::uint32_t>(index);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      return fail(fmt::format("epoll_ctl: {}", std::strerror(errno)));
    }
    return true;
  }

  // Adds or removes EPOLLOUT; reading is always wanted once connected.
  bool setWantWritable(std::size_t index, bool want) {
    Connection& c = connections_[index];
    if (c.wantWritable == want) {
      return true;
    }
    c.wantWritable = want;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
    ev.data.u32 = static_cast<std::uint32_t>(index);
    if (epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev) != 0) {
      return fail(fmt::format("epoll_ctl: {}", std::strerror(errno)));
    }
    return true;
  }

  bool handleEvent(std::uint32_t index, std::uint32_t events) {
    Connection& c = connections_[index];
    if (!c.connected) {
      return finishConnect(index);
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 && !readOnce(index)) {
      return false;
    }
    if ((events & EPOLLOUT) != 0) {
      return flush(index);
    }
    return true;
  }

  bool finishConnect(std::size_t index) {
    Connection& c = connections_[index];
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
      err = errno;
    }
    if (err != 0) {
      return fail(fmt::format("connect to {} failed: {}", peer(), std::strerror(err)));
    }
    c.connected = true;
    ++connected_;
    // The EPOLL_CTL_MOD below switches the interest set to reading.
    c.wantWritable = true;
    if (!setWantWritable(index, false)) {
      return false;
    }
    const std::int64_t now = nowNanos();
    for (std::size_t i = 0; i < options_.depth; ++i) {
      queueMessage(c, now);
    }
    return flush(index);
  }

  void queueMessage(Connection& c, std::int64_t now) {
    c.queued += options_.size;
    c.sendTimes.push(now);
  }

  // Writes as many queued bytes as the socket takes; arms EPOLLOUT if some are left.
  bool flush(std::size_t index) {
    Connection& c = connections_[index];
    while (c.queued > 0) {
      // The pattern is whole messages plus one spare, so from any offset inside a message it
      // still holds at least kPatternMinBytes of the stream.
      const auto offset = static_cast<std::size_t>(c.written % options_.size);
      const std::size_t length =
          static_cast<std::size_t>(std::min<std::uint64_t>(c.queued, pattern_.size() - offset));
      const ssize_t n = write(c.fd, pattern_.data() + offset, length);
      if (n < 0) {
        if (errno == EAGAIN) {
          return setWantWritable(index, true);
        }
        if (errno == EINTR) {
          continue;
        }
        return fail(fmt::format("write to {} failed: {}", peer(), std::strerror(errno)));
      }
      c.queued -= static_cast<std::uint64_t>(n);
      c.written += static_cast<std::uint64_t>(n);
    }
    return setWantWritable(index, false);
  }

  // One read() per readiness event: with level-triggered epoll a socket that still has data is
  // reported again, and no read is wasted on EAGAIN.
  bool readOnce(std::size_t index) {
    Connection& c = connections_[index];
    const ssize_t n = read(c.fd, readBuffer_.data(), readBuffer_.size());
    if (n == 0) {
      return fail(fmt::format("{} closed connection {} (after {} bytes echoed)", peer(), index,
                              c.received));
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        return true;
      }
      return fail(fmt::format("read from {} failed: {}", peer(), std::strerror(errno)));
    }
    const auto bytes = static_cast<std::size_t>(n);
    if (c.received + bytes > c.written) {
      return fail(fmt::format("{} sent {} bytes more than it was sent on connection {}", peer(),
                              c.received + bytes - c.written, index));
    }
    if (!verify(c, bytes)) {
      return fail(fmt::format(
          "{} echoed bytes that differ from those sent on connection {} near stream offset {}",
          peer(), index, c.received));
    }
    const std::uint64_t before = c.received / options_.size;
    c.received += bytes;
    const std::uint64_t completed = c.received / options_.size - before;
    // One clock read per read(): every message completed by this read arrived now.
    const std::int64_t now = nowNanos();
    const bool measuring = phase_ == Phase::Measuring;
    for (std::uint64_t i = 0; i < completed; ++i) {
      const std::int64_t sent = c.sendTimes.pop();
      if (measuring) {
        results_.latencyNanos.record(
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - sent)));
      }
      queueMessage(c, now);
    }
    if (measuring) {
      results_.messages += completed;
      results_.bytes += bytes;
    }
    return completed == 0 || flush(index);
  }

  // True when the `bytes` just read equal the stream sent at the same offsets.
  bool verify(const Connection& c, std::size_t bytes) const {
    std::size_t done = 0;
    while (done < bytes) {
      const auto offset = static_cast<std::size_t>((c.received + done) % options_.size);
      const std::size_t length = std::min(bytes - done, pattern_.size() - offset);
      if (std::memcmp(readBuffer_.data() + done, pattern_.data() + offset, length) != 0) {
        return false;
      }
      done += length;
    }
    return true;
  }

  // Moves to the next phase when its condition holds; fails when connecting takes too long.
  bool advancePhase() {
    const std::int64_t now = nowNanos();
    switch (phase_) {
      case Phase::Connecting:
        if (connected_ == connections_.size()) {
          phase_ = Phase::Warmup;
          deadline_ = now + secondsToNanos(options_.warmupSeconds);
          return advancePhase();
        }
        if (now >= deadline_) {
          return fail(fmt::format("timed out after {} s with {} of {} connections to {} made",
                                  options_.connectTimeoutSeconds, connected_, connections_.size(),
                                  peer()));
        }
        return true;
      case Phase::Warmup:
        if (now >= deadline_) {
          return startMeasuring(now);
        }
        return true;
      case Phase::Measuring:
        if (now >= deadline_) {
          return stopMeasuring(now);
        }
        return true;
      case Phase::Done:
        return true;
    }
    return true;
  }

  bool startMeasuring(std::int64_t now) {
    if (options_.serverPid != 0) {
      serverCpuStart_ = processCpuSeconds(options_.serverPid);
      if (!serverCpuStart_) {
        return fail(
            fmt::format("cannot read /proc/{}/stat: is the server running?", options_.serverPid));
      }
    }
    loadCpuStart_ = selfCpuSeconds();
    phase_ = Phase::Measuring;
    measureStart_ = now;
    deadline_ = now + secondsToNanos(options_.durationSeconds);
    return true;
  }

  bool stopMeasuring(std::int64_t now) {
    results_.elapsedSeconds = static_cast<double>(now - measureStart_) / 1e9;
    results_.loadCpuSeconds = selfCpuSeconds() - loadCpuStart_;
    if (options_.serverPid != 0) {
      const std::optional<double> end = processCpuSeconds(options_.serverPid);
      if (!end) {
        return fail(fmt::format("cannot read /proc/{}/stat: the server exited during the run",
                                options_.serverPid));
      }
      results_.serverCpuSeconds = *end - *serverCpuStart_;
    }
    phase_ = Phase::Done;
    return true;
  }

  const Options& options_;
  const Address& address_;
  std::vector<char> pattern_;
  std::vector<char> readBuffer_;
  std::vector<Connection> connections_;
  std::size_t connected_ = 0;
  int epoll_ = -1;
  Phase phase_ = Phase::Connecting;
  std::int64_t deadline_ = 0;
  std::int64_t measureStart_ = 0;
  std::optional<double> serverCpuStart_;
  double loadCpuStart_ = 0;
  Results results_;
  std::string error_;
};

std::string_view modeName(Mode mode) { return mode == Mode::EchoLines ? "echo-lines" : "echo-raw"; }

double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e3; }

void printText(const Options& o, const Results& r) {
  const double seconds = r.elapsedSeconds;
  const double rate = static_cast<double>(r.messages) / seconds;
  const Histogram& h = r.latencyNanos;
  fmt::print("sluice-load: {} to {}:{}, {} connections x depth {}, {} B messages, {} s measured\n",
             modeName(o.mode), o.host, o.port, o.connections, o.depth, o.size, seconds);
  fmt::print("  messages     {} ({:.0f} msgs/s, {:.2f} MB/s each way)\n", r.messages, rate,
             static_cast<double>(r.bytes) / seconds / 1e6);
  fmt::print(
      "  latency us   p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}\n",
      micros(h.valueAtPercentile(50)), micros(h.valueAtPercentile(90)),
      micros(h.valueAtPercentile(99)), micros(h.valueAtPercentile(99.9)), micros(h.max()),
      h.mean() / 1e3);
  if (r.serverCpuSeconds) {
    fmt::print("  server CPU   {:.2f} s ({:.0f}% of a core), {:.3f} us/msg\n", *r.serverCpuSeconds,
               *r.serverCpuSeconds / seconds * 100,
               r.messages == 0 ? 0.0 : *r.serverCpuSeconds * 1e6 / static_cast<double>(r.messages));
  }
  fmt::print("  load CPU     {:.2f} s ({:.0f}% of a core), {:.3f} us/msg\n", r.loadCpuSeconds,
             r.loadCpuSeconds / seconds * 100,
             r.messages == 0 ? 0.0 : r.loadCpuSeconds * 1e6 / static_cast<double>(r.messages));
}

// One flat JSON object, so that shell scripts can pick fields out with sed.
void printJson(const Options& o, const Results& r) {
  const double seconds = r.elapsedSeconds;
  const Histogram& h = r.latencyNanos;
  const double perMessage = r.messages == 0 ? 0.0 : 1e6 / static_cast<double>(r.messages);
  fmt::print(
      "{{\"mode\":\"{}\",\"host\":\"{}\",\"port\":{},\"connections\":{},\"depth\":{},\"size\":{},"
      "\"warmupSeconds\":{},\"durationSeconds\":{},\"elapsedSeconds\":{:.6f},\"messages\":{},"
      "\"msgsPerSecond\":{:.1f},\"mbPerSecond\":{:.3f},\"latencyP50Us\":{:.1f},"
      "\"latencyP90Us\":{:.1f},\"latencyP99Us\":{:.1f},\"latencyP999Us\":{:.1f},"
      "\"latencyMaxUs\":{:.1f},\"latencyMeanUs\":{:.1f},",
      modeName(o.mode), o.host, o.port, o.connections, o.depth, o.size, o.warmupSeconds,
      o.durationSeconds, seconds, r.messages, static_cast<double>(r.messages) / seconds,
      static_cast<double>(r.bytes) / seconds / 1e6, micros(h.valueAtPercentile(50)),
      micros(h.valueAtPercentile(90)), micros(h.valueAtPercentile(99)),
      micros(h.valueAtPercentile(99.9)), micros(h.max()), h.mean() / 1e3);
  if (r.serverCpuSeconds) {
    fmt::print("\"serverPid\":{},\"serverCpuSeconds\":{:.3f},\"serverCpuUsPerMsg\":{:.4f},",
               o.serverPid, *r.serverCpuSeconds, *r.serverCpuSeconds * perMessage);
  } else {
    fmt::print("\"serverPid\":null,\"serverCpuSeconds\":null,\"serverCpuUsPerMsg\":null,");
  }
  fmt::print("\"loadCpuSeconds\":{:.3f},\"loadCpuUsPerMsg\":{:.4f}}}\n", r.loadCpuSeconds,
             r.loadCpuSeconds * perMessage);
}

int main(int argc, char** argv) {
  const std::optional<Options> options = parseOptions(argc, argv);
  if (!options) {
    return 2;
  }
  const std::optional<Address> address = parseAddress(options->host, options->port);
  if (!address) {
    fmt::print(stderr, "sluice-load: --host must be a numeric IPv4 or IPv6 address, not '{}'\n",
               options->host);
    return 2;
  }
  if (!address->loopback && !options->allowNonLoopback) {
    fmt::print(stderr,
               "sluice-load: {} is not a loopback address; load is only sent elsewhere with "
               "--allow-non-loopback\n",
               options->host);
    return 2;
  }
  if (options->cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(options->cpu), &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
      fmt::print(stderr, "sluice-load: cannot pin to CPU {}: {}\n", options->cpu,
                 std::strerror(errno));
      return 1;
    }
  }
  if (options->serverPid != 0 && !processCpuSeconds(options->serverPid)) {
    fmt::print(stderr, "sluice-load: cannot read /proc/{}/stat: no such server process\n",
               options->serverPid);
    return 1;
  }
  if (!loadutil::ensureDescriptors(options->connections, "sluice-load")) {
    return 1;
  }
  // A server that closes while we write must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  LoadGenerator generator(*options, *address);
  if (!generator.run()) {
    fmt::print(stderr, "sluice-load: error: {}\n", generator.error());
    return 1;
  }
  const Results& results = generator.results();
  if (options->json) {
    printJson(*options, results);
  } else {
    printText(*options, results);
  }
  if (results.messages == 0) {
    fmt::print(stderr, "sluice-load: error: no message was echoed in the measured window\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice::load

int main(int argc, char** argv) { return sluice::load::main(argc, argv); }
