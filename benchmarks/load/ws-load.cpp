// ws-load: the project's WebSocket load client.
//
// One thread and one libuv loop drive N WebSocket connections to a server. It speaks RFC 6455
// itself, on raw TCP handles, rather than through sluice's pipeline: what it measures is the
// server, and the client's own costs stay small, fixed and the same whichever server it targets.
//
// Every connection opens with the handshake (RFC 6455 section 4.1: a fresh random key, then a
// 101 answer whose Sec-WebSocket-Accept must match), after which a scenario drives it. A
// scenario only decides what to send and what to expect; connecting, the handshake, framing
// (masked client frames, a fresh mask per frame), parsing the server's frames, answering pings,
// the run's phases and the figures are shared. With --tls (or a wss:// URL) every connection
// first completes a TLS handshake through OpenSSL and then carries the same bytes encrypted:
// the socket stays libuv's, and OpenSSL works between two memory BIOs, ciphertext in from
// libuv's reads and out to its writes. The scenarios:
//
//   echo  each connection keeps `--depth` messages of `--size` bytes in flight (a closed loop:
//         one more is sent for each one echoed), and every echoed message is checked against
//         the one sent, byte for byte and in order.
//
// New scenarios (idle connections, connection storms, broadcast fan-out) derive from Scenario
// and are added to makeScenario().
//
// The run is bounded: connect and handshake (with a timeout), warm up, measure, then send a
// Close frame on every connection and wait (briefly) for the server's. The figures cover only
// the measured window: messages and payload bytes per second, latency percentiles (send to
// echo, per message, microseconds) and, given --server-pid, the server's CPU time per message
// from /proc/PID/stat. They are printed as one JSON object on one line on stdout; errors go to
// stderr. Exit status: 0 on success, 1 when the run fails, 2 for bad options.

#include <fmt/core.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
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
constexpr std::size_t kMaxMessageSize = std::size_t{16} * 1024 * 1024;
// A handshake response longer than this is refused rather than buffered without end.
constexpr std::size_t kMaxHandshakeResponse = std::size_t{16} * 1024;
// How long the closing handshake may take at the end of a run before connections are dropped.
constexpr std::uint64_t kCloseTimeoutNanos = 2'000'000'000;
// RFC 6455 section 1.3: the GUID appended to the key to form Sec-WebSocket-Accept.
constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

struct Options {
  std::string url = "ws://127.0.0.1:8080/ws";
  std::string host;  // From the URL: numeric address, no DNS (a load test names its target).
  std::uint16_t port = 0;
  std::string path;
  std::string scenario = "echo";
  std::size_t connections = 100;
  std::size_t depth = 1;
  std::size_t size = 32;
  bool binary = false;
  double durationSeconds = 10;
  double warmupSeconds = 2;
  double connectTimeoutSeconds = 10;
  int serverPid = 0;  // 0: the server's CPU time is not measured.
  bool allowNonLoopback = false;
  bool tls = false;    // --tls or a wss:// URL.
  std::string caFile;  // --ca: verify the server against it; empty: no verification.
};

void printUsage(std::FILE* out) {
  fmt::print(out,
             "usage: ws-load --url ws://127.0.0.1:PORT/PATH [options]\n"
             "  --url URL                ws://HOST:PORT/PATH or wss://..., HOST a numeric "
             "address\n"
             "  --tls                    TLS (as wss://); the certificate is not verified\n"
             "  --ca FILE                TLS: verify the server's certificate (chain and IP\n"
             "                           address) against the CA certificates in FILE (PEM);\n"
             "                           implies --tls\n"
             "  --scenario NAME          echo (default)\n"
             "  --connections N          WebSocket connections (default 100)\n"
             "  --depth N                echo: messages in flight per connection (default 1)\n"
             "  --size N                 echo: payload bytes per message (default 32)\n"
             "  --binary                 echo: binary messages (default: text)\n"
             "  --duration S             measured seconds (default 10)\n"
             "  --warmup S               seconds run before measuring (default 2)\n"
             "  --connect-timeout S      time allowed for every handshake (default 10)\n"
             "  --server-pid PID         report the server's CPU time per message\n"
             "  --allow-non-loopback     allow a host outside 127.0.0.0/8 and ::1\n"
             "Prints one JSON object on stdout.\n");
}

using loadutil::parseNumber;

// Splits ws://HOST:PORT/PATH or wss://HOST:PORT/PATH (HOST may be [v6]); wss sets tls.
bool parseUrl(Options& o) {
  std::string_view rest = o.url;
  constexpr std::string_view kScheme = "ws://";
  constexpr std::string_view kSecureScheme = "wss://";
  if (rest.substr(0, kScheme.size()) == kScheme) {
    rest.remove_prefix(kScheme.size());
  } else if (rest.substr(0, kSecureScheme.size()) == kSecureScheme) {
    rest.remove_prefix(kSecureScheme.size());
    o.tls = true;
  } else {
    return false;
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  o.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::size_t colon = 0;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    o.host = std::string(authority.substr(1, close - 1));
    colon = close + 1;
    if (colon >= authority.size() || authority[colon] != ':') {
      return false;
    }
  } else {
    colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
      return false;
    }
    o.host = std::string(authority.substr(0, colon));
  }
  return parseNumber(authority.substr(colon + 1), o.port) && o.port != 0 && !o.host.empty();
}

// Parses the command line; prints the problem and returns nothing when it is wrong.
std::optional<Options> parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(stdout);
      std::exit(0);
    }
    if (arg == "--binary") {
      o.binary = true;
      continue;
    }
    if (arg == "--allow-non-loopback") {
      o.allowNonLoopback = true;
      continue;
    }
    if (arg == "--tls") {
      o.tls = true;
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "ws-load: {} needs a value (or is unknown); see --help\n", arg);
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (arg == "--url") {
      o.url = value;
      ok = parseUrl(o);
    } else if (arg == "--scenario") {
      o.scenario = value;
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
    } else if (arg == "--server-pid") {
      ok = parseNumber(value, o.serverPid) && o.serverPid > 0;
    } else if (arg == "--ca") {
      o.caFile = value;
      o.tls = true;
    } else {
      fmt::print(stderr, "ws-load: unknown option {}; see --help\n", arg);
      return std::nullopt;
    }
    if (!ok) {
      fmt::print(stderr, "ws-load: bad value for {}: '{}'\n", arg, value);
      return std::nullopt;
    }
  }
  if (o.host.empty() && !parseUrl(o)) {
    fmt::print(stderr, "ws-load: bad --url '{}'\n", o.url);
    return std::nullopt;
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Handshake helpers: SHA-1 and base64, for Sec-WebSocket-Key and Sec-WebSocket-Accept
// ---------------------------------------------------------------------------------------------

// Standard base64 (RFC 4648 4) of `n` bytes, through OpenSSL.
std::string base64(const std::uint8_t* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  return out;
}

// RFC 6455 section 4.2.2: base64(SHA-1(key + GUID)).
std::string acceptFor(std::string_view key) {
  const std::string input = std::string(key) + std::string(kWebSocketGuid);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha1(), nullptr);
  return base64(digest.data(), length);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// True when the comma-separated header value holds `token` (case-insensitive).
bool hasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
      item.remove_prefix(1);
    }
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
      item.remove_suffix(1);
    }
    if (equalsIgnoreCase(item, token)) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    value.remove_prefix(comma + 1);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

using loadutil::processCpuSeconds;
using loadutil::selfCpuSeconds;

enum class Phase { Connecting, Warmup, Measuring, Closing, Done };

// What the measured window saw. Scenarios add to it through Recorder.
struct Results {
  double elapsedSeconds = 0;
  std::uint64_t messages = 0;      // Data messages received.
  std::uint64_t payloadBytes = 0;  // Their payload bytes.
  Histogram latencyNanos;          // Per message, as the scenario defines it.
  Histogram handshakeNanos;        // TCP connect to verified 101, per connection (all phases).
  std::optional<double> serverCpuSeconds;
  double loadCpuSeconds = 0;
  std::string tlsSession;  // TLS: the protocol and cipher suite of the first handshake.
};

/// What scenarios count through: it drops what arrives outside the measured window.
class Recorder {
 public:
  explicit Recorder(Results& results) : results_(results) {}

  bool measuring() const { return phase_ == Phase::Measuring; }
  Phase phase() const { return phase_; }
  void setPhase(Phase phase) { phase_ = phase; }

  /// A data message of `payloadBytes` received, `latencyNanos` after what caused it.
  void message(std::uint64_t payloadBytes, std::uint64_t latencyNanos) {
    if (measuring()) {
      ++results_.messages;
      results_.payloadBytes += payloadBytes;
      results_.latencyNanos.record(latencyNanos);
    }
  }

 private:
  Results& results_;
  Phase phase_ = Phase::Connecting;
};

// ---------------------------------------------------------------------------------------------
// Connection: TCP, handshake and framing
// ---------------------------------------------------------------------------------------------

// RFC 6455 section 5.2 opcodes.
enum Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

class Connection;

/// What a scenario decides: what each open connection sends, and what it expects back.
///
/// Callbacks run on the loop thread. Returning false fails the run; the scenario explains why
/// through Connection::fail() first. Payload arrives in pieces as the socket delivers it
/// (onMessagePayload, possibly several times per message, never for an empty one), then
/// onMessageEnd once the message's final frame is in.
class Scenario {
 public:
  virtual ~Scenario() = default;

  /// The handshake of `c` succeeded; the connection may send.
  virtual bool onOpen(Connection& c) = 0;

  /// `n` payload bytes of the data message being received, starting at `offset` in it.
  virtual bool onMessagePayload(Connection& c, std::uint64_t offset, const char* data,
                                std::size_t n) = 0;

  /// The message of `length` payload bytes ended (its FIN frame was parsed).
  virtual bool onMessageEnd(Connection& c, std::uint64_t length, bool text) = 0;

  /// Scenario-specific JSON fields ("name":value,...) for the report, or empty.
  virtual std::string jsonFields() const { return {}; }
};

// A fast generator for masking keys. RFC 6455 section 5.3 wants keys that a script in a page
// cannot predict, so that it cannot shape the bytes on the wire to fool an intermediary. A
// load client sends only its own fixed payloads to a server it was pointed at, so a fresh key
// per frame from a randomly seeded xorshift is enough here, at a fraction of the cost of a
// cryptographic generator; the server's unmasking work is the same either way.
class MaskGenerator {
 public:
  explicit MaskGenerator(std::uint64_t seed) : state_(seed | 1) {}
  std::uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<std::uint32_t>(state_ >> 16);
  }

 private:
  std::uint64_t state_;
};

/// A growable byte queue that, unlike std::vector<char>, does not zero what it appends: every
/// byte of a frame is written right after, so zeroing first would only double the stores.
class OutBuffer {
 public:
  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

  /// Room for `n` more bytes at the end, to be written by the caller.
  char* append(std::size_t n) {
    if (size_ + n > capacity_) {
      const std::size_t capacity = std::max({size_ + n, capacity_ * 2, std::size_t{4096}});
      std::unique_ptr<char[]> grown(new char[capacity]);
      if (size_ != 0) {
        std::memcpy(grown.get(), data_.get(), size_);
      }
      data_ = std::move(grown);
      capacity_ = capacity;
    }
    char* p = data_.get() + size_;
    size_ += n;
    return p;
  }

  /// Drops the first `n` bytes (those written to the socket).
  void consume(std::size_t n) {
    if (n == 0) {
      return;
    }
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= n;
  }

  void swap(OutBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// OpenSSL's reasons for the last failure on this thread (and clears them), or `fallback`.
std::string sslErrors(std::string_view fallback) {
  std::string reasons;
  while (const unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    reasons += reasons.empty() ? "" : "; ";
    reasons += text;
  }
  return reasons.empty() ? std::string(fallback) : reasons;
}

// The client context of a TLS run: TLS 1.2 or 1.3 with OpenSSL's default ciphers, no session
// reuse (every connection makes a full handshake). With a CA file the server's chain is
// verified, and each connection checks that the certificate names the IP address dialled.
SslCtxPtr makeSslContext(const Options& o, std::string& error) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    error = sslErrors("SSL_CTX_new failed");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  if (o.caFile.empty()) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  } else {
    if (SSL_CTX_load_verify_locations(ctx.get(), o.caFile.c_str(), nullptr) != 1) {
      error = fmt::format("cannot load CA certificates from {}: {}", o.caFile,
                          sslErrors("no certificate"));
      return nullptr;
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

/// Shared by all connections of a run: the loop, the scenario, the read buffer, the clocks.
struct RunContext {
  uv_loop_t* loop = nullptr;
  const Options* options = nullptr;
  Scenario* scenario = nullptr;
  Recorder* recorder = nullptr;
  Results* results = nullptr;
  MaskGenerator masks{1};
  std::vector<char> readBuffer = std::vector<char>(kReadBufferSize);
  SSL_CTX* ssl = nullptr;         // Set for a TLS run.
  std::vector<char> plainBuffer;  // TLS: decrypted bytes, handled before the next SSL_read.
  std::string error;              // The first failure; the run stops at it.
  std::size_t open = 0;           // Connections whose handshake succeeded and that are not closed.
  std::size_t closed = 0;         // Connections whose handle was closed.
  std::function<void()> onFailure;
  std::function<void()> onOpenChanged;
};

/// One WebSocket client connection: a libuv TCP handle, the handshake, a frame writer that
/// batches frames until flush(), and a streaming parser for the server's frames; in a TLS run,
/// an SSL object between the frames and the socket.
class Connection {
 public:
  enum class State { Connecting, Handshaking, Open, Closing, Closed };

  Connection(RunContext& run, std::size_t id) : run_(run), id_(id) {
    tcp_.data = this;
    connectRequest_.data = this;
    writeRequest_.data = this;
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::size_t id() const { return id_; }
  State state() const { return state_; }
  RunContext& run() { return run_; }

  /// Starts the TCP connect to `address`; false (with the run's error set) if it cannot start.
  bool connect(const sockaddr* address) {
    if (const int rc = uv_tcp_init(run_.loop, &tcp_); rc != 0) {
      return fail(fmt::format("uv_tcp_init: {}", uv_strerror(rc)));
    }
    handleOpen_ = true;
    // Messages are small and latency is measured: never let Nagle hold one back.
    uv_tcp_nodelay(&tcp_, 1);
    connectStart_ = uv_hrtime();
    if (const int rc = uv_tcp_connect(&connectRequest_, &tcp_, address, onConnect); rc != 0) {
      return fail(fmt::format("connect: {}", uv_strerror(rc)));
    }
    return true;
  }

  /// Queues one data frame (FIN set) whose payload is `head` then `body`, masked with a fresh
  /// key (RFC 6455 section 5.3: every client frame MUST be masked). Sent at the next flush().
  void sendFrame(Opcode opcode, std::string_view head, std::string_view body) {
    const std::uint64_t n = head.size() + body.size();
    char header[14];
    std::size_t h = 0;
    header[h++] = static_cast<char>(0x80 | opcode);
    // Section 5.2: the shortest length encoding is used; the mask bit is set.
    if (n <= 125) {
      header[h++] = static_cast<char>(0x80 | n);
    } else if (n <= 0xFFFF) {
      header[h++] = static_cast<char>(0x80 | 126);
      header[h++] = static_cast<char>(n >> 8);
      header[h++] = static_cast<char>(n);
    } else {
      header[h++] = static_cast<char>(0x80 | 127);
      for (int i = 7; i >= 0; --i) {
        header[h++] = static_cast<char>(n >> (8 * i));
      }
    }
    const std::uint32_t key = run_.masks.next();
    std::memcpy(header + h, &key, 4);
    h += 4;
    char* p = out_.append(h + n);
    std::memcpy(p, header, h);
    p += h;
    maskCopy(p, head.data(), head.size(), key, 0);
    maskCopy(p + head.size(), body.data(), body.size(), key, head.size());
  }

  /// Writes every queued frame: one system call for all the frames queued since the last
  /// flush, the way a server's echo of a read burst would go out. In a TLS run the frames are
  /// encrypted first (one SSL_write for them all) and the records go out the same way.
  void flush() {
    if (writing_ || state_ == State::Closed) {
      return;  // A write in flight flushes again when it completes.
    }
    OutBuffer& wire = ssl_ ? sealed_ : out_;
    if (ssl_ && !seal()) {
      return;
    }
    if (wire.empty()) {
      return;
    }
    uv_buf_t buf = uv_buf_init(wire.data(), static_cast<unsigned>(wire.size()));
    int written = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1);
    if (written == UV_EAGAIN) {
      written = 0;
    } else if (written < 0) {
      fail(fmt::format("write: {}", uv_strerror(written)));
      return;
    }
    wire.consume(static_cast<std::size_t>(written));
    if (wire.empty()) {
      return;
    }
    // The socket is full: hand the rest to libuv, and gather new bytes in `wire` meanwhile.
    inFlight_.swap(wire);
    wire.clear();
    writing_ = true;
    buf = uv_buf_init(inFlight_.data(), static_cast<unsigned>(inFlight_.size()));
    if (const int rc =
            uv_write(&writeRequest_, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, onWritten);
        rc != 0) {
      writing_ = false;
      fail(fmt::format("write: {}", uv_strerror(rc)));
    }
  }

  /// Starts the closing handshake (section 5.5.1): a Close frame with status 1000, then waits
  /// for the server's Close (or its end of stream) before closing the handle.
  void startClose() {
    if (state_ == State::Open) {
      char payload[2] = {static_cast<char>(1000 >> 8), static_cast<char>(1000 & 0xFF)};
      sendControl(kClose, std::string_view(payload, 2));
      flush();
      state_ = State::Closing;
      --run_.open;
    } else if (state_ != State::Closing) {
      closeHandle();
    }
  }

  /// Closes the TCP handle at once (idempotent).
  void closeHandle() {
    if (state_ == State::Open) {
      --run_.open;
    }
    state_ = State::Closed;
    if (handleOpen_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) {
      uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onHandleClosed);
    }
  }

  /// Records the first failure of the run and stops it; always returns false.
  bool fail(std::string message) {
    if (run_.error.empty()) {
      run_.error = fmt::format("connection {}: {}", id_, message);
      run_.onFailure();
    }
    return false;
  }

 private:
  static void onConnect(uv_connect_t* request, int status) {
    auto* c = static_cast<Connection*>(request->data);
    if (status == UV_ECANCELED || c->state_ == State::Closed) {
      return;
    }
    if (status != 0) {
      c->fail(fmt::format("connect to {}:{} failed: {}", c->run_.options->host,
                          c->run_.options->port, uv_strerror(status)));
      return;
    }
    c->state_ = State::Handshaking;
    if (const int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp_), onAlloc, onRead);
        rc != 0) {
      c->fail(fmt::format("read: {}", uv_strerror(rc)));
      return;
    }
    if (c->run_.ssl != nullptr) {
      c->startTls();
    } else {
      c->sendHandshake();
    }
  }

  // Every connection reads into the run's one buffer: reads are handled before the callback
  // returns, and anything kept past it is copied out.
  static void onAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(handle->data);
    *buf = uv_buf_init(c->run_.readBuffer.data(), static_cast<unsigned>(kReadBufferSize));
  }

  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(stream->data);
    if (nread == 0 || c->state_ == State::Closed) {
      return;
    }
    if (nread < 0) {
      if (c->state_ == State::Closing) {
        c->closeHandle();  // The server ended the stream after (or instead of) its Close.
        return;
      }
      c->fail(nread == UV_EOF
                  ? fmt::format("the server closed the connection ({})", c->describeState())
                  : fmt::format("read: {}", uv_strerror(static_cast<int>(nread))));
      return;
    }
    const std::string_view data(buf->base, static_cast<std::size_t>(nread));
    const bool ok = c->ssl_ ? c->unseal(data) : c->onPlaintext(data);
    if (ok) {
      c->flush();
    }
  }

  // Bytes from the server, decrypted if need be.
  bool onPlaintext(std::string_view data) {
    return state_ == State::Handshaking ? onHandshakeBytes(data) : parse(data);
  }

  static void onWritten(uv_write_t* request, int status) {
    auto* c = static_cast<Connection*>(request->data);
    c->writing_ = false;
    c->inFlight_.clear();
    if (status == UV_ECANCELED || c->state_ == State::Closed) {
      return;
    }
    if (status != 0) {
      if (c->state_ != State::Closing) {
        c->fail(fmt::format("write: {}", uv_strerror(status)));
      }
      return;
    }
    c->flush();
  }

  static void onHandleClosed(uv_handle_t* handle) {
    auto* c = static_cast<Connection*>(handle->data);
    ++c->run_.closed;
    c->run_.onOpenChanged();
  }

  std::string describeState() const {
    return state_ == State::Handshaking ? "during the handshake" : "while open";
  }

  // --- TLS ---

  // Sets up the SSL object over two memory BIOs and sends the ClientHello. No SNI: the host
  // is an IP address (RFC 6066 section 3).
  void startTls() {
    ssl_.reset(SSL_new(run_.ssl));
    if (!ssl_) {
      fail(sslErrors("SSL_new failed"));
      return;
    }
    netIn_ = BIO_new(BIO_s_mem());
    netOut_ = BIO_new(BIO_s_mem());
    if (netIn_ == nullptr || netOut_ == nullptr) {
      BIO_free(netIn_);
      BIO_free(netOut_);
      fail("out of memory for TLS buffers");
      return;
    }
    SSL_set_bio(ssl_.get(), netIn_, netOut_);  // The SSL object owns both from here.
    if (!run_.options->caFile.empty() &&
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), run_.options->host.c_str()) !=
            1) {
      fail(sslErrors("cannot verify an IP address"));
      return;
    }
    SSL_set_connect_state(ssl_.get());
    if (driveTlsHandshake()) {
      flush();
    }
  }

  // Steps the TLS handshake; when it completes, starts the WebSocket one. False on failure.
  bool driveTlsHandshake() {
    const int rc = SSL_do_handshake(ssl_.get());
    if (rc == 1) {
      tlsOpen_ = true;
      if (run_.results->tlsSession.empty()) {
        run_.results->tlsSession =
            fmt::format("{} {}", SSL_get_version(ssl_.get()), SSL_get_cipher_name(ssl_.get()));
      }
      sendHandshake();
      return state_ != State::Closed;
    }
    if (SSL_get_error(ssl_.get(), rc) == SSL_ERROR_WANT_READ) {
      return true;
    }
    const long verify = SSL_get_verify_result(ssl_.get());
    return fail(fmt::format(
        "TLS handshake failed: {}{}", sslErrors("connection closed"),
        verify == X509_V_OK ? "" : fmt::format(" ({})", X509_verify_cert_error_string(verify))));
  }

  // Ciphertext from the socket: feeds it to OpenSSL, finishes the handshake if it is still
  // going, and hands every decrypted byte to onPlaintext().
  bool unseal(std::string_view data) {
    if (BIO_write(netIn_, data.data(), static_cast<int>(data.size())) !=
        static_cast<int>(data.size())) {
      return fail("out of memory for TLS input");
    }
    if (!tlsOpen_ && (!driveTlsHandshake() || !tlsOpen_)) {
      return state_ != State::Closed;
    }
    std::vector<char>& plain = run_.plainBuffer;
    while (state_ != State::Closed) {
      const int n = SSL_read(ssl_.get(), plain.data(), static_cast<int>(plain.size()));
      if (n > 0) {
        if (!onPlaintext(std::string_view(plain.data(), static_cast<std::size_t>(n)))) {
          return false;
        }
        continue;
      }
      switch (SSL_get_error(ssl_.get(), n)) {
        case SSL_ERROR_WANT_READ:
          return true;
        case SSL_ERROR_ZERO_RETURN:  // close_notify: the end of the server's stream.
          if (state_ == State::Closing) {
            closeHandle();
            return true;
          }
          return fail(fmt::format("the server closed the connection ({})", describeState()));
        default:
          return fail(fmt::format("TLS: {}", sslErrors("read failed")));
      }
    }
    return true;
  }

  // Encrypts the frames queued in out_ and moves the records to sealed_; false on failure.
  bool seal() {
    if (!out_.empty()) {
      const int n = SSL_write(ssl_.get(), out_.data(), static_cast<int>(out_.size()));
      if (n != static_cast<int>(out_.size())) {
        return fail(fmt::format("TLS: {}", sslErrors("write failed")));
      }
      out_.clear();
    }
    // Records the handshake or SSL_write left in the memory BIO, read straight into sealed_.
    if (const std::size_t pending = BIO_ctrl_pending(netOut_); pending != 0) {
      char* p = sealed_.append(pending);
      BIO_read(netOut_, p, static_cast<int>(pending));
    }
    return true;
  }

  // --- Handshake (RFC 6455 section 4.1) ---

  void sendHandshake() {
    // The key is 16 random bytes, base64-encoded, chosen afresh for each connection.
    std::array<std::uint8_t, 16> nonce{};
    std::random_device random;
    for (std::size_t i = 0; i < nonce.size(); i += 4) {
      const std::uint32_t v = random();
      std::memcpy(nonce.data() + i, &v, 4);
    }
    key_ = base64(nonce.data(), nonce.size());
    const Options& o = *run_.options;
    const bool v6 = o.host.find(':') != std::string::npos;
    const std::string request = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}{}{}:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n\r\n",
        o.path, v6 ? "[" : "", o.host, v6 ? "]" : "", o.port, key_);
    std::memcpy(out_.append(request.size()), request.data(), request.size());
    flush();
  }

  bool onHandshakeBytes(std::string_view data) {
    handshake_.append(data);
    const std::size_t end = handshake_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (handshake_.size() > kMaxHandshakeResponse) {
        return fail("handshake response headers too long");
      }
      return true;
    }
    if (!checkHandshake(std::string_view(handshake_).substr(0, end + 2))) {
      return false;
    }
    run_.results->handshakeNanos.record(uv_hrtime() - connectStart_);
    state_ = State::Open;
    ++run_.open;
    // Frames the server sent right behind its response belong to the parser.
    std::string rest = handshake_.substr(end + 4);
    handshake_.clear();
    handshake_.shrink_to_fit();
    if (!run_.scenario->onOpen(*this)) {
      return false;
    }
    run_.onOpenChanged();
    return rest.empty() || parse(rest);
  }

  // Section 4.1, the client's checks of the server's handshake: status 101, an Upgrade
  // header of "websocket", a Connection header holding "Upgrade", and the Accept value
  // derived from our key. Failing any of them, the client MUST fail the connection.
  bool checkHandshake(std::string_view head) {
    const std::size_t lineEnd = head.find("\r\n");
    const std::string_view status = head.substr(0, lineEnd);
    if (status.substr(0, 13) != "HTTP/1.1 101 " && status != "HTTP/1.1 101") {
      return fail(fmt::format("handshake refused: '{}'", status));
    }
    bool upgrade = false;
    bool connection = false;
    std::string accept;
    std::string_view rest = head.substr(lineEnd + 2);
    while (!rest.empty()) {
      const std::size_t eol = rest.find("\r\n");
      const std::string_view line = rest.substr(0, eol);
      rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 2);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        continue;
      }
      const std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
      }
      if (equalsIgnoreCase(name, "Upgrade")) {
        upgrade = equalsIgnoreCase(value, "websocket");
      } else if (equalsIgnoreCase(name, "Connection")) {
        connection = hasToken(value, "Upgrade");
      } else if (equalsIgnoreCase(name, "Sec-WebSocket-Accept")) {
        accept = std::string(value);
      } else if (equalsIgnoreCase(name, "Sec-WebSocket-Extensions")) {
        // No extension was offered, so none may be accepted (section 4.1, item 5).
        return fail("the server accepted an extension that was not offered");
      }
    }
    if (!upgrade || !connection) {
      return fail("handshake response without 'Upgrade: websocket' and 'Connection: Upgrade'");
    }
    if (accept != acceptFor(key_)) {
      return fail(fmt::format("Sec-WebSocket-Accept '{}' does not match the key", accept));
    }
    return true;
  }

  // --- Frames from the server (section 5.2) ---

  // Parses what arrived: frame headers are gathered in header_ (they may straddle reads),
  // payload goes straight from the read buffer to the scenario without a copy.
  bool parse(std::string_view data) {
    while (!data.empty()) {
      if (!inPayload_) {
        const std::size_t need = headerNeeded();
        const std::size_t take = std::min(need - headerHave_, data.size());
        std::memcpy(header_ + headerHave_, data.data(), take);
        headerHave_ += take;
        data.remove_prefix(take);
        if (headerHave_ < headerNeeded()) {
          continue;  // Wait for more, or the extended length just became known.
        }
        if (!startFrame()) {
          return false;
        }
        if (payloadLeft_ == 0 && !endFrame()) {
          return false;
        }
        continue;
      }
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(payloadLeft_, data.size()));
      if (!framePayload(data.data(), take)) {
        return false;
      }
      payloadLeft_ -= take;
      data.remove_prefix(take);
      if (payloadLeft_ == 0 && !endFrame()) {
        return false;
      }
    }
    return true;
  }

  // Header bytes this frame needs, as far as the bytes so far tell.
  std::size_t headerNeeded() const {
    if (headerHave_ < 2) {
      return 2;
    }
    const auto len7 = static_cast<std::uint8_t>(header_[1]) & 0x7F;
    return len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
  }

  bool startFrame() {
    const auto b0 = static_cast<std::uint8_t>(header_[0]);
    const auto b1 = static_cast<std::uint8_t>(header_[1]);
    headerHave_ = 0;
    fin_ = (b0 & 0x80) != 0;
    opcode_ = static_cast<std::uint8_t>(b0 & 0x0F);
    // Section 5.2: RSV bits MUST be 0 unless an extension defines them; none was negotiated.
    if ((b0 & 0x70) != 0) {
      return fail("frame with RSV bits set");
    }
    // Section 5.1: a client MUST close the connection if it receives a masked frame.
    if ((b1 & 0x80) != 0) {
      return fail("masked frame from the server");
    }
    std::uint64_t length = b1 & 0x7F;
    if (length == 126) {
      length = (std::uint64_t{static_cast<std::uint8_t>(header_[2])} << 8) |
               static_cast<std::uint8_t>(header_[3]);
    } else if (length == 127) {
      length = 0;
      for (int i = 2; i < 10; ++i) {
        length = (length << 8) | static_cast<std::uint8_t>(header_[i]);
      }
    }
    const bool control = (opcode_ & 0x08) != 0;
    if (control) {
      // Section 5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!fin_ || length > 125) {
        return fail("fragmented or oversized control frame");
      }
      if (opcode_ != kClose && opcode_ != kPing && opcode_ != kPong) {
        return fail(fmt::format("reserved control opcode {}", opcode_));
      }
      control_.clear();
    } else if (opcode_ == kContinuation) {
      if (!inMessage_) {
        return fail("continuation frame outside a fragmented message");
      }
    } else if (opcode_ == kText || opcode_ == kBinary) {
      if (inMessage_) {
        return fail("new data frame inside a fragmented message");
      }
      inMessage_ = true;
      messageText_ = opcode_ == kText;
      messageLength_ = 0;
    } else {
      return fail(fmt::format("reserved data opcode {}", opcode_));
    }
    if (!control && messageLength_ + length > kMaxMessageSize) {
      return fail(fmt::format("message longer than {} bytes", kMaxMessageSize));
    }
    payloadLeft_ = length;
    inPayload_ = length != 0;
    return true;
  }

  bool framePayload(const char* data, std::size_t n) {
    if ((opcode_ & 0x08) != 0) {
      control_.append(data, n);
      return true;
    }
    if (state_ == State::Closing) {
      messageLength_ += n;  // Echoes still in flight when the run ended: not counted.
      return true;
    }
    const std::uint64_t offset = messageLength_;
    messageLength_ += n;
    return run_.scenario->onMessagePayload(*this, offset, data, n);
  }

  bool endFrame() {
    inPayload_ = false;
    switch (opcode_) {
      case kPing:
        // Section 5.5.2: answer with a Pong carrying the same application data.
        sendControl(kPong, control_);
        return true;
      case kPong:
        return true;
      case kClose:
        if (state_ == State::Closing) {
          closeHandle();  // Our Close was answered: the closing handshake is complete.
          return true;
        }
        if (control_.size() >= 2) {
          const unsigned code = (unsigned{static_cast<std::uint8_t>(control_[0])} << 8) |
                                static_cast<std::uint8_t>(control_[1]);
          return fail(fmt::format("the server sent Close {} during the run", code));
        }
        return fail("the server sent Close during the run");
      default:
        break;
    }
    if (!fin_) {
      return true;
    }
    inMessage_ = false;
    if (state_ == State::Closing) {
      return true;
    }
    return run_.scenario->onMessageEnd(*this, messageLength_, messageText_);
  }

  void sendControl(Opcode opcode, std::string_view payload) { sendFrame(opcode, payload, {}); }

  // Copies `n` bytes from `src` to `dst` XORed with the masking key (section 5.3), 8 bytes at
  // a time; `offset` is the position of src[0] in the frame's payload (it picks the key byte).
  static void maskCopy(char* dst, const char* src, std::size_t n, std::uint32_t key,
                       std::size_t offset) {
    unsigned char k[4];
    std::memcpy(k, &key, 4);
    unsigned char k8[8];
    for (std::size_t j = 0; j < 8; ++j) {
      k8[j] = k[(offset + j) % 4];
    }
    std::uint64_t key8 = 0;
    std::memcpy(&key8, k8, 8);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t v = 0;
      std::memcpy(&v, src + i, 8);
      v ^= key8;
      std::memcpy(dst + i, &v, 8);
    }
    for (; i < n; ++i) {
      dst[i] = static_cast<char>(src[i] ^ static_cast<char>(k8[i % 8]));
    }
  }

  RunContext& run_;
  std::size_t id_;
  State state_ = State::Connecting;
  uv_tcp_t tcp_{};
  uv_connect_t connectRequest_{};
  uv_write_t writeRequest_{};
  bool handleOpen_ = false;
  std::uint64_t connectStart_ = 0;

  OutBuffer out_;       // Frames queued since the last flush.
  OutBuffer inFlight_;  // Bytes handed to uv_write, until it completes.
  bool writing_ = false;

  SslPtr ssl_;             // TLS runs only.
  BIO* netIn_ = nullptr;   // Ciphertext read from the socket, for OpenSSL (owned by ssl_).
  BIO* netOut_ = nullptr;  // Records OpenSSL wrote, for the socket (owned by ssl_).
  OutBuffer sealed_;       // Records not yet written to the socket.
  bool tlsOpen_ = false;   // The TLS handshake is complete.

  std::string key_;        // Sec-WebSocket-Key sent.
  std::string handshake_;  // The server's handshake response so far.

  char header_[10] = {};  // The frame header being gathered (the server never masks).
  std::size_t headerHave_ = 0;
  bool inPayload_ = false;
  std::uint64_t payloadLeft_ = 0;
  bool fin_ = false;
  std::uint8_t opcode_ = 0;
  std::string control_;  // The payload of the control frame being read.
  bool inMessage_ = false;
  bool messageText_ = false;
  std::uint64_t messageLength_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

// A fixed-capacity FIFO of send times: an echo connection never has more than `depth` in flight.
class SendTimes {
 public:
  explicit SendTimes(std::size_t capacity) : times_(capacity) {}

  void push(std::uint64_t t) {
    times_[(head_ + count_) % times_.size()] = t;
    ++count_;
  }

  std::uint64_t pop() {
    const std::uint64_t t = times_[head_];
    head_ = (head_ + 1) % times_.size();
    --count_;
    return t;
  }

  bool empty() const { return count_ == 0; }

 private:
  std::vector<std::uint64_t> times_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

/// echo: `depth` messages in flight per connection, each echoed message checked and replaced.
///
/// Message k of a connection carries k in its first bytes (up to 8 hexadecimal digits) and a
/// fixed ASCII pattern after them, so the payload is valid UTF-8 for text frames and an echo
/// that drops, reorders or alters a message fails the run.
class EchoScenario : public Scenario {
 public:
  explicit EchoScenario(const Options& options, Recorder& recorder)
      : options_(options),
        recorder_(recorder),
        prefixLength_(std::min<std::size_t>(8, options.size)) {
    pattern_.resize(options.size);
    for (std::size_t i = 0; i < pattern_.size(); ++i) {
      pattern_[i] = static_cast<char>('a' + i % 26);
    }
    state_.reserve(options.connections);
    for (std::size_t i = 0; i < options.connections; ++i) {
      state_.emplace_back(options.depth);
    }
  }

  bool onOpen(Connection& c) override {
    const std::uint64_t now = uv_hrtime();
    for (std::size_t i = 0; i < options_.depth; ++i) {
      send(c, now);
    }
    return true;
  }

  bool onMessagePayload(Connection& c, std::uint64_t offset, const char* data,
                        std::size_t n) override {
    PerConnection& s = state_[c.id()];
    if (offset + n > options_.size) {
      return c.fail(fmt::format("echoed message {} is longer than the {} bytes sent", s.received,
                                options_.size));
    }
    // The prefix part is compared with the expected sequence number, the rest with the pattern.
    std::size_t i = 0;
    if (offset < prefixLength_) {
      const std::string expected = prefixFor(s.received);
      i = std::min<std::size_t>(n, prefixLength_ - offset);
      if (std::memcmp(data, expected.data() + offset, i) != 0) {
        return c.fail(fmt::format("echoed message {} is not the one sent next", s.received));
      }
    }
    if (i < n && std::memcmp(data + i, pattern_.data() + offset + i, n - i) != 0) {
      return c.fail(fmt::format("echoed message {} differs from the one sent", s.received));
    }
    return true;
  }

  bool onMessageEnd(Connection& c, std::uint64_t length, bool text) override {
    PerConnection& s = state_[c.id()];
    if (length != options_.size || text == options_.binary) {
      return c.fail(fmt::format("echoed message {} is {} bytes of {}, sent {} bytes of {}",
                                s.received, length, text ? "text" : "binary", options_.size,
                                options_.binary ? "binary" : "text"));
    }
    if (s.sendTimes.empty()) {
      return c.fail("a message came back that was never sent");
    }
    const std::uint64_t now = uv_hrtime();
    recorder_.message(length, now - s.sendTimes.pop());
    ++s.received;
    send(c, now);
    return true;
  }

  std::string jsonFields() const override {
    return fmt::format("\"depth\":{},\"size\":{},\"binary\":{},", options_.depth, options_.size,
                       options_.binary);
  }

 private:
  struct PerConnection {
    explicit PerConnection(std::size_t depth) : sendTimes(depth) {}
    SendTimes sendTimes;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
  };

  // The first prefixLength_ bytes of message `k`: its low hexadecimal digits.
  std::string prefixFor(std::uint64_t k) const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string prefix(prefixLength_, '0');
    for (std::size_t i = prefixLength_; i-- > 0; k >>= 4) {
      prefix[i] = kHex[k & 0xF];
    }
    return prefix;
  }

  // Queues the connection's next message; the caller's read or open callback flushes.
  void send(Connection& c, std::uint64_t now) {
    PerConnection& s = state_[c.id()];
    s.sendTimes.push(now);
    const std::string prefix = prefixFor(s.sent++);
    c.sendFrame(options_.binary ? kBinary : kText, prefix,
                std::string_view(pattern_.data() + prefixLength_, options_.size - prefixLength_));
  }

  const Options& options_;
  Recorder& recorder_;
  std::size_t prefixLength_;
  std::string pattern_;
  std::vector<PerConnection> state_;
};

// The scenario named by --scenario, or nothing if there is none of that name.
std::unique_ptr<Scenario> makeScenario(const Options& options, Recorder& recorder) {
  if (options.scenario == "echo") {
    return std::make_unique<EchoScenario>(options, recorder);
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// The run: phases and report
// ---------------------------------------------------------------------------------------------

class LoadRun {
 public:
  /// `ssl`: the client context of a TLS run, or null.
  LoadRun(const Options& options, std::unique_ptr<Scenario> scenario, Recorder& recorder,
          Results& results, SSL_CTX* ssl)
      : options_(options), scenario_(std::move(scenario)), recorder_(recorder), results_(results) {
    uv_loop_init(&loop_);
    run_.loop = &loop_;
    if (ssl != nullptr) {
      run_.ssl = ssl;
      run_.plainBuffer.resize(kReadBufferSize);
    }
    run_.options = &options_;
    run_.scenario = scenario_.get();
    run_.recorder = &recorder_;
    run_.results = &results_;
    run_.masks =
        MaskGenerator(std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32));
    run_.onFailure = [this] { stopAll(); };
    run_.onOpenChanged = [this] { onOpenChanged(); };
    uv_timer_init(&loop_, &timer_);
    timer_.data = this;
  }

  ~LoadRun() { uv_loop_close(&loop_); }

  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  /// Connects, warms up, measures and closes; false (with error() set) when anything fails.
  bool run(const sockaddr* address) {
    connections_.reserve(options_.connections);
    for (std::size_t i = 0; i < options_.connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(run_, i));
      if (!connections_.back()->connect(address)) {
        break;
      }
    }
    if (run_.error.empty()) {
      armTimer(secondsToNanos(options_.connectTimeoutSeconds));
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    return run_.error.empty();
  }

  const std::string& error() const { return run_.error; }

 private:
  static std::uint64_t secondsToNanos(double seconds) {
    return static_cast<std::uint64_t>(seconds * 1e9);
  }

  void armTimer(std::uint64_t nanos) {
    deadline_ = uv_hrtime() + nanos;
    // libuv timers count milliseconds; round up so the deadline has passed when it fires.
    uv_timer_start(&timer_, onTimer, (nanos + 999'999) / 1'000'000, 0);
  }

  static void onTimer(uv_timer_t* timer) {
    auto* self = static_cast<LoadRun*>(timer->data);
    const std::uint64_t now = uv_hrtime();
    if (now < self->deadline_) {
      uv_timer_start(timer, onTimer, (self->deadline_ - now + 999'999) / 1'000'000, 0);
      return;
    }
    self->advance(now);
  }

  // Each open or close of a connection may complete a phase.
  void onOpenChanged() {
    if (recorder_.phase() == Phase::Connecting && run_.open == connections_.size()) {
      recorder_.setPhase(Phase::Warmup);
      armTimer(secondsToNanos(options_.warmupSeconds));
    } else if (recorder_.phase() == Phase::Closing && run_.closed == connections_.size()) {
      finish();
    }
  }

  void advance(std::uint64_t now) {
    switch (recorder_.phase()) {
      case Phase::Connecting:
        failRun(fmt::format("timed out after {} s with {} of {} handshakes done",
                            options_.connectTimeoutSeconds, run_.open, connections_.size()));
        break;
      case Phase::Warmup:
        startMeasuring(now);
        break;
      case Phase::Measuring:
        stopMeasuring(now);
        break;
      case Phase::Closing:
        // The closing handshake took too long: drop whatever is left.
        for (auto& c : connections_) {
          c->closeHandle();
        }
        break;
      case Phase::Done:
        break;
    }
  }

  void startMeasuring(std::uint64_t now) {
    if (options_.serverPid != 0) {
      serverCpuStart_ = processCpuSeconds(options_.serverPid);
      if (!serverCpuStart_) {
        failRun(
            fmt::format("cannot read /proc/{}/stat: is the server running?", options_.serverPid));
        return;
      }
    }
    loadCpuStart_ = selfCpuSeconds();
    measureStart_ = now;
    recorder_.setPhase(Phase::Measuring);
    armTimer(secondsToNanos(options_.durationSeconds));
  }

  void stopMeasuring(std::uint64_t now) {
    results_.elapsedSeconds = static_cast<double>(now - measureStart_) / 1e9;
    results_.loadCpuSeconds = selfCpuSeconds() - loadCpuStart_;
    if (options_.serverPid != 0) {
      const std::optional<double> end = processCpuSeconds(options_.serverPid);
      if (!end) {
        failRun(fmt::format("cannot read /proc/{}/stat: the server exited during the run",
                            options_.serverPid));
        return;
      }
      results_.serverCpuSeconds = *end - *serverCpuStart_;
    }
    recorder_.setPhase(Phase::Closing);
    armTimer(kCloseTimeoutNanos);
    for (auto& c : connections_) {
      c->startClose();
    }
  }

  // Records a failure of the run as a whole (not of one connection) and stops it.
  void failRun(std::string message) {
    if (run_.error.empty()) {
      run_.error = std::move(message);
      stopAll();
    }
  }

  // On failure: close everything, so that the loop runs out of handles and returns.
  void stopAll() {
    recorder_.setPhase(Phase::Done);
    for (auto& c : connections_) {
      c->closeHandle();
    }
    finish();
  }

  void finish() {
    recorder_.setPhase(Phase::Done);
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer_))) {
      uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
    }
  }

  const Options& options_;
  std::unique_ptr<Scenario> scenario_;
  Recorder& recorder_;
  Results& results_;
  uv_loop_t loop_{};
  uv_timer_t timer_{};
  RunContext run_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::uint64_t deadline_ = 0;
  std::uint64_t measureStart_ = 0;
  std::optional<double> serverCpuStart_;
  double loadCpuStart_ = 0;
};

double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e3; }

// One flat JSON object on one line, so that shell scripts can pick fields out with sed.
void printJson(const Options& o, const Scenario& scenario, const Results& r) {
  const double seconds = r.elapsedSeconds;
  const Histogram& h = r.latencyNanos;
  const double perMessage = r.messages == 0 ? 0.0 : 1e6 / static_cast<double>(r.messages);
  std::string line = fmt::format(
      "{{\"scenario\":\"{}\",\"url\":\"{}\",\"connections\":{},{}\"warmupSeconds\":{},"
      "\"durationSeconds\":{},\"elapsedSeconds\":{:.6f},\"messages\":{},\"msgsPerSecond\":{:.1f},"
      "\"mbPerSecond\":{:.3f},\"latencyP50Us\":{:.1f},\"latencyP90Us\":{:.1f},"
      "\"latencyP99Us\":{:.1f},\"latencyP999Us\":{:.1f},\"latencyMaxUs\":{:.1f},"
      "\"latencyMeanUs\":{:.1f},\"handshakeP50Us\":{:.1f},\"handshakeMaxUs\":{:.1f},"
      "\"tls\":{},",
      o.scenario, o.url, o.connections, scenario.jsonFields(), o.warmupSeconds, o.durationSeconds,
      seconds, r.messages, static_cast<double>(r.messages) / seconds,
      static_cast<double>(r.payloadBytes) / seconds / 1e6, micros(h.valueAtPercentile(50)),
      micros(h.valueAtPercentile(90)), micros(h.valueAtPercentile(99)),
      micros(h.valueAtPercentile(99.9)), micros(h.max()), h.mean() / 1e3,
      micros(r.handshakeNanos.valueAtPercentile(50)), micros(r.handshakeNanos.max()),
      o.tls ? fmt::format("\"{}\"", r.tlsSession) : std::string("null"));
  if (r.serverCpuSeconds) {
    line +=
        fmt::format("\"serverPid\":{},\"serverCpuSeconds\":{:.3f},\"serverCpuUsPerMsg\":{:.4f},",
                    o.serverPid, *r.serverCpuSeconds, *r.serverCpuSeconds * perMessage);
  } else {
    line += "\"serverPid\":null,\"serverCpuSeconds\":null,\"serverCpuUsPerMsg\":null,";
  }
  line += fmt::format("\"loadCpuSeconds\":{:.3f},\"loadCpuUsPerMsg\":{:.4f}}}", r.loadCpuSeconds,
                      r.loadCpuSeconds * perMessage);
  fmt::print("{}\n", line);
}

int main(int argc, char** argv) {
  const std::optional<Options> options = parseOptions(argc, argv);
  if (!options) {
    return 2;
  }
  sockaddr_storage address{};
  bool loopback = false;
  if (uv_ip4_addr(options->host.c_str(), options->port, reinterpret_cast<sockaddr_in*>(&address)) ==
      0) {
    loopback = options->host.rfind("127.", 0) == 0;
  } else if (uv_ip6_addr(options->host.c_str(), options->port,
                         reinterpret_cast<sockaddr_in6*>(&address)) == 0) {
    loopback = options->host == "::1";
  } else {
    fmt::print(stderr, "ws-load: the URL's host must be a numeric IPv4 or IPv6 address, not '{}'\n",
               options->host);
    return 2;
  }
  if (!loopback && !options->allowNonLoopback) {
    fmt::print(stderr,
               "ws-load: {} is not a loopback address; load is only sent elsewhere with "
               "--allow-non-loopback\n",
               options->host);
    return 2;
  }
  if (options->serverPid != 0 && !processCpuSeconds(options->serverPid)) {
    fmt::print(stderr, "ws-load: cannot read /proc/{}/stat: no such server process\n",
               options->serverPid);
    return 1;
  }
  if (!loadutil::ensureDescriptors(options->connections, "ws-load")) {
    return 1;
  }
  // A server that closes while we write must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  Results results;
  Recorder recorder(results);
  std::unique_ptr<Scenario> scenario = makeScenario(*options, recorder);
  if (!scenario) {
    fmt::print(stderr, "ws-load: unknown scenario '{}'; see --help\n", options->scenario);
    return 2;
  }
  SslCtxPtr ssl;
  if (options->tls) {
    std::string error;
    ssl = makeSslContext(*options, error);
    if (!ssl) {
      fmt::print(stderr, "ws-load: {}\n", error);
      return 1;
    }
  }
  const Scenario& report = *scenario;
  LoadRun run(*options, std::move(scenario), recorder, results, ssl.get());
  if (!run.run(reinterpret_cast<const sockaddr*>(&address))) {
    fmt::print(stderr, "ws-load: error: {}\n", run.error());
    return 1;
  }
  printJson(*options, report, results);
  if (results.messages == 0) {
    fmt::print(stderr, "ws-load: error: no message came back in the measured window\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice::load

int main(int argc, char** argv) { return sluice::load::main(argc, argv); }
