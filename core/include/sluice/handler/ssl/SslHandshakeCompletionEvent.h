#pragma once

#include <sluice/util/Error.h>

#include <utility>

namespace sluice {

/// The user event SslHandler fires once its handshake is over, successfully or not
/// (Netty's SslHandshakeCompletionEvent). A handler that must not speak before the peer is
/// authenticated waits for it; handshakeFuture() reports the same outcome. Thread: one at a
/// time.
class SslHandshakeCompletionEvent {
 public:
  /// The handshake succeeded (Netty's SslHandshakeCompletionEvent.SUCCESS).
  static SslHandshakeCompletionEvent success() { return SslHandshakeCompletionEvent(Error()); }
  /// The handshake failed with `cause` (an SslErrc error).
  explicit SslHandshakeCompletionEvent(Error cause) : cause_(std::move(cause)) {}

  bool isSuccess() const noexcept { return !cause_; }
  /// Empty when the handshake succeeded.
  const Error& cause() const noexcept { return cause_; }

 private:
  Error cause_;
};

/// The user event SslHandler fires when the peer's close_notify arrives, just before the
/// handler closes the channel (Netty's SslCloseCompletionEvent).
class SslCloseCompletionEvent {
 public:
  static SslCloseCompletionEvent success() { return SslCloseCompletionEvent(Error()); }
  explicit SslCloseCompletionEvent(Error cause) : cause_(std::move(cause)) {}

  bool isSuccess() const noexcept { return !cause_; }
  const Error& cause() const noexcept { return cause_; }

 private:
  Error cause_;
};

}  // namespace sluice
