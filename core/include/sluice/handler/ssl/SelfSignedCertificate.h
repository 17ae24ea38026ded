#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sluice {

/// The kind of key SelfSignedCertificate generates.
enum class CertificateKeyType {
  /// ECDSA on P-256 (the default: small and fast).
  EcP256,
  /// RSA, 2048 bits.
  Rsa2048,
};

/// What SelfSignedCertificate puts in a certificate.
struct SelfSignedCertificateConfig {
  /// The subject's common name.
  std::string commonName = "localhost";
  /// DNS names in the subjectAltName extension (what clients check host names against).
  std::vector<std::string> hostNames{"localhost"};
  /// IP addresses in the subjectAltName extension.
  std::vector<std::string> ipAddresses{"127.0.0.1", "::1"};
  CertificateKeyType keyType = CertificateKeyType::EcP256;
  /// Valid from a day ago (for clocks that lag) to this long from now.
  std::chrono::seconds validity = std::chrono::hours(24 * 365);
  /// A certificate authority (basicConstraints CA:TRUE, keyCertSign) that issue() can sign
  /// with, instead of a server or client certificate.
  bool ca = false;
};

/// A key and an X.509 certificate generated at run time through OpenSSL, for tests and
/// examples (Netty's SelfSignedCertificate): by default an EC P-256 key and a certificate for
/// "localhost", 127.0.0.1 and ::1.
///
/// ```cpp
/// SelfSignedCertificate cert;
/// auto server = SslContextBuilder::forServer(cert.certificatePem(), cert.privateKeyPem())
///                   .build();
/// ```
///
/// For tests of verification, make a certificate authority and issue from it: the issued
/// certificate is signed by the authority (so it is not self-signed, despite the class's
/// name), and a client that trusts the authority's certificatePem() accepts it.
///
/// ```cpp
/// SelfSignedCertificate ca({.commonName = "Test CA", .ca = true});
/// SelfSignedCertificate leaf = ca.issue({.commonName = "localhost"});
/// ```
///
/// Ownership: certificateFile() and privateKeyFile() write temporary files on first use,
/// which the destructor deletes. Move-only. Throws ErrorException (SslErrc) if OpenSSL fails.
/// Thread: one at a time.
class SelfSignedCertificate {
 public:
  SelfSignedCertificate() : SelfSignedCertificate(SelfSignedCertificateConfig{}) {}
  explicit SelfSignedCertificate(SelfSignedCertificateConfig config);
  ~SelfSignedCertificate();
  SelfSignedCertificate(SelfSignedCertificate&& other) noexcept;
  SelfSignedCertificate& operator=(SelfSignedCertificate&& other) noexcept;
  SelfSignedCertificate(const SelfSignedCertificate&) = delete;
  SelfSignedCertificate& operator=(const SelfSignedCertificate&) = delete;

  /// A certificate for `config` signed by this one. Throws std::logic_error unless this is a
  /// certificate authority (config.ca).
  SelfSignedCertificate issue(SelfSignedCertificateConfig config) const;

  /// The certificate in PEM.
  const std::string& certificatePem() const noexcept { return certificatePem_; }
  /// The private key in PEM (PKCS#8, unencrypted).
  const std::string& privateKeyPem() const noexcept { return privateKeyPem_; }
  /// The subject in RFC 2253 form ("CN=localhost").
  const std::string& subject() const noexcept { return subject_; }
  /// A temporary file holding certificatePem(), written on first use.
  const std::string& certificateFile() const;
  /// A temporary file holding privateKeyPem() (mode 0600), written on first use.
  const std::string& privateKeyFile() const;

 private:
  SelfSignedCertificate(SelfSignedCertificateConfig config, const SelfSignedCertificate* issuer);
  void removeFiles() noexcept;

  SelfSignedCertificateConfig config_;
  std::string certificatePem_;
  std::string privateKeyPem_;
  std::string subject_;
  mutable std::string certificateFile_;
  mutable std::string privateKeyFile_;
};

}  // namespace sluice
