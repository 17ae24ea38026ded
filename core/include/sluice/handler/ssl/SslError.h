#pragma once

#include <system_error>

namespace sluice {

/// Errors of TLS: SslContextBuilder, SslHandler, SniHandler and SelfSignedCertificate.
/// Each Error made with one of these carries OpenSSL's own reason text in its message
/// ("certificate verify failed: unable to get local issuer certificate"), so logs say what
/// OpenSSL said; the code says what kind of failure it was, for code to branch on.
enum class SslErrc {
  /// The handshake failed for a reason none of the codes below names (no shared cipher or
  /// group, a malformed handshake message...). Condition: SslCondition::HandshakeFailure.
  HandshakeFailed = 1,
  /// The peer's certificate chain did not verify against the trust store (untrusted,
  /// expired, self-signed...), or a required client certificate was missing.
  /// Condition: SslCondition::VerificationFailure.
  CertificateVerifyFailed,
  /// The peer's certificate is valid but not for the host name (or IP address) that was
  /// dialled. Condition: SslCondition::VerificationFailure.
  HostnameMismatch,
  /// No protocol version both sides allow (a TLS 1.0 or 1.1 peer against the TLS 1.2+
  /// default). Condition: SslCondition::HandshakeFailure.
  UnsupportedProtocol,
  /// The peer sent a fatal TLS alert; the message names it ("tlsv1 alert unknown ca").
  /// Condition: SslCondition::HandshakeFailure during the handshake.
  AlertReceived,
  /// The bytes received are not TLS records (plain HTTP sent to a TLS port, garbage)
  /// (Netty's NotSslRecordException). Condition: SslCondition::HandshakeFailure.
  NotSslRecord,
  /// The handshake did not finish within the handshake timeout (10 s by default); the
  /// channel is closed. Condition: std::errc::timed_out.
  HandshakeTimeout,
  /// The channel closed before the handshake finished.
  ClosedBeforeHandshake,
  /// A TLS record failed after the handshake (bad MAC, unexpected message, renegotiation
  /// attempt refused...).
  ProtocolError,
  /// A certificate, key, trust store or setting given to SslContextBuilder could not be used
  /// (unreadable file, bad PEM, key not matching the certificate, unknown cipher or group).
  /// Condition: std::errc::invalid_argument.
  InvalidConfiguration,
  /// A PKCS#12 bundle or encrypted key could not be opened with the password given.
  /// Condition: std::errc::invalid_argument.
  WrongPassword,
  /// A key store in a format OpenSSL cannot read: Java's JKS or JCEKS. The message says how to
  /// convert it to PKCS#12 with keytool. Condition: std::errc::invalid_argument.
  UnsupportedKeyStore,
};

/// Broad kinds of SslErrc, for `error.code() == SslCondition::VerificationFailure`.
enum class SslCondition {
  /// The TLS handshake failed (any cause but verification).
  HandshakeFailure = 1,
  /// The peer's identity could not be verified (chain or host name).
  VerificationFailure,
};

}  // namespace sluice

template <>
struct std::is_error_code_enum<sluice::SslErrc> : std::true_type {};
template <>
struct std::is_error_condition_enum<sluice::SslCondition> : std::true_type {};

namespace sluice {

/// The category of SslErrc, named "sluice.ssl".
const std::error_category& sslCategory() noexcept;
/// The category of SslCondition, named "sluice.ssl-condition".
const std::error_category& sslConditionCategory() noexcept;

inline std::error_code make_error_code(SslErrc e) noexcept {  // NOLINT: found by ADL
  return {static_cast<int>(e), sslCategory()};
}
inline std::error_condition make_error_condition(SslCondition e) noexcept {  // NOLINT: ADL
  return {static_cast<int>(e), sslConditionCategory()};
}

}  // namespace sluice
