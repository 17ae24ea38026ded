#include <fmt/format.h>
#include <openssl/x509v3.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/metrics/MetricsRegistry.h>
#include <sys/uio.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "SslContextImpl.h"

// OpenSSL's function-like macros (SSL_CTX_add0_chain_cert, SSL_set_tlsext_host_name...) cast
// in C style.
#pragma GCC diagnostic ignored "-Wold-style-cast"

namespace sluice {

namespace {

// The `reason` label of sluice_handshake_failures_total{protocol="tls"}: a small fixed set,
// so that a peer cannot grow the number of series.
std::string_view handshakeFailureKind(const Error& error, bool noSharedCipher) noexcept {
  if (error.code() == SslErrc::HandshakeTimeout) {
    return "timeout";
  }
  if (error.code() == SslErrc::CertificateVerifyFailed ||
      error.code() == SslErrc::HostnameMismatch) {
    return "certificate";
  }
  if (error.code() == SslErrc::UnsupportedProtocol) {
    return "protocol_version";
  }
  if (noSharedCipher) {
    return "no_shared_cipher";
  }
  if (error.code() == SslErrc::NotSslRecord) {
    return "not_tls";
  }
  if (error.code() == SslErrc::AlertReceived) {
    return "alert";
  }
  return "other";
}

// Records why a failed handshake closes the channel and counts it. A channel that closed
// during the handshake is not a failure of it: the transport has said why it closed.
void recordHandshakeFailure(Channel& channel, const Error& error, bool noSharedCipher,
                            SslHandler::Duration timeout) {
  if (error.code() == SslErrc::ClosedBeforeHandshake) {
    return;
  }
  if (error.code() == SslErrc::HandshakeTimeout) {
    channel.closeReason().record(
        CloseInitiator::Timeout,
        fmt::format("TLS handshake timeout {} ms",
                    std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()),
        error);
  } else {
    channel.closeReason().record(CloseInitiator::Protocol, "TLS handshake: " + error.message(),
                                 error);
  }
  // Once per failed connection: looking the series up here is cheap enough.
  MetricsRegistry::global()
      .counter("sluice_handshake_failures_total", "Handshakes that failed, by protocol and reason.",
               {{"protocol", "tls"},
                {"reason", std::string(handshakeFailureKind(error, noSharedCipher))}})
      .inc();
}

// The largest plaintext of one TLS record (RFC 8446 5.1, RFC 5246 6.2.1).
constexpr std::size_t kMaxPlaintextRecord = 16384;
// Room for a record's header, MAC or tag, padding and IV: generous for every cipher.
constexpr std::size_t kRecordOverhead = 128;
// At most this much plaintext is encrypted into one outbound buffer.
constexpr std::size_t kMaxWrapBatch = 4 * kMaxPlaintextRecord;
// The smallest outbound buffer (handshake flights, alerts, small writes).
constexpr std::size_t kMinCiphertextBuffer = 4096;

std::string nameToString(X509_NAME* name) {
  if (name == nullptr) {
    return {};
  }
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string certificatePem(X509* cert) {
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

/// The OpenSSL side of a handler: the SSL object and the BIO it reads records from and
/// writes records to. The BIO is ours, over ByteBufs: OpenSSL reads received records straight
/// from the buffers the transport filled, and writes the records it makes into pooled
/// buffers that go to the transport as they are, so no bytes pass through an intermediate
/// memory BIO.
struct SslHandler::Engine {
  ~Engine() {
    if (ssl != nullptr) {
      SSL_free(ssl);  // frees the BIO too
    }
  }

  // Takes the records written so far: the full buffers first, then the current one.
  void takeCiphertext(std::vector<ByteBuf>& out) {
    for (ByteBuf& b : ready) {
      out.push_back(std::move(b));
    }
    ready.clear();
    if (current.isReadable()) {
      out.push_back(std::move(current));
    }
    current = ByteBuf();
  }
  bool hasCiphertext() const noexcept { return !ready.empty() || current.isReadable(); }

  static int bioWrite(BIO* bio, const char* data, std::size_t len, std::size_t* written);
  static int bioRead(BIO* bio, char* data, std::size_t len, std::size_t* readBytes);
  static long bioCtrl(BIO* bio, int cmd, long num, void* ptr);
  static int bioCreate(BIO* bio);
  static BIO_METHOD* bioMethod();

  SSL* ssl = nullptr;
  std::string sessionKey;
  ByteBufAllocator* alloc = nullptr;
  // Received records not yet read by OpenSSL, oldest first.
  std::deque<ByteBuf> in;
  std::size_t inBytes = 0;
  // Records made by OpenSSL: full buffers, and the one being filled.
  std::vector<ByteBuf> ready;
  ByteBuf current;
  // How big the next outbound buffer should be: the ciphertext of the plaintext about to be
  // encrypted, so a large write fills buffers without regrowing them.
  std::size_t outHint = 0;
  bool allocFailed = false;
};

int SslHandler::Engine::bioWrite(BIO* bio, const char* data, std::size_t len,
                                 std::size_t* written) {
  auto* e = static_cast<Engine*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  try {
    if (e->current.writableBytes() < len) {
      // Start a new buffer rather than regrow (and copy) the current one.
      if (e->current.isReadable()) {
        e->ready.push_back(std::move(e->current));
      }
      e->current = e->alloc->buffer(std::max({len, e->outHint, kMinCiphertextBuffer}));
    }
    e->current.writeBytes(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data), len));
  } catch (...) {
    e->allocFailed = true;
    return 0;
  }
  *written = len;
  return 1;
}

int SslHandler::Engine::bioRead(BIO* bio, char* data, std::size_t len, std::size_t* readBytes) {
  auto* e = static_cast<Engine*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (e->in.empty()) {
    BIO_set_retry_read(bio);  // SSL_ERROR_WANT_READ: more bytes will come
    return 0;
  }
  std::size_t n = 0;
  while (n < len && !e->in.empty()) {
    ByteBuf& front = e->in.front();
    const std::size_t k = std::min(len - n, front.readableBytes());
    front.readBytes(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(data) + n, k));
    n += k;
    if (!front.isReadable()) {
      e->in.pop_front();
    }
  }
  e->inBytes -= n;
  *readBytes = n;
  return 1;
}

long SslHandler::Engine::bioCtrl(BIO* bio, int cmd, long, void*) {
  auto* e = static_cast<Engine*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return static_cast<long>(e->inBytes);
    case BIO_CTRL_WPENDING:
      return 0;
    default:
      return 0;
  }
}

int SslHandler::Engine::bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* SslHandler::Engine::bioMethod() {
  // One immutable table of functions for the process; never freed.
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sluice ByteBuf");
    BIO_meth_set_write_ex(m, &Engine::bioWrite);
    BIO_meth_set_read_ex(m, &Engine::bioRead);
    BIO_meth_set_ctrl(m, &Engine::bioCtrl);
    BIO_meth_set_create(m, &Engine::bioCreate);
    return m;
  }();
  return method;
}

// ---- SslContext's factories ------------------------------------------------------------

std::unique_ptr<SslHandler> SslContext::newHandler() const {
  return std::make_unique<SslHandler>(shared_from_this());
}

std::unique_ptr<SslHandler> SslContext::newHandler(ByteBufAllocator& alloc) const {
  auto h = newHandler();
  h->setAllocator(alloc);
  return h;
}

std::unique_ptr<SslHandler> SslContext::newHandler(std::string peerHost,
                                                   std::uint16_t peerPort) const {
  return std::make_unique<SslHandler>(shared_from_this(), std::move(peerHost), peerPort);
}

std::unique_ptr<SslHandler> SslContext::newHandler(ByteBufAllocator& alloc, std::string peerHost,
                                                   std::uint16_t peerPort) const {
  auto h = newHandler(std::move(peerHost), peerPort);
  h->setAllocator(alloc);
  return h;
}

// ---- SslHandler --------------------------------------------------------------------------

SslHandler::SslHandler(std::shared_ptr<const SslContext> context)
    : SslHandler(std::move(context), {}, 0) {}

SslHandler::SslHandler(std::shared_ptr<const SslContext> context, std::string peerHost,
                       std::uint16_t peerPort)
    : context_(std::move(context)),
      peerHost_(std::move(peerHost)),
      peerPort_(peerPort),
      handshakePromise_(Promise<void>::make(nullptr)),
      handshakeTimeout_(context_->handshakeTimeout()),
      closeNotifyFlushTimeout_(context_->closeNotifyFlushTimeout()),
      alive_(std::make_shared<bool>(true)) {}

SslHandler::~SslHandler() {
  *alive_ = false;
  handshakePromise_.tryFailure(Error(make_error_code(SslErrc::ClosedBeforeHandshake),
                                     "the SslHandler was destroyed during the handshake"));
}

ByteBufAllocator& SslHandler::allocator(ChannelHandlerContext& ctx) const noexcept {
  return alloc_ != nullptr ? *alloc_ : ctx.alloc();
}

void SslHandler::handlerAdded(ChannelHandlerContext& ctx) {
  ctx_ = &ctx;
  engine_ = std::make_unique<Engine>();
  engine_->alloc = &allocator(ctx);
  engine_->ssl = context_->impl().newSsl(peerHost_, peerPort_, engine_->sessionKey, setupError_);
  if (engine_->ssl != nullptr) {
    BIO* bio = BIO_new(Engine::bioMethod());
    BIO_set_data(bio, engine_.get());
    SSL_set_bio(engine_->ssl, bio, bio);
    // Let OpenSSL take whole records (and more) per BIO read.
    SSL_set_read_ahead(engine_->ssl, 1);
  }
  if (ctx.channel().isActive()) {
    // Added to a live channel: start once the handlers added with this one are in place too
    // (they would miss an early failure's events), unless channelActive comes first.
    auto alive = alive_;
    ctx.executor().execute([this, alive, &ctx] {
      if (*alive && !handshakeStarted_) {
        startHandshake(ctx);
      }
    });
  }
}

void SslHandler::handlerRemoved(ChannelHandlerContext&) {
  removed_ = true;
  *alive_ = false;
  for (ScheduledFuture* f : {&handshakeTimer_, &closeNotifyTimer_}) {
    if (f->isValid()) {
      f->cancel();
      *f = ScheduledFuture();
    }
  }
  failPendingWrites(Error(CoreErrc::ClosedChannel));
  if (!handshakeDone_) {
    handshakeDone_ = handshakeFailed_ = true;
    handshakePromise_.tryFailure(Error(make_error_code(SslErrc::ClosedBeforeHandshake),
                                       "the SslHandler was removed during the handshake"));
  }
  engine_.reset();
  ctx_ = nullptr;
}

void SslHandler::channelActive(ChannelHandlerContext& ctx) {
  if (!handshakeStarted_) {
    startHandshake(ctx);
  }
  ctx.fireChannelActive();
}

void SslHandler::startHandshake(ChannelHandlerContext& ctx) {
  handshakeStarted_ = true;
  if (!engine_ || engine_->ssl == nullptr) {
    failHandshake(ctx, setupError_, true);
    return;
  }
  if (handshakeTimeout_ > Duration::zero()) {
    auto alive = alive_;
    handshakeTimer_ = ctx.executor().schedule(
        [this, alive, &ctx] {
          if (!*alive || handshakeDone_) {
            return;
          }
          failHandshake(ctx,
                        Error(make_error_code(SslErrc::HandshakeTimeout),
                              fmt::format("TLS handshake timed out after {} ms",
                                          std::chrono::duration_cast<std::chrono::milliseconds>(
                                              handshakeTimeout_)
                                              .count())),
                        true);
        },
        handshakeTimeout_);
  }
  if (isClient()) {
    if (handshake(ctx) && needsFlush_) {
      needsFlush_ = false;
      ctx.flush();
    }
  }
  // A server waits for the ClientHello; with autoRead off it asks for it itself.
  if (!handshakeDone_ && !ctx.channel().config().isAutoRead()) {
    ctx.read();
  }
}

bool SslHandler::handshake(ChannelHandlerContext& ctx) {
  ERR_clear_error();
  const int r = SSL_do_handshake(engine_->ssl);
  if (r == 1) {
    writeCiphertext(ctx);
    onHandshakeSuccess(ctx);
    return !failed_ && !removed_;
  }
  const int err = SSL_get_error(engine_->ssl, r);
  if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && !engine_->allocFailed) {
    writeCiphertext(ctx);
    return true;
  }
  const Error error = errorFromSsl(r, true);
  failHandshake(ctx, error, true);  // which sends the alert OpenSSL made, if any
  return false;
}

void SslHandler::onHandshakeSuccess(ChannelHandlerContext& ctx) {
  SSL* ssl = engine_->ssl;
  if (handshakeTimer_.isValid()) {
    handshakeTimer_.cancel();
    handshakeTimer_ = ScheduledFuture();
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpnLength = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpnLength);
  session_.applicationProtocol.assign(reinterpret_cast<const char*>(alpn), alpnLength);
  session_.reused = SSL_session_reused(ssl) == 1;
  session_.protocol = SSL_get_version(ssl);
  session_.cipherSuite = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
  if (X509* peer = SSL_get0_peer_certificate(ssl)) {
    session_.peerSubject = nameToString(X509_get_subject_name(peer));
    session_.peerIssuer = nameToString(X509_get_issuer_name(peer));
    session_.peerCertificatePem = certificatePem(peer);
  }
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
    session_.sniHostName = sni;
  }
  handshakeDone_ = true;
  // The session fields are written before the promise publishes them to other threads.
  handshakePromise_.trySuccess();
  ctx.fireUserEventTriggered(SslHandshakeCompletionEvent::success());
  if (removed_ || failed_) {
    return;
  }
  if (flushPending_) {
    flushPending_ = false;
    if (!wrapPending(ctx)) {
      return;
    }
  }
  if (needsFlush_) {
    needsFlush_ = false;
    ctx.flush();
  }
}

void SslHandler::failHandshake(ChannelHandlerContext& ctx, const Error& error, bool closeChannel) {
  if (handshakeDone_) {
    return;
  }
  handshakeDone_ = handshakeFailed_ = true;
  failed_ = true;
  if (handshakeTimer_.isValid()) {
    handshakeTimer_.cancel();
    handshakeTimer_ = ScheduledFuture();
  }
  failPendingWrites(error);
  recordHandshakeFailure(ctx.channel(), error, noSharedCipher_, handshakeTimeout_);
  handshakePromise_.tryFailure(error);
  ctx.fireUserEventTriggered(SslHandshakeCompletionEvent(error));
  if (error.code() != SslErrc::ClosedBeforeHandshake) {
    ctx.fireExceptionCaught(error);
  }
  if (closeChannel && !removed_) {
    flushAndClose(ctx);
  }
}

void SslHandler::flushAndClose(ChannelHandlerContext& ctx) {
  // The alert OpenSSL made (if any) goes out before the socket closes: a transport writes a
  // flush later in the loop's iteration, so an immediate close would drop it.
  ChannelPromise written = ctx.newPromise();
  writeCiphertext(ctx, written);
  needsFlush_ = false;
  ctx.flush();
  closeAfter(ctx, written, ctx.newPromise());
}

void SslHandler::closeAfter(ChannelHandlerContext& ctx, const ChannelFuture& written,
                            ChannelPromise closePromise) {
  auto alive = alive_;
  auto done = std::make_shared<bool>(false);
  ChannelHandlerContext* c = &ctx;
  auto closeOnce = [alive, done, c, closePromise]() mutable {
    if (std::exchange(*done, true)) {
      return;
    }
    if (*alive) {
      c->close(closePromise);
    } else {
      closePromise.trySuccess();  // the handler is gone: the channel is closing already
    }
  };
  if (closeNotifyFlushTimeout_ > Duration::zero() && !written.isDone()) {
    closeNotifyTimer_ = ctx.executor().schedule(closeOnce, closeNotifyFlushTimeout_);
  }
  written.addListener([closeOnce](const ChannelFuture&) mutable { closeOnce(); });
}

void SslHandler::channelInactive(ChannelHandlerContext& ctx) {
  if (!handshakeDone_) {
    failHandshake(ctx,
                  Error(make_error_code(SslErrc::ClosedBeforeHandshake),
                        "the connection closed during the TLS handshake"),
                  false);
  }
  failPendingWrites(Error(CoreErrc::ClosedChannel));
  if (closeNotifyTimer_.isValid()) {
    closeNotifyTimer_.cancel();
    closeNotifyTimer_ = ScheduledFuture();
  }
  ctx.fireChannelInactive();
}

void SslHandler::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (!msg.isExactly<ByteBuf>()) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  if (failed_ || removed_ || inboundClosed_ || !engine_ || engine_->ssl == nullptr) {
    return;  // dropped: the connection is failing or closing
  }
  ByteBuf buf = msg.take<ByteBuf>();
  if (!buf.isReadable()) {
    return;
  }
  engine_->inBytes += buf.readableBytes();
  engine_->in.push_back(std::move(buf));
  if (!handshakeStarted_) {
    startHandshake(ctx);
    if (failed_) {
      return;
    }
  }
  if (!handshakeDone_) {
    if (!handshake(ctx) || !handshakeDone_) {
      if (!failed_ && needsFlush_) {
        needsFlush_ = false;
        ctx.flush();
      }
      return;
    }
  }
  if (!unwrap(ctx)) {
    return;
  }
  if (needsFlush_ && !removed_) {
    needsFlush_ = false;
    ctx.flush();
  }
}

bool SslHandler::unwrap(ChannelHandlerContext& ctx) {
  ByteBufAllocator& alloc = allocator(ctx);
  ByteBuf plain;
  const auto firePlain = [&] {
    if (plain.isReadable()) {
      firedRead_ = true;
      readPending_ = false;
      ctx.fireChannelRead(std::move(plain));
    }
    plain = ByteBuf();
  };
  while (true) {
    if (removed_ || failed_ || !engine_) {
      return false;
    }
    if (plain.capacity() == 0) {
      // Sized to what can come: one record at most, less when fewer bytes are pending.
      const std::size_t want =
          SSL_has_pending(engine_->ssl) == 1
              ? kMaxPlaintextRecord
              : std::clamp<std::size_t>(engine_->inBytes, 1024, kMaxPlaintextRecord);
      plain = alloc.buffer(want, want);
    }
    ERR_clear_error();
    std::size_t n = 0;
    std::span<std::uint8_t> space = plain.writableSpan();
    const int r = SSL_read_ex(engine_->ssl, space.data(), space.size(), &n);
    if (r == 1) {
      plain.writerIndex(plain.writerIndex() + n);
      if (!plain.isWritable()) {
        firePlain();
      }
      continue;
    }
    const int err = SSL_get_error(engine_->ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      writeCiphertext(ctx);  // post-handshake messages OpenSSL answered (key update)
      firePlain();
      return !failed_ && !removed_;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      // The peer's close_notify: no more data will come. Answer it and close.
      firePlain();
      if (removed_ || failed_) {
        return false;
      }
      inboundClosed_ = true;
      ctx.channel().closeReason().record(CloseInitiator::Peer, "TLS close_notify");
      ctx.fireUserEventTriggered(SslCloseCompletionEvent::success());
      if (!removed_ && !failed_) {
        if (!outboundClosed_) {
          sendCloseNotify(ctx, ctx.newPromise());
        }
      }
      return false;
    }
    firePlain();
    if (removed_ || failed_) {
      return false;
    }
    const Error error = errorFromSsl(r, false);
    onFatal(ctx, error);
    return false;
  }
}

void SslHandler::channelReadComplete(ChannelHandlerContext& ctx) {
  if (needsFlush_ && !removed_) {
    needsFlush_ = false;
    ctx.flush();
  }
  // With autoRead off, keep reading while the handshake needs bytes, and while a read() the
  // user made has produced no plaintext yet (a record split across reads).
  if (!failed_ && !removed_ && !inboundClosed_ && !ctx.channel().config().isAutoRead() &&
      (!handshakeDone_ || (readPending_ && !firedRead_))) {
    ctx.read();
  }
  firedRead_ = false;
  ctx.fireChannelReadComplete();
}

void SslHandler::read(ChannelHandlerContext& ctx) {
  readPending_ = true;
  ctx.read();
}

void SslHandler::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  // Anything that is a ByteBuf: an EncodedMessage (one share of a ChannelGroup broadcast)
  // is one too.
  if (!msg.is<ByteBuf>() && !msg.is<CompositeByteBuf>()) {
    promise.tryFailure(
        Error(CoreErrc::UnsupportedMessageType,
              "SslHandler encrypts ByteBuf and CompositeByteBuf, not " + msg.typeName()));
    return;
  }
  if (failed_ || outboundClosed_ || removed_) {
    promise.tryFailure(Error(CoreErrc::ClosedChannel, "the TLS connection is closed"));
    return;
  }
  (void)ctx;
  pendingWrites_.push_back(PendingWrite{std::move(msg), std::move(promise)});
}

void SslHandler::flush(ChannelHandlerContext& ctx) {
  if (failed_ || removed_) {
    ctx.flush();
    return;
  }
  if (!handshakeDone_) {
    flushPending_ = true;  // sent when the handshake completes
    return;
  }
  if (!wrapPending(ctx)) {
    return;
  }
  needsFlush_ = false;
  ctx.flush();
}

bool SslHandler::wrapPending(ChannelHandlerContext& ctx) {
  std::size_t remaining = 0;
  for (const PendingWrite& w : pendingWrites_) {
    remaining += estimateMessageSize(w.msg);
  }
  while (!pendingWrites_.empty()) {
    PendingWrite w = std::move(pendingWrites_.front());
    pendingWrites_.pop_front();
    bool ok = true;
    const auto encrypt = [&](std::span<const std::uint8_t> data) {
      while (ok && !data.empty()) {
        const std::size_t batch = std::min(remaining, kMaxWrapBatch);
        engine_->outHint = batch + (batch / kMaxPlaintextRecord + 1) * kRecordOverhead;
        // Straight from the buffer's memory, one record per call.
        const std::size_t chunk = std::min(data.size(), kMaxPlaintextRecord);
        std::size_t written = 0;
        ERR_clear_error();
        const int r = SSL_write_ex(engine_->ssl, data.data(), chunk, &written);
        if (r != 1 || engine_->allocFailed) {
          ok = false;
          return;
        }
        data = data.subspan(written);
        remaining -= std::min(remaining, written);
      }
    };
    if (const ByteBuf* buf = w.msg.getIf<ByteBuf>()) {
      encrypt(buf->readableSpan());
    } else if (const CompositeByteBuf* comp = w.msg.getIf<CompositeByteBuf>()) {
      std::vector<iovec> iov(comp->nioBufferCount());
      iov.resize(comp->readableIovecs(iov));
      for (const iovec& v : iov) {
        encrypt({static_cast<const std::uint8_t*>(v.iov_base), v.iov_len});
      }
    }
    engine_->outHint = 0;
    w.msg.reset();  // the plaintext is no longer needed
    if (!ok) {
      const Error error = errorFromSsl(0, false);
      w.promise.tryFailure(error);
      onFatal(ctx, error);
      return false;
    }
    if (w.promise.isVoid() && !pendingWrites_.empty()) {
      continue;  // nobody waits for this one: its records go out with the next write's
    }
    writeCiphertext(ctx, std::move(w.promise));
  }
  return true;
}

void SslHandler::writeCiphertext(ChannelHandlerContext& ctx) {
  writeCiphertext(ctx, ctx.voidPromise());
}

void SslHandler::writeCiphertext(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (!engine_ || !engine_->hasCiphertext()) {
    if (!promise.isVoid()) {
      promise.trySuccess();  // nothing to send (an empty write)
    }
    return;
  }
  std::vector<ByteBuf> bufs;
  engine_->takeCiphertext(bufs);
  for (std::size_t i = 0; i + 1 < bufs.size(); ++i) {
    ctx.write(std::move(bufs[i]), ctx.voidPromise());
  }
  ctx.write(std::move(bufs.back()), std::move(promise));
  needsFlush_ = true;
}

void SslHandler::failPendingWrites(const Error& error) {
  std::deque<PendingWrite> writes;
  writes.swap(pendingWrites_);
  for (PendingWrite& w : writes) {
    w.msg.reset();
    // A void promise would fire exceptionCaught; a write lost to a close is not news.
    if (!w.promise.isVoid() || error.code() != CoreErrc::ClosedChannel) {
      w.promise.tryFailure(error);
    }
  }
}

void SslHandler::onFatal(ChannelHandlerContext& ctx, const Error& error) {
  if (failed_) {
    return;
  }
  failed_ = true;
  failPendingWrites(error);
  ctx.channel().closeReason().record(CloseInitiator::Protocol, "TLS: " + error.message(), error);
  ctx.fireExceptionCaught(error);
  if (!removed_) {
    flushAndClose(ctx);  // with the alert
  }
}

void SslHandler::close(ChannelHandlerContext& ctx, ChannelPromise promise) {
  if (failed_ || removed_ || outboundClosed_ || !engine_ || engine_->ssl == nullptr ||
      !handshakeDone_) {
    // No close_notify during the handshake (OpenSSL cannot send one then): just close.
    ctx.close(std::move(promise));
    return;
  }
  sendCloseNotify(ctx, std::move(promise));
}

void SslHandler::disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) {
  close(ctx, std::move(promise));
}

ChannelFuture SslHandler::closeOutbound(ChannelHandlerContext& ctx) {
  if (outboundClosed_ || failed_ || removed_ || !handshakeDone_) {
    return ctx.newSucceededFuture();
  }
  outboundClosed_ = true;
  if (!wrapPending(ctx)) {
    return ctx.newFailedFuture(Error(CoreErrc::ClosedChannel));
  }
  ERR_clear_error();
  SSL_shutdown(engine_->ssl);
  ChannelPromise written = ctx.newPromise();
  writeCiphertext(ctx, written);
  needsFlush_ = false;
  ctx.flush();
  return written;
}

void SslHandler::sendCloseNotify(ChannelHandlerContext& ctx, ChannelPromise closePromise) {
  // Writes held back are sent first, then close_notify (RFC 8446 6.1).
  ChannelFuture written = closeOutbound(ctx);
  closeAfter(ctx, written, std::move(closePromise));
}

Error SslHandler::errorFromSsl(int ret, bool duringHandshake) {
  SSL* ssl = engine_->ssl;
  if (engine_->allocFailed) {
    ERR_clear_error();
    return Error(
        make_error_code(duringHandshake ? SslErrc::HandshakeFailed : SslErrc::ProtocolError),
        "out of memory for TLS records");
  }
  const int err = SSL_get_error(ssl, ret);
  const unsigned long e = ERR_peek_error();
  const int reason = ERR_GET_LIB(e) == ERR_LIB_SSL ? ERR_GET_REASON(e) : 0;
  const SslErrc fallback = duringHandshake ? SslErrc::HandshakeFailed : SslErrc::ProtocolError;
  if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    const long verify = SSL_get_verify_result(ssl);
    ERR_clear_error();
    const SslErrc code =
        verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH
            ? SslErrc::HostnameMismatch
            : SslErrc::CertificateVerifyFailed;
    std::string message =
        std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
    if (code == SslErrc::HostnameMismatch) {
      message += " (expected " + peerHost_ + ")";
    }
    return Error(make_error_code(code), std::move(message));
  }
  SslErrc code = fallback;
  std::string what;
  if (reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION || reason == SSL_R_UNSUPPORTED_PROTOCOL ||
      reason == SSL_R_NO_PROTOCOLS_AVAILABLE || reason == SSL_R_VERSION_TOO_LOW ||
      reason == SSL_R_VERSION_TOO_HIGH) {
    code = SslErrc::UnsupportedProtocol;
  } else if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    code = SslErrc::AlertReceived;
    what = "the peer sent an alert";
  } else if (reason == SSL_R_HTTP_REQUEST || reason == SSL_R_HTTPS_PROXY_REQUEST ||
             reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_UNKNOWN_PROTOCOL ||
             reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_RECORD_LENGTH_MISMATCH) {
    code = SslErrc::NotSslRecord;
  } else if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
    code = SslErrc::CertificateVerifyFailed;
  } else if (reason == SSL_R_NO_SHARED_CIPHER) {
    noSharedCipher_ = duringHandshake;  // HandshakeFailed, told apart for the metric
  } else if (e == 0 && err == SSL_ERROR_SYSCALL) {
    what = "unexpected end of the TLS stream";
  }
  return detail::sslError(code, what);
}

}  // namespace sluice
