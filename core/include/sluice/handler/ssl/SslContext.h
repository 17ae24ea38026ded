#pragma once

#include <sluice/concurrent/EventExecutor.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

class ByteBufAllocator;
class SslHandler;
class SslContextBuilder;

/// Whether a server asks for, or insists on, a client certificate (Netty's ClientAuth).
enum class ClientAuth {
  /// No client certificate is requested (the default).
  None,
  /// One is requested and verified if sent; a client without one is accepted.
  Optional,
  /// One is required: a client without a valid certificate fails the handshake.
  Require,
};

/// The TLS settings of a client or a server, made once by SslContextBuilder and shared by
/// every connection (Netty's SslContext). It wraps an OpenSSL SSL_CTX: certificates, keys,
/// trust store, protocols and ciphers, ALPN, and the session caches (the server's cache
/// and ticket keys, the client's sessions per host and port).
///
/// Each connection gets its own SslHandler, from newHandler() or SslHandler's constructors.
///
/// Ownership: held as std::shared_ptr<const SslContext>; each SslHandler keeps the context
/// it was made from alive, so replacing a context (a certificate reload) affects only new
/// connections. Thread: any. A context is immutable once built, apart from its session
/// caches, which are locked.
class SslContext : public std::enable_shared_from_this<SslContext> {
 public:
  struct Impl;

  ~SslContext();
  SslContext(const SslContext&) = delete;
  SslContext& operator=(const SslContext&) = delete;

  bool isClient() const noexcept;
  bool isServer() const noexcept { return !isClient(); }

  /// A handler for one connection, client or server as this context is. A client handler
  /// made this way sends no SNI name and, with host-name verification on (the default),
  /// fails its handshake: clients should use the overload with the peer's host.
  std::unique_ptr<SslHandler> newHandler() const;
  /// As above, with `alloc` for the handler's buffers instead of the channel's allocator
  /// (Netty's newHandler(ByteBufAllocator)). `alloc` must outlive the handler.
  std::unique_ptr<SslHandler> newHandler(ByteBufAllocator& alloc) const;
  /// A client handler for `peerHost`:`peerPort`: it sends `peerHost` as SNI (unless it is an
  /// IP address), verifies the certificate against it, and resumes the session of an
  /// earlier connection to the same host and port.
  std::unique_ptr<SslHandler> newHandler(std::string peerHost, std::uint16_t peerPort) const;
  std::unique_ptr<SslHandler> newHandler(ByteBufAllocator& alloc, std::string peerHost,
                                         std::uint16_t peerPort) const;

  /// The ALPN protocols offered (client) or accepted (server), in preference order.
  const std::vector<std::string>& applicationProtocols() const noexcept;
  /// The handshake timeout handlers made from this context start with (default 10 s).
  EventExecutor::Duration handshakeTimeout() const noexcept;
  /// How long a close waits for close_notify to be written (default 3 s).
  EventExecutor::Duration closeNotifyFlushTimeout() const noexcept;

  /// Server: generates a new session-ticket key now; tickets made with the previous key are
  /// still accepted (and renewed), older ones are not. Keys also rotate on their own once
  /// they are older than the builder's sessionTicketKeyLifetime (default 1 hour).
  /// Client: does nothing.
  void rotateTicketKeys() const;
  /// Client: how many sessions are kept for resumption (one per host and port).
  std::size_t cachedClientSessions() const;

  /// The underlying SSL_CTX*, for settings this API does not cover. Changing it after
  /// connections have started is a race.
  void* nativeHandle() const noexcept;

  /// For SslHandler and the builder.
  Impl& impl() const noexcept { return *impl_; }

 private:
  friend class SslContextBuilder;
  explicit SslContext(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
