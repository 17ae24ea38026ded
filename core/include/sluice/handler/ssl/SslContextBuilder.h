#pragma once

#include <sluice/concurrent/EventExecutor.h>
#include <sluice/handler/ssl/SslContext.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// Builds an SslContext (Netty's SslContextBuilder).
///
/// ```cpp
/// auto server = SslContextBuilder::forServer("cert.pem", "key.pem").build();
/// auto client = SslContextBuilder::forClient().trustManager("ca.pem").build();
/// ```
///
/// Certificates, keys and trust anchors are given as a path or as the PEM text itself: a
/// string that contains "-----BEGIN " is PEM, anything else is a path. A key store from Java
/// is used through PKCS#12 (forServerPkcs12, keyManagerPkcs12); JKS files are refused with
/// the keytool command that converts them.
///
/// Defaults: TLS 1.2 and 1.3 only; OpenSSL's default ciphers and groups (at its default
/// security level); clients verify the server's chain against the system's trust store and
/// its host name; servers request no client certificate; session resumption on (a server
/// cache of 20480 sessions, 300 s, and session tickets whose keys rotate every hour; clients
/// reuse the session of the last connection to the same host and port); renegotiation
/// refused; handshake timeout 10 s; close_notify flush timeout 3 s.
///
/// build() throws ErrorException with an SslErrc code (InvalidConfiguration, WrongPassword,
/// UnsupportedKeyStore) and OpenSSL's reason when something cannot be used. Thread: one at
/// a time; the built context is shared by any.
class SslContextBuilder {
 public:
  using Duration = EventExecutor::Duration;

  /// A server with the certificate chain (leaf first) and private key, each a path or PEM
  /// text; `keyPassword` decrypts an encrypted key.
  static SslContextBuilder forServer(std::string certChain, std::string key,
                                     std::string keyPassword = {});
  /// A server with the key and certificate chain of a PKCS#12 bundle (a path), Java's
  /// keytool format since Java 9. Bundles from older keytool versions use ciphers OpenSSL 3
  /// keeps in its legacy provider, which is then loaded (once, on demand).
  static SslContextBuilder forServerPkcs12(std::string path, std::string password);
  /// A client; add keyManager() for a client certificate.
  static SslContextBuilder forClient();

  /// The local certificate chain and key (a client certificate, or the server's).
  SslContextBuilder& keyManager(std::string certChain, std::string key,
                                std::string keyPassword = {});
  /// The local certificate chain and key from a PKCS#12 bundle.
  SslContextBuilder& keyManagerPkcs12(std::string path, std::string password);

  /// Trust anchors: a PEM file, a directory of hashed certificates (c_rehash), or PEM text
  /// of one or more CA certificates. Replaces the system trust store; may be called several
  /// times to add more.
  SslContextBuilder& trustManager(std::string caCertificates);
  /// Trusts the system's CA store (the default for clients).
  SslContextBuilder& trustSystemDefault();
  /// Whether the peer's certificate is verified at all (default true for clients). Off is
  /// Netty's InsecureTrustManagerFactory: for tests only.
  SslContextBuilder& verifyPeer(bool verify);
  /// Whether a client checks that the certificate names the host it dialled (default true;
  /// Netty's endpointIdentificationAlgorithm("HTTPS")).
  SslContextBuilder& hostnameVerification(bool verify);
  /// Server: whether to request a client certificate.
  SslContextBuilder& clientAuth(ClientAuth auth);

  /// The protocol versions allowed, from "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"; they must
  /// form a range. TLS 1.0 and 1.1 also need ciphers at security level 0
  /// ("DEFAULT:@SECLEVEL=0").
  SslContextBuilder& protocols(std::vector<std::string> protocols);
  /// OpenSSL cipher list for TLS 1.2 and below ("ECDHE+AESGCM:ECDHE+CHACHA20").
  SslContextBuilder& ciphers(std::string cipherList);
  /// TLS 1.3 cipher suites ("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256").
  SslContextBuilder& cipherSuites(std::string suites);
  /// Key-exchange groups in preference order ("X25519:P-256").
  SslContextBuilder& groups(std::string groups);
  /// ALPN: protocols offered by a client, or accepted by a server, in preference order
  /// ("h2", "http/1.1"). A server picks its most preferred one the client offers; with none
  /// in common the handshake goes on without ALPN.
  SslContextBuilder& applicationProtocols(std::vector<std::string> protocols);

  /// Session resumption on or off (default on).
  SslContextBuilder& sessionResumption(bool enabled);
  /// Server cache and client cache sizes (default 20480).
  SslContextBuilder& sessionCacheSize(std::size_t size);
  /// How long a session may be resumed (default 300 s).
  SslContextBuilder& sessionTimeout(std::chrono::seconds timeout);
  /// Server: how long a session-ticket key encrypts new tickets before the next one takes
  /// over (default 1 hour); tickets stay valid for up to twice this.
  SslContextBuilder& sessionTicketKeyLifetime(std::chrono::seconds lifetime);

  /// The handshake timeout of handlers made from the context (default 10 s; zero: none).
  SslContextBuilder& handshakeTimeout(Duration timeout);
  /// How long a close waits for close_notify to be written (default 3 s; zero: no wait).
  SslContextBuilder& closeNotifyFlushTimeout(Duration timeout);

  /// Makes the context. Throws ErrorException (SslErrc) as described above.
  std::shared_ptr<const SslContext> build() const;

  /// Everything the builder holds, for the implementation.
  struct Settings {
    bool client = false;
    std::string certChain;
    std::string key;
    std::string keyPassword;
    std::string pkcs12Path;
    std::string pkcs12Password;
    std::vector<std::string> trust;  // empty: system default
    bool verifyPeer = true;
    bool hostnameVerification = true;
    ClientAuth clientAuth = ClientAuth::None;
    std::vector<std::string> protocols{"TLSv1.2", "TLSv1.3"};
    std::string ciphers;
    std::string cipherSuites;
    std::string groups;
    std::vector<std::string> applicationProtocols;
    bool sessionResumption = true;
    std::size_t sessionCacheSize = 20480;
    std::chrono::seconds sessionTimeout{300};
    std::chrono::seconds sessionTicketKeyLifetime{3600};
    Duration handshakeTimeout = std::chrono::seconds(10);
    Duration closeNotifyFlushTimeout = std::chrono::seconds(3);
  };
  const Settings& settings() const noexcept { return settings_; }

 private:
  SslContextBuilder() = default;
  Settings settings_;
};

}  // namespace sluice
