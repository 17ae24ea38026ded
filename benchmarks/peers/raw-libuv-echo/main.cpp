// raw-libuv-echo: the floor that sluice's echo server is measured against.
//
// The least a libuv program must do to echo TCP: one loop thread, one uv_tcp_t per connection,
// a per-connection read buffer, and for each read one uv_try_write of the bytes received, with
// uv_write of a copy for whatever the socket did not take. Nothing else: no pipeline, no
// buffer pool, no futures. Whatever sluice's echo server spends above this, per message, is the
// cost of sluice.
//
// Two modes, because sluice's echo example is line-based:
//   (default)  raw: each read is echoed as it arrived, one write per read. The absolute floor.
//   --lines    lines: input is split at '\n' and each complete line is echoed as a message of
//              its own (a partial line waits for the rest), which is the framing work a
//              line-based decoder must do. All lines completed by one read go out in one
//              gathering write (one uv_buf_t per line), which is what a corked pipeline does
//              with a burst of writeAndFlush calls (DESIGN.md, "Flow control"). This is the fair
//              floor for a line echo server; raw mode shows what the framing itself costs.
//
// Usage: raw-libuv-echo [--host 127.0.0.1] [--port 0] [--lines] [--cpu N]
// Port 0 picks a free port; the real one is printed as `listening on HOST:PORT`, then stdout is
// flushed, so scripts can wait for that line. SIGINT or SIGTERM closes every handle and exits 0.

#include <netinet/in.h>
#include <sched.h>
#include <uv.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kReadBufferSize = std::size_t{64} * 1024;
// Reading pauses while more than this is queued for a peer that does not read its echoes, so a
// slow peer cannot make the server buffer without bound; it resumes below half of it.
constexpr std::size_t kMaxQueuedBytes = std::size_t{1024} * 1024;
// A line longer than this (no '\n' yet) closes the connection, as a line decoder's limit does.
constexpr std::size_t kMaxLineLength = std::size_t{1024} * 1024;

struct Server;

struct Connection {
  uv_tcp_t tcp;
  Server* server = nullptr;
  bool reading = false;
  // Lines mode: the start of a line whose '\n' has not arrived yet.
  std::string partialLine;
  // Lines mode: one buffer per complete line of the current read, reused across reads.
  std::vector<uv_buf_t> lines;
  char readBuffer[kReadBufferSize];
};

// The unwritten rest of an echo, copied so the read buffer can be reused at once.
struct WriteRequest {
  uv_write_t req;
  std::unique_ptr<char[]> data;
};

struct Server {
  uv_loop_t* loop = nullptr;
  uv_tcp_t listener;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  bool lines = false;
};

uv_stream_t* asStream(uv_tcp_t* tcp) { return reinterpret_cast<uv_stream_t*>(tcp); }
uv_handle_t* asHandle(uv_tcp_t* tcp) { return reinterpret_cast<uv_handle_t*>(tcp); }

void onConnectionClosed(uv_handle_t* handle) noexcept {
  delete static_cast<Connection*>(handle->data);
}

void closeConnection(Connection* conn) {
  if (!uv_is_closing(asHandle(&conn->tcp))) {
    // Pending writes complete with UV_ECANCELED (freeing their requests) before this callback.
    uv_close(asHandle(&conn->tcp), onConnectionClosed);
  }
}

void onAlloc(uv_handle_t* handle, std::size_t /*suggested*/, uv_buf_t* buf) noexcept {
  auto* conn = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(conn->readBuffer, kReadBufferSize);
}

void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;

void onWritten(uv_write_t* req, int status) noexcept {
  std::unique_ptr<WriteRequest> owned(static_cast<WriteRequest*>(req->data));
  auto* conn = static_cast<Connection*>(req->handle->data);
  if (status < 0) {
    closeConnection(conn);
    return;
  }
  if (!conn->reading && !uv_is_closing(asHandle(&conn->tcp)) &&
      uv_stream_get_write_queue_size(asStream(&conn->tcp)) <= kMaxQueuedBytes / 2) {
    conn->reading = uv_read_start(asStream(&conn->tcp), onAlloc, onRead) == 0;
    if (!conn->reading) {
      closeConnection(conn);
    }
  }
}

// Echoes `bufs`: as much as the socket takes now without queuing, the rest through uv_write of
// a copy. uv_try_write refuses (UV_EAGAIN) while earlier writes are queued, so order is kept.
void echo(Connection* conn, const uv_buf_t* bufs, unsigned nbufs) {
  uv_stream_t* stream = asStream(&conn->tcp);
  std::size_t total = 0;
  for (unsigned i = 0; i < nbufs; ++i) {
    total += bufs[i].len;
  }
  int written = uv_try_write(stream, bufs, nbufs);
  if (written == UV_EAGAIN) {
    written = 0;
  } else if (written < 0) {
    closeConnection(conn);
    return;
  }
  auto skip = static_cast<std::size_t>(written);
  if (skip == total) {
    return;
  }
  auto request = std::make_unique<WriteRequest>();
  request->data = std::make_unique<char[]>(total - skip);
  std::size_t copied = 0;
  for (unsigned i = 0; i < nbufs; ++i) {
    if (skip >= bufs[i].len) {
      skip -= bufs[i].len;
      continue;
    }
    std::memcpy(request->data.get() + copied, bufs[i].base + skip, bufs[i].len - skip);
    copied += bufs[i].len - skip;
    skip = 0;
  }
  const uv_buf_t rest = uv_buf_init(request->data.get(), static_cast<unsigned>(copied));
  request->req.data = request.get();
  if (uv_write(&request->req, stream, &rest, 1, onWritten) != 0) {
    closeConnection(conn);  // A failed call never runs its callback: the request is freed here.
    return;
  }
  static_cast<void>(request.release());  // onWritten owns it from here.
  if (uv_stream_get_write_queue_size(stream) > kMaxQueuedBytes) {
    uv_read_stop(stream);
    conn->reading = false;
  }
}

// Lines mode: echoes every line that this read completes, each as its own buffer, in one write.
void echoLines(Connection* conn, const char* data, std::size_t size) {
  const char* p = data;
  const char* const end = data + size;
  conn->lines.clear();
  if (!conn->partialLine.empty()) {
    const auto* newline = static_cast<const char*>(std::memchr(p, '\n', size));
    if (newline == nullptr) {
      conn->partialLine.append(p, size);
      if (conn->partialLine.size() > kMaxLineLength) {
        closeConnection(conn);
      }
      return;
    }
    conn->partialLine.append(p, static_cast<std::size_t>(newline + 1 - p));
    conn->lines.push_back(
        uv_buf_init(conn->partialLine.data(), static_cast<unsigned>(conn->partialLine.size())));
    p = newline + 1;
  }
  while (p < end) {
    const auto* newline =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (newline == nullptr) {
      break;
    }
    conn->lines.push_back(
        uv_buf_init(const_cast<char*>(p), static_cast<unsigned>(newline + 1 - p)));
    p = newline + 1;
  }
  if (!conn->lines.empty()) {
    echo(conn, conn->lines.data(), static_cast<unsigned>(conn->lines.size()));
  }
  // echo() wrote or copied every line, so the completed partial line can go.
  conn->partialLine.assign(p, static_cast<std::size_t>(end - p));
  if (conn->partialLine.size() > kMaxLineLength) {
    closeConnection(conn);
  }
}

void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* conn = static_cast<Connection*>(stream->data);
  if (nread < 0) {
    closeConnection(conn);  // UV_EOF or an error: either way this connection is over.
    return;
  }
  if (nread == 0) {
    return;  // EAGAIN: nothing to do.
  }
  if (conn->server->lines) {
    echoLines(conn, buf->base, static_cast<std::size_t>(nread));
  } else {
    const uv_buf_t data = uv_buf_init(buf->base, static_cast<unsigned>(nread));
    echo(conn, &data, 1);
  }
}

void onConnection(uv_stream_t* listener, int status) noexcept {
  auto* server = static_cast<Server*>(listener->data);
  if (status < 0) {
    std::fprintf(stderr, "raw-libuv-echo: accept: %s\n", uv_strerror(status));
    return;
  }
  auto* conn = new (std::nothrow) Connection;
  if (conn == nullptr) {
    return;  // Out of memory: leave the socket unaccepted (libuv stops accepting).
  }
  conn->server = server;
  if (uv_tcp_init(server->loop, &conn->tcp) != 0) {
    delete conn;
    return;
  }
  conn->tcp.data = conn;
  if (uv_accept(listener, asStream(&conn->tcp)) != 0) {
    closeConnection(conn);
    return;
  }
  uv_tcp_nodelay(&conn->tcp, 1);
  conn->reading = uv_read_start(asStream(&conn->tcp), onAlloc, onRead) == 0;
  if (!conn->reading) {
    closeConnection(conn);
  }
}

void onSignal(uv_signal_t* signal, int /*signum*/) noexcept {
  auto* server = static_cast<Server*>(signal->data);
  // Close every handle: the listener, both signal watchers and each connection. Connections
  // carry their Connection in data; the others belong to Server and are not freed.
  uv_walk(
      server->loop,
      [](uv_handle_t* handle, void* arg) {
        auto* s = static_cast<Server*>(arg);
        if (uv_is_closing(handle)) {
          return;
        }
        if (handle->data != s) {
          uv_close(handle, onConnectionClosed);
        } else {
          uv_close(handle, nullptr);
        }
      },
      server);
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int cpu = -1;
  bool lines = false;
};

bool parseInt(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--lines") {
      o.lines = true;
    } else if (arg == "--host" && i + 1 < argc) {
      o.host = argv[++i];
    } else if (arg == "--port" && i + 1 < argc) {
      if (!parseInt(argv[++i], o.port) || o.port < 0 || o.port > 65535) {
        return false;
      }
    } else if (arg == "--cpu" && i + 1 < argc) {
      if (!parseInt(argv[++i], o.cpu) || o.cpu < 0 || o.cpu >= CPU_SETSIZE) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

int fail(const char* what, int error) {
  std::fprintf(stderr, "raw-libuv-echo: %s: %s\n", what, uv_strerror(error));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parseOptions(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: raw-libuv-echo [--host 127.0.0.1] [--port 0] [--lines] [--cpu N]\n");
    return 2;
  }
  if (options.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(options.cpu), &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
      std::perror("raw-libuv-echo: sched_setaffinity");
      return 1;
    }
  }
  // A peer that closes while we write must give an error, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  Server server;
  server.lines = options.lines;
  server.loop = uv_default_loop();

  sockaddr_storage addr{};
  int rc = uv_ip4_addr(options.host.c_str(), options.port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) {
    rc = uv_ip6_addr(options.host.c_str(), options.port, reinterpret_cast<sockaddr_in6*>(&addr));
  }
  if (rc != 0) {
    return fail("bad --host", rc);
  }
  if ((rc = uv_tcp_init(server.loop, &server.listener)) != 0) {
    return fail("uv_tcp_init", rc);
  }
  server.listener.data = &server;
  if ((rc = uv_tcp_bind(&server.listener, reinterpret_cast<const sockaddr*>(&addr), 0)) != 0) {
    return fail("bind", rc);
  }
  if ((rc = uv_listen(asStream(&server.listener), SOMAXCONN, onConnection)) != 0) {
    return fail("listen", rc);
  }

  sockaddr_storage bound{};
  int boundLength = sizeof bound;
  if ((rc = uv_tcp_getsockname(&server.listener, reinterpret_cast<sockaddr*>(&bound),
                               &boundLength)) != 0) {
    return fail("getsockname", rc);
  }
  char name[64] = {};
  int port = 0;
  if (bound.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&bound);
    uv_ip6_name(in6, name, sizeof name);
    port = ntohs(in6->sin6_port);
    std::printf("listening on [%s]:%d\n", name, port);
  } else {
    const auto* in4 = reinterpret_cast<const sockaddr_in*>(&bound);
    uv_ip4_name(in4, name, sizeof name);
    port = ntohs(in4->sin_port);
    std::printf("listening on %s:%d\n", name, port);
  }
  std::fflush(stdout);

  uv_signal_init(server.loop, &server.sigint);
  uv_signal_init(server.loop, &server.sigterm);
  server.sigint.data = &server;
  server.sigterm.data = &server;
  uv_signal_start(&server.sigint, onSignal, SIGINT);
  uv_signal_start(&server.sigterm, onSignal, SIGTERM);

  uv_run(server.loop, UV_RUN_DEFAULT);
  // Every handle is closed once uv_run returns after a signal, so the loop closes cleanly.
  rc = uv_loop_close(server.loop);
  if (rc != 0) {
    return fail("uv_loop_close", rc);
  }
  return 0;
}
