#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/Future.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/handler/ssl/SslContext.h>
#include <sluice/handler/ssl/SslError.h>
#include <sluice/handler/ssl/SslHandshakeCompletionEvent.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

namespace sluice {

/// TLS for one channel, through OpenSSL (Netty's SslHandler). Put it first in the pipeline:
/// below it flow TLS records, above it plaintext ByteBufs.
///
/// ```cpp
/// ch.pipeline().addLast(sslContext->newHandler());                 // a server
/// ch.pipeline().addLast(sslContext->newHandler("example.com", 443));  // a client
/// ```
///
/// OpenSSL works on in-memory buffers here, never on the socket, so the handler behaves the
/// same in an EmbeddedChannel and on TCP. Records received are read by OpenSSL straight from
/// the ByteBufs the transport filled; plaintext is decrypted into pooled buffers from the
/// channel's allocator (at most one record's worth, 16 KiB, per buffer) and fired as
/// ByteBufs. Plaintext written is encrypted straight from the ByteBuf's memory, in records of
/// up to 16 KiB, into pooled buffers that go to the transport; a write's promise completes
/// when its last record has been written to the socket.
///
/// Handshake. A client starts it when the channel becomes active (or at once, if it already
/// is); a server waits for the ClientHello. Writes made before it completes are held and sent
/// once it has (so the first application bytes never go out in clear). When it ends the
/// handler completes handshakeFuture() and fires an SslHandshakeCompletionEvent; on failure it
/// then fires exceptionCaught with the same error and closes the channel, after sending the
/// alert OpenSSL produced. If it does not finish within the handshake timeout (10 s by
/// default) it fails with SslErrc::HandshakeTimeout and the channel is closed.
///
/// Errors arrive as Error with an SslErrc code and OpenSSL's reason text: CertificateVerifyFailed
/// and HostnameMismatch (verification), UnsupportedProtocol, AlertReceived (the peer's alert),
/// NotSslRecord (plaintext or garbage), HandshakeTimeout, ClosedBeforeHandshake, ProtocolError
/// (after the handshake). Renegotiation is refused.
///
/// Closing. close() sends close_notify first and closes the channel once it has been
/// written, or after the close_notify flush timeout (3 s) if the peer does not read. A
/// close_notify from the peer fires SslCloseCompletionEvent and closes the channel.
///
/// Close reasons and metrics (CloseReason). A handshake timeout records
/// CloseInitiator::Timeout ("TLS handshake timeout 10000 ms"); another handshake failure
/// records Protocol ("TLS handshake: <reason>"), a fatal error after it Protocol ("TLS:
/// <reason>"), the peer's close_notify Peer. Each failed handshake (but one the peer abandoned
/// by closing) counts in sluice_handshake_failures_total{protocol="tls",reason}, reason one of
/// certificate, protocol_version, no_shared_cipher, not_tls, alert, timeout, other.
///
/// Flow control. With autoRead off, the handler still reads what the handshake needs on its
/// own; after it, a read() that yields only part of a record asks the transport for more, so
/// each read() the user makes produces plaintext (or the end of the stream).
///
/// Thread: the channel's loop. handshakeFuture() may be used from any thread; the queries
/// about the session (applicationProtocol(), isSessionReused(), peerSubject()...) may be
/// called from any thread once handshakeFuture() has succeeded, and from the loop at any time.
/// Not sharable: one handler per channel.
class SslHandler : public ChannelDuplexHandler {
 public:
  using Duration = EventExecutor::Duration;

  /// A server handler, or a client handler with no peer host (see SslContext::newHandler).
  explicit SslHandler(std::shared_ptr<const SslContext> context);
  /// A client handler for `peerHost`:`peerPort` (SNI, host-name verification, resumption).
  SslHandler(std::shared_ptr<const SslContext> context, std::string peerHost,
             std::uint16_t peerPort);
  ~SslHandler() override;

  const std::shared_ptr<const SslContext>& context() const noexcept { return context_; }
  bool isClient() const noexcept { return context_->isClient(); }
  const std::string& peerHost() const noexcept { return peerHost_; }
  std::uint16_t peerPort() const noexcept { return peerPort_; }

  /// Completes when the handshake does: successfully, or with its error. Listeners run on
  /// the thread that completes it, the channel's loop. Thread: any.
  Future<void> handshakeFuture() const { return handshakePromise_.future(); }

  /// Netty's setHandshakeTimeout: zero turns the timeout off. Set it before the handshake
  /// starts (before the handler is added to an active channel).
  void setHandshakeTimeout(Duration timeout) noexcept { handshakeTimeout_ = timeout; }
  Duration handshakeTimeout() const noexcept { return handshakeTimeout_; }
  /// Netty's setCloseNotifyFlushTimeout.
  void setCloseNotifyFlushTimeout(Duration timeout) noexcept { closeNotifyFlushTimeout_ = timeout; }
  Duration closeNotifyFlushTimeout() const noexcept { return closeNotifyFlushTimeout_; }

  /// The protocol ALPN selected ("h2"), or empty when none was.
  const std::string& applicationProtocol() const noexcept { return session_.applicationProtocol; }
  /// True when the handshake resumed an earlier session instead of a full handshake.
  bool isSessionReused() const noexcept { return session_.reused; }
  /// "TLSv1.3", once the handshake has succeeded.
  const std::string& protocol() const noexcept { return session_.protocol; }
  /// The cipher suite's OpenSSL name ("TLS_AES_256_GCM_SHA384").
  const std::string& cipherSuite() const noexcept { return session_.cipherSuite; }
  /// The peer certificate's subject in RFC 2253 form ("CN=localhost,O=sluice"), or empty
  /// when the peer sent none.
  const std::string& peerSubject() const noexcept { return session_.peerSubject; }
  /// The peer certificate's issuer, in the same form.
  const std::string& peerIssuer() const noexcept { return session_.peerIssuer; }
  /// The peer certificate in PEM, or empty.
  const std::string& peerCertificatePem() const noexcept { return session_.peerCertificatePem; }
  /// Server: the host name the client asked for with SNI, or empty.
  const std::string& sniHostName() const noexcept { return session_.sniHostName; }
  /// True once the handshake has succeeded.
  bool isHandshakeComplete() const noexcept { return handshakeDone_ && !handshakeFailed_; }

  /// Sends close_notify without closing the channel (Netty's closeOutbound()); the future
  /// completes when it has been written. Thread: the loop.
  ChannelFuture closeOutbound(ChannelHandlerContext& ctx);

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelActive(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void flush(ChannelHandlerContext& ctx) override;
  void read(ChannelHandlerContext& ctx) override;
  void close(ChannelHandlerContext& ctx, ChannelPromise promise) override;
  void disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) override;

  /// Uses `alloc` for the handler's buffers instead of the channel's allocator; it must
  /// outlive the handler. (SslContext::newHandler(alloc) calls it.)
  void setAllocator(ByteBufAllocator& alloc) noexcept { alloc_ = &alloc; }

  struct Engine;  // the OpenSSL side, private

 private:
  struct SessionInfo {
    std::string applicationProtocol;
    std::string protocol;
    std::string cipherSuite;
    std::string peerSubject;
    std::string peerIssuer;
    std::string peerCertificatePem;
    std::string sniHostName;
    bool reused = false;
  };
  struct PendingWrite {
    Message msg;
    ChannelPromise promise;
  };

  ByteBufAllocator& allocator(ChannelHandlerContext& ctx) const noexcept;
  bool setUpEngine(ChannelHandlerContext& ctx);
  void startHandshake(ChannelHandlerContext& ctx);
  // Runs the handshake as far as the bytes received allow; false when the handler failed.
  bool handshake(ChannelHandlerContext& ctx);
  void onHandshakeSuccess(ChannelHandlerContext& ctx);
  void failHandshake(ChannelHandlerContext& ctx, const Error& error, bool closeChannel);
  // Decrypts what was received and fires the plaintext; false when the handler failed.
  bool unwrap(ChannelHandlerContext& ctx);
  // Encrypts the pending writes; false when the handler failed.
  bool wrapPending(ChannelHandlerContext& ctx);
  // Writes the records produced so far toward the transport, with `promise`.
  void writeCiphertext(ChannelHandlerContext& ctx, ChannelPromise promise);
  void writeCiphertext(ChannelHandlerContext& ctx);
  void failPendingWrites(const Error& error);
  void onFatal(ChannelHandlerContext& ctx, const Error& error);
  void sendCloseNotify(ChannelHandlerContext& ctx, ChannelPromise closePromise);
  void flushAndClose(ChannelHandlerContext& ctx);
  // Closes with `closePromise` once `written` completes, or after the close_notify flush
  // timeout.
  void closeAfter(ChannelHandlerContext& ctx, const ChannelFuture& written,
                  ChannelPromise closePromise);
  Error errorFromSsl(int ret, bool duringHandshake);

  std::shared_ptr<const SslContext> context_;
  std::string peerHost_;
  std::uint16_t peerPort_ = 0;
  std::unique_ptr<Engine> engine_;
  ByteBufAllocator* alloc_ = nullptr;
  ChannelHandlerContext* ctx_ = nullptr;
  Promise<void> handshakePromise_;
  SessionInfo session_;
  std::deque<PendingWrite> pendingWrites_;
  ScheduledFuture handshakeTimer_;
  ScheduledFuture closeNotifyTimer_;
  Duration handshakeTimeout_;
  Duration closeNotifyFlushTimeout_;
  // Shared with timers and listeners that may outlive the handler; false once removed.
  std::shared_ptr<bool> alive_;
  Error setupError_;  // why the SSL object could not be made, if it could not
  bool handshakeStarted_ = false;
  bool handshakeDone_ = false;
  bool handshakeFailed_ = false;
  bool flushPending_ = false;    // a flush() arrived before the handshake completed
  bool readPending_ = false;     // the user asked read() and no plaintext came of it yet
  bool firedRead_ = false;       // plaintext fired in the current read burst
  bool needsFlush_ = false;      // records written toward the transport and not flushed
  bool outboundClosed_ = false;  // close_notify sent (or being sent)
  bool inboundClosed_ = false;   // close_notify received
  bool failed_ = false;          // a fatal error: everything further is dropped
  bool removed_ = false;
  bool noSharedCipher_ = false;  // the handshake failed for want of a shared cipher
};

}  // namespace sluice
