#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sluice/transport/UvError.h>
#include <sluice/transport/UvSocketChannel.h>
#include <sluice/util/Log.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "UvLoopImpl.h"

namespace sluice {

// uv_buf_t is laid out as struct iovec on Unix, so the outbound buffer's iovecs are handed to
// libuv as they are.
static_assert(sizeof(uv_buf_t) == sizeof(iovec) &&
              offsetof(uv_buf_t, base) == offsetof(iovec, iov_base) &&
              offsetof(uv_buf_t, len) == offsetof(iovec, iov_len));

namespace detail {

/// The libuv handles and requests of one socket channel. Their `data` points at the channel.
struct UvSocketHandles {
  uv_tcp_t tcp{};
  uv_timer_t connectTimer{};
  uv_connect_t connectReq{};
  uv_write_t writeReq{};
  uv_shutdown_t shutdownReq{};
  int handlesOpen = 0;  // tcp and timer: the channel is closed when both have closed

  static UvSocketChannel& channelOf(void* data) { return *static_cast<UvSocketChannel*>(data); }
};

}  // namespace detail

// The loop's end-of-iteration work for this channel.
class UvSocketChannel::Client final : public detail::UvLoopClient {
 public:
  explicit Client(UvSocketChannel& ch) noexcept : ch_(ch) {}
  void flushNow() override {
    ch_.flushRequested_ = false;
    ch_.writePending();
  }
  void endReadBurst() override {
    ch_.readCompleteRequested_ = false;
    if (ch_.isOpen()) {
      ch_.pipeline().fireChannelReadComplete();
    }
  }

 private:
  UvSocketChannel& ch_;
};

namespace {

constexpr std::size_t kMaxIovecs = 256;  // per writev: bounded stack, few syscalls

uv_stream_t* stream(detail::UvSocketHandles& h) { return reinterpret_cast<uv_stream_t*>(&h.tcp); }
uv_handle_t* handle(uv_tcp_t* t) { return reinterpret_cast<uv_handle_t*>(t); }
uv_handle_t* handle(uv_timer_t* t) { return reinterpret_cast<uv_handle_t*>(t); }

Counter& connectedTotal() {
  static Counter& counter = MetricsRegistry::global().counter("sluice_connections_connected_total",
                                                              "Client connections established.");
  return counter;
}

// Records why a read or write error closes the connection: a reset or a broken pipe is the
// peer's doing; anything else is ours.
void recordIoError(CloseReason& reason, int status, const char* what) {
  if (status == UV_ECONNRESET || status == UV_EPIPE) {
    reason.record(CloseInitiator::Peer, "connection reset", makeUvError(status, what));
  } else {
    reason.record(CloseInitiator::Error, {}, makeUvError(status, what));
  }
}

}  // namespace

UvSocketChannel::UvSocketChannel(Private, UvEventLoop& loop, const ChannelOptions& options,
                                 std::shared_ptr<Channel> parent)
    : Channel(loop, parent.get()),
      loop_(loop),
      options_(options),
      parentRef_(std::move(parent)),
      h_(std::make_unique<detail::UvSocketHandles>()),
      client_(std::make_unique<Client>(*this)) {
  options_.applyTo(config());
}

UvSocketChannel::~UvSocketChannel() = default;

std::shared_ptr<UvSocketChannel> UvSocketChannel::create(UvEventLoop& loop,
                                                         const ChannelOptions& options) {
  auto ch = std::make_shared<UvSocketChannel>(Private{}, loop, options, nullptr);
  uv_loop_t* uvLoop = detail::UvChannelHooks::uvLoop(loop);
  uv_tcp_init(uvLoop, &ch->h_->tcp);
  uv_timer_init(uvLoop, &ch->h_->connectTimer);
  ch->h_->tcp.data = ch.get();
  ch->h_->connectTimer.data = ch.get();
  ch->h_->handlesOpen = 2;
  detail::UvChannelHooks::registerChannel(loop, ch);
  return ch;
}

std::shared_ptr<UvSocketChannel> UvSocketChannel::createAccepted(UvEventLoop& loop,
                                                                 const ChannelOptions& options,
                                                                 std::shared_ptr<Channel> parent,
                                                                 int fd) {
  auto ch = std::make_shared<UvSocketChannel>(Private{}, loop, options, std::move(parent));
  uv_loop_t* uvLoop = detail::UvChannelHooks::uvLoop(loop);
  uv_tcp_init(uvLoop, &ch->h_->tcp);
  uv_timer_init(uvLoop, &ch->h_->connectTimer);
  ch->h_->tcp.data = ch.get();
  ch->h_->connectTimer.data = ch.get();
  ch->h_->handlesOpen = 2;
  detail::UvChannelHooks::registerChannel(loop, ch);
  const int rc = uv_tcp_open(&ch->h_->tcp, fd);
  if (rc != 0) {
    ::close(fd);
    ch->close();
    throw ErrorException(makeUvError(rc, "adopt accepted socket"));
  }
  ch->connected_ = true;
  ch->rememberPeer();
  ch->applySocketOptions();
  return ch;
}

void UvSocketChannel::activate() {
  onRegistered();
  if (isActive()) {
    onActive();
  }
}

bool UvSocketChannel::isOpen() const noexcept { return open_; }

bool UvSocketChannel::isActive() const noexcept { return open_ && connected_; }

SocketAddress UvSocketChannel::localAddress() const {
  sockaddr_storage ss{};
  int len = sizeof(ss);
  if (!open_ || uv_tcp_getsockname(&h_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return {};
  }
  return SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len));
}

SocketAddress UvSocketChannel::remoteAddress() const {
  // The peer's address, once connected: kept after the close, for the close's log line.
  return peer_.isUnspecified() ? connectingTo_ : peer_;
}

void UvSocketChannel::rememberPeer() noexcept {
  sockaddr_storage ss{};
  int len = sizeof(ss);
  if (uv_tcp_getpeername(&h_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    peer_ =
        SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), static_cast<socklen_t>(len));
  }
}

void UvSocketChannel::applySocketOptions() noexcept {
  uv_tcp_nodelay(&h_->tcp, options_.tcpNoDelay ? 1 : 0);
  uv_tcp_keepalive(&h_->tcp, options_.keepAlive ? 1 : 0, options_.keepAliveDelaySeconds);
  if (options_.receiveBufferSize > 0) {
    int size = options_.receiveBufferSize;
    uv_recv_buffer_size(handle(&h_->tcp), &size);
  }
  if (options_.sendBufferSize > 0) {
    int size = options_.sendBufferSize;
    uv_send_buffer_size(handle(&h_->tcp), &size);
  }
}

// ---- Connect ------------------------------------------------------------------------------

void UvSocketChannel::doConnect(const SocketAddress& remoteAddress, const SocketAddress&,
                                ChannelPromise promise) {
  if (connected_ || connectPromise_.isValid()) {
    promise.tryFailure(Error(CoreErrc::UnsupportedOperation,
                             connected_ ? "already connected" : "a connect is in progress"));
    return;
  }
  connectingTo_ = remoteAddress;
  connectPromise_ = promise;
  h_->connectReq.data = this;
  const int rc = uv_tcp_connect(
      &h_->connectReq, &h_->tcp, remoteAddress.sockaddrPtr(), [](uv_connect_t* req, int status) {
        detail::UvSocketHandles::channelOf(req->data).onConnectDone(status);
      });
  if (rc != 0) {
    connectPromise_ = {};
    promise.tryFailure(makeUvError(rc, "connect to " + remoteAddress.toString()));
    close();
    return;
  }
  const auto timeout = config().connectTimeout();
  if (timeout.count() > 0) {
    timerActive_ = true;
    // libuv counts from its cached loop time in whole milliseconds: refresh it and add one,
    // so the timeout never ends a connect before `timeout` has really passed.
    uv_update_time(h_->connectTimer.loop);
    uv_timer_start(
        &h_->connectTimer,
        [](uv_timer_t* t) { detail::UvSocketHandles::channelOf(t->data).onConnectTimeout(); },
        static_cast<std::uint64_t>(timeout.count()) + 1, 0);
  }
}

void UvSocketChannel::onConnectTimeout() {
  timerActive_ = false;
  ChannelPromise promise = std::exchange(connectPromise_, {});
  if (promise.isValid()) {
    promise.tryFailure(
        Error(CoreErrc::Timeout, "connection timed out: " + connectingTo_.toString()));
  }
  close();
}

void UvSocketChannel::onConnectDone(int status) {
  if (timerActive_) {
    uv_timer_stop(&h_->connectTimer);
    timerActive_ = false;
  }
  ChannelPromise promise = std::exchange(connectPromise_, {});
  if (!promise.isValid()) {
    return;  // timed out already
  }
  if (status != 0) {
    promise.tryFailure(status == UV_ECANCELED
                           ? Error(CoreErrc::ClosedChannel, "closed while connecting")
                           : makeUvError(status, "connect to " + connectingTo_.toString()));
    close();
    return;
  }
  connected_ = true;
  rememberPeer();
  applySocketOptions();
  connectedTotal().inc();
  promise.trySuccess();
  onActive();
}

// ---- Read ---------------------------------------------------------------------------------

void UvSocketChannel::doBeginRead() { startReading(); }

void UvSocketChannel::startReading() {
  if (reading_ || !isActive()) {
    return;
  }
  reading_ = true;
  uv_read_start(
      stream(*h_),
      [](uv_handle_t* hd, std::size_t, uv_buf_t* buf) {
        UvSocketChannel& ch = detail::UvSocketHandles::channelOf(hd->data);
        if (ch.readBuf_.refCnt() == 0) {
          ch.readBuf_ = ch.alloc().buffer(ch.config().recvByteBufAllocator().guess());
        }
        auto span = ch.readBuf_.writableSpan();
        buf->base = reinterpret_cast<char*>(span.data());
        buf->len = span.size();
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
        detail::UvSocketHandles::channelOf(s->data).onRead(static_cast<long>(nread));
      });
}

void UvSocketChannel::doStopRead() {
  if (reading_) {
    reading_ = false;
    uv_read_stop(stream(*h_));
  }
}

void UvSocketChannel::onRead(long nread) {
  if (nread > 0) {
    const auto n = static_cast<std::size_t>(nread);
    readBuf_.writerIndex(readBuf_.writerIndex() + n);
    addBytesRead(n);
    config().recvByteBufAllocator().record(n);
    if (!readCompleteRequested_) {
      readCompleteRequested_ = true;
      detail::UvChannelHooks::requestReadComplete(loop_, shared_from_this(), client_.get());
    }
    if (!config().isAutoRead()) {
      doStopRead();  // one read per read() call while auto-read is off
    }
    pipeline().fireChannelRead(std::move(readBuf_));
    return;
  }
  if (nread == 0) {
    return;  // EAGAIN: the buffer waits for the next read
  }
  readBuf_ = ByteBuf();
  if (nread == UV_EOF) {
    // The peer closed its side (sluice does not keep half-open inputs).
    closeReason().record(CloseInitiator::Peer, "end of stream");
    close();
    return;
  }
  recordIoError(closeReason(), static_cast<int>(nread), "read");
  pipeline().fireExceptionCaught(makeUvError(static_cast<int>(nread), "read"));
  close();
}

// ---- Write --------------------------------------------------------------------------------

void UvSocketChannel::doWrite(ChannelOutboundBuffer&) {
  // Corked: the loop writes every flushed channel once, at the end of this iteration.
  if (!flushRequested_) {
    flushRequested_ = true;
    detail::UvChannelHooks::requestFlush(loop_, shared_from_this(), client_.get());
  }
}

void UvSocketChannel::writePending() {
  if (!isActive() || writeInFlight_) {
    return;
  }
  ChannelOutboundBuffer& buffer = outboundBuffer();
  std::array<iovec, kMaxIovecs> iov;
  while (!buffer.isEmpty()) {
    std::size_t bytes = 0;
    const std::size_t n = buffer.readableIovecs(iov, SIZE_MAX, bytes);
    if (n == 0) {
      Message* front = buffer.current();
      if (front != nullptr && !front->is<ByteBuf>() && !front->is<CompositeByteBuf>()) {
        buffer.remove(Error(CoreErrc::UnsupportedMessageType,
                            "a socket writes bytes; encode " + front->typeName() + " first"));
      } else {
        buffer.removeBytes(0);  // flushed empty buffers
      }
      continue;
    }
    int written = uv_try_write(stream(*h_), reinterpret_cast<uv_buf_t*>(iov.data()),
                               static_cast<unsigned>(n));
    if (written == UV_EAGAIN || written == UV_ENOSYS) {
      written = 0;
    } else if (written < 0) {
      recordIoError(closeReason(), written, "write");
      buffer.failFlushed(makeUvError(written, "write"));
      close();
      return;
    }
    addBytesWritten(static_cast<std::size_t>(written));
    buffer.removeBytes(static_cast<std::size_t>(written));
    if (static_cast<std::size_t>(written) < bytes) {
      // The socket is full: hand the rest to uv_write, which waits for it to drain. The
      // buffers stay in the outbound buffer (so their memory stays valid) until it is done.
      const std::size_t left = buffer.readableIovecs(iov, SIZE_MAX, inFlightBytes_);
      writeInFlight_ = true;
      h_->writeReq.data = this;
      const int rc = uv_write(&h_->writeReq, stream(*h_), reinterpret_cast<uv_buf_t*>(iov.data()),
                              static_cast<unsigned>(left), [](uv_write_t* req, int status) {
                                detail::UvSocketHandles::channelOf(req->data).onWriteDone(status);
                              });
      if (rc != 0) {
        writeInFlight_ = false;
        recordIoError(closeReason(), rc, "write");
        buffer.failFlushed(makeUvError(rc, "write"));
        close();
      }
      return;
    }
  }
}

void UvSocketChannel::onWriteDone(int status) {
  writeInFlight_ = false;
  if (status == UV_ECANCELED) {
    return;  // closing: onClosed fails what is left
  }
  if (status < 0) {
    recordIoError(closeReason(), status, "write");
    outboundBuffer().failFlushed(makeUvError(status, "write"));
    close();
    return;
  }
  addBytesWritten(inFlightBytes_);
  outboundBuffer().removeBytes(std::exchange(inFlightBytes_, 0));
  writePending();  // what was flushed while this write was in flight
}

ChannelFuture UvSocketChannel::shutdownOutput() {
  ChannelPromise promise = newPromise();
  auto run = [self = std::static_pointer_cast<UvSocketChannel>(shared_from_this()), promise] {
    if (!self->isActive()) {
      promise.tryFailure(Error(CoreErrc::ClosedChannel));
      return;
    }
    if (self->outputShutdown_) {
      promise.trySuccess();
      return;
    }
    self->outputShutdown_ = true;
    self->writePending();  // pending writes leave before the FIN
    auto* req = new uv_shutdown_t;
    req->data = new ChannelPromise(promise);
    const int rc = uv_shutdown(req, stream(*self->h_), [](uv_shutdown_t* r, int status) {
      std::unique_ptr<ChannelPromise> p(static_cast<ChannelPromise*>(r->data));
      delete r;
      if (status == 0) {
        p->trySuccess();
      } else {
        p->tryFailure(makeUvError(status, "shutdown"));
      }
    });
    if (rc != 0) {
      delete static_cast<ChannelPromise*>(req->data);
      delete req;
      promise.tryFailure(makeUvError(rc, "shutdown"));
    }
  };
  if (loop_.inEventLoop()) {
    run();
  } else {
    loop_.execute(std::move(run));
  }
  return promise;
}

// ---- Close --------------------------------------------------------------------------------

bool UvSocketChannel::doClose() noexcept {
  if (!open_) {
    return false;  // already closing; onHandleClosed finishes it
  }
  open_ = false;
  reading_ = false;
  readBuf_ = ByteBuf();
  ChannelPromise connecting = std::exchange(connectPromise_, {});
  if (connecting.isValid()) {
    connecting.tryFailure(Error(CoreErrc::ClosedChannel, "closed while connecting"));
  }
  auto closed = [](uv_handle_t* hd) {
    UvSocketChannel& ch = detail::UvSocketHandles::channelOf(hd->data);
    if (--ch.h_->handlesOpen == 0) {
      ch.onHandleClosed();
    }
  };
  // Closing the socket cancels a pending write or connect: their callbacks run first.
  uv_close(handle(&h_->tcp), closed);
  uv_close(handle(&h_->connectTimer), closed);
  return false;
}

void UvSocketChannel::onHandleClosed() {
  // The loop held the last reference, perhaps: keep it until onClosed has run.
  std::shared_ptr<Channel> self = detail::UvChannelHooks::unregisterChannel(loop_, this);
  onClosed();
  // A closed child no longer keeps its server alive (a server's child handler often holds
  // its children, which would make a cycle).
  parentRef_.reset();
}

}  // namespace sluice
