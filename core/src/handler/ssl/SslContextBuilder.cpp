#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "SslContextImpl.h"

// OpenSSL's function-like macros (SSL_CTX_add0_chain_cert, SSL_set_tlsext_host_name...) cast
// in C style.
#pragma GCC diagnostic ignored "-Wold-style-cast"

namespace sluice {

using detail::BioPtr;
using detail::EvpPkeyPtr;
using detail::throwSslError;
using detail::X509Ptr;

SslContextBuilder SslContextBuilder::forServer(std::string certChain, std::string key,
                                               std::string keyPassword) {
  SslContextBuilder b;
  b.keyManager(std::move(certChain), std::move(key), std::move(keyPassword));
  return b;
}

SslContextBuilder SslContextBuilder::forServerPkcs12(std::string path, std::string password) {
  SslContextBuilder b;
  b.keyManagerPkcs12(std::move(path), std::move(password));
  return b;
}

SslContextBuilder SslContextBuilder::forClient() {
  SslContextBuilder b;
  b.settings_.client = true;
  return b;
}

SslContextBuilder& SslContextBuilder::keyManager(std::string certChain, std::string key,
                                                 std::string keyPassword) {
  settings_.certChain = std::move(certChain);
  settings_.key = std::move(key);
  settings_.keyPassword = std::move(keyPassword);
  settings_.pkcs12Path.clear();
  return *this;
}

SslContextBuilder& SslContextBuilder::keyManagerPkcs12(std::string path, std::string password) {
  settings_.pkcs12Path = std::move(path);
  settings_.pkcs12Password = std::move(password);
  settings_.certChain.clear();
  settings_.key.clear();
  return *this;
}

SslContextBuilder& SslContextBuilder::trustManager(std::string caCertificates) {
  settings_.trust.push_back(std::move(caCertificates));
  return *this;
}

SslContextBuilder& SslContextBuilder::trustSystemDefault() {
  settings_.trust.clear();
  return *this;
}

SslContextBuilder& SslContextBuilder::verifyPeer(bool verify) {
  settings_.verifyPeer = verify;
  return *this;
}

SslContextBuilder& SslContextBuilder::hostnameVerification(bool verify) {
  settings_.hostnameVerification = verify;
  return *this;
}

SslContextBuilder& SslContextBuilder::clientAuth(ClientAuth auth) {
  settings_.clientAuth = auth;
  return *this;
}

SslContextBuilder& SslContextBuilder::protocols(std::vector<std::string> protocols) {
  settings_.protocols = std::move(protocols);
  return *this;
}

SslContextBuilder& SslContextBuilder::ciphers(std::string cipherList) {
  settings_.ciphers = std::move(cipherList);
  return *this;
}

SslContextBuilder& SslContextBuilder::cipherSuites(std::string suites) {
  settings_.cipherSuites = std::move(suites);
  return *this;
}

SslContextBuilder& SslContextBuilder::groups(std::string groups) {
  settings_.groups = std::move(groups);
  return *this;
}

SslContextBuilder& SslContextBuilder::applicationProtocols(std::vector<std::string> protocols) {
  settings_.applicationProtocols = std::move(protocols);
  return *this;
}

SslContextBuilder& SslContextBuilder::sessionResumption(bool enabled) {
  settings_.sessionResumption = enabled;
  return *this;
}

SslContextBuilder& SslContextBuilder::sessionCacheSize(std::size_t size) {
  settings_.sessionCacheSize = size;
  return *this;
}

SslContextBuilder& SslContextBuilder::sessionTimeout(std::chrono::seconds timeout) {
  settings_.sessionTimeout = timeout;
  return *this;
}

SslContextBuilder& SslContextBuilder::sessionTicketKeyLifetime(std::chrono::seconds lifetime) {
  settings_.sessionTicketKeyLifetime = lifetime;
  return *this;
}

SslContextBuilder& SslContextBuilder::handshakeTimeout(Duration timeout) {
  settings_.handshakeTimeout = timeout;
  return *this;
}

SslContextBuilder& SslContextBuilder::closeNotifyFlushTimeout(Duration timeout) {
  settings_.closeNotifyFlushTimeout = timeout;
  return *this;
}

namespace {

int protocolVersion(const std::string& name) {
  if (name == "TLSv1" || name == "TLSv1.0") {
    return TLS1_VERSION;
  }
  if (name == "TLSv1.1") {
    return TLS1_1_VERSION;
  }
  if (name == "TLSv1.2") {
    return TLS1_2_VERSION;
  }
  if (name == "TLSv1.3") {
    return TLS1_3_VERSION;
  }
  throwSslError(SslErrc::InvalidConfiguration,
                "unknown TLS protocol \"" + name + "\" (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
}

void setProtocols(SSL_CTX* ctx, const std::vector<std::string>& protocols) {
  if (protocols.empty()) {
    throwSslError(SslErrc::InvalidConfiguration, "no TLS protocol version allowed");
  }
  std::vector<int> versions;
  for (const std::string& p : protocols) {
    versions.push_back(protocolVersion(p));
  }
  std::sort(versions.begin(), versions.end());
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  for (std::size_t i = 1; i < versions.size(); ++i) {
    if (versions[i] != versions[i - 1] + 1) {
      throwSslError(SslErrc::InvalidConfiguration,
                    "the TLS protocol versions allowed must form a range (OpenSSL sets a "
                    "minimum and a maximum)");
    }
  }
  SSL_CTX_set_min_proto_version(ctx, versions.front());
  SSL_CTX_set_max_proto_version(ctx, versions.back());
}

BioPtr memBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

int passwordCallback(char* buf, int size, int, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  if (password == nullptr || password->empty()) {
    return 0;
  }
  const int n = std::min<int>(size, static_cast<int>(password->size()));
  std::memcpy(buf, password->data(), static_cast<std::size_t>(n));
  return n;
}

void useCertificateChainPem(SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio = memBio(pem);
  X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    throwSslError(SslErrc::InvalidConfiguration, "no PEM certificate in the certificate chain");
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot use the certificate");
  }
  SSL_CTX_clear_chain_certs(ctx);
  while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, next) != 1) {
      X509_free(next);
      throwSslError(SslErrc::InvalidConfiguration, "cannot add an intermediate certificate");
    }
  }
  ERR_clear_error();  // the end of the PEM text reads as an error
}

void usePrivateKeyPem(SSL_CTX* ctx, const std::string& pem, const std::string& password) {
  BioPtr bio = memBio(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passwordCallback,
                                         const_cast<std::string*>(&password)));
  if (!key) {
    const bool encrypted = pem.find("ENCRYPTED") != std::string::npos;
    if (encrypted) {
      throwSslError(SslErrc::WrongPassword,
                    password.empty() ? "the private key is encrypted and no password was given"
                                     : "cannot decrypt the private key with the password given");
    }
    throwSslError(SslErrc::InvalidConfiguration, "no PEM private key");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot use the private key");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "the private key does not match the certificate");
  }
}

void usePkcs12(SSL_CTX* ctx, const std::string& path, const std::string& password) {
  const std::string bytes = detail::readFileOrThrow(path, "PKCS#12");
  if (bytes.size() >= 4) {
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::uint32_t magic = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                                (std::uint32_t{b[2]} << 8) | b[3];
    if (magic == 0xFEEDFEED || magic == 0xCECECECE) {
      throw ErrorException(Error(
          make_error_code(SslErrc::UnsupportedKeyStore),
          fmt::format("{} is a Java {} key store, which OpenSSL cannot read; convert it to "
                      "PKCS#12 with: keytool -importkeystore -srckeystore {} -srcstoretype {} "
                      "-destkeystore {}.p12 -deststoretype PKCS12",
                      path, magic == 0xFEEDFEED ? "JKS" : "JCEKS", path,
                      magic == 0xFEEDFEED ? "JKS" : "JCEKS", path)));
    }
  }
  BioPtr bio = memBio(bytes);
  detail::Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) {
    throwSslError(SslErrc::InvalidConfiguration, path + " is not a PKCS#12 bundle");
  }
  // An empty password may mean "no password" or "the empty password"; the MAC tells which
  // (as the openssl pkcs12 command does).
  const char* pass = password.c_str();
  if (password.empty() && PKCS12_verify_mac(p12.get(), nullptr, 0) == 1) {
    pass = nullptr;
  } else if (PKCS12_verify_mac(p12.get(), pass, -1) != 1) {
    throwSslError(SslErrc::WrongPassword,
                  "cannot open the PKCS#12 bundle " + path + " with the password given");
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  if (PKCS12_parse(p12.get(), pass, &key, &cert, &chain) != 1) {
    // Bundles from keytool before Java 9 (and openssl pkcs12 -legacy) encrypt with RC2 or
    // 3DES from OpenSSL's legacy provider.
    ERR_clear_error();
    if (!detail::parsePkcs12WithLegacyProvider(p12.get(), pass, &key, &cert, &chain)) {
      throwSslError(SslErrc::InvalidConfiguration, "cannot read the PKCS#12 bundle " + path);
    }
  }
  EvpPkeyPtr keyOwner(key);
  X509Ptr certOwner(cert);
  struct ChainFree {
    void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
  };
  std::unique_ptr<STACK_OF(X509), ChainFree> chainOwner(chain);
  if (!key || !cert) {
    throwSslError(SslErrc::InvalidConfiguration,
                  "the PKCS#12 bundle " + path + " holds no private key with its certificate");
  }
  if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot use the key of " + path);
  }
  SSL_CTX_clear_chain_certs(ctx);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i)) != 1) {
      throwSslError(SslErrc::InvalidConfiguration, "cannot add a certificate of " + path);
    }
  }
}

void addTrust(SSL_CTX* ctx, const std::string& trust) {
  if (detail::isPemText(trust)) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    BioPtr bio = memBio(trust);
    int added = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509Ptr owner(cert);
      if (X509_STORE_add_cert(store, cert) != 1) {
        throwSslError(SslErrc::InvalidConfiguration, "cannot add a trusted certificate");
      }
      ++added;
    }
    ERR_clear_error();
    if (added == 0) {
      throwSslError(SslErrc::InvalidConfiguration, "no PEM certificate in the trust anchors");
    }
    return;
  }
  struct stat st {};
  if (::stat(trust.c_str(), &st) != 0) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot read trust anchors " + trust);
  }
  const int ok = S_ISDIR(st.st_mode) ? SSL_CTX_load_verify_dir(ctx, trust.c_str())
                                     : SSL_CTX_load_verify_file(ctx, trust.c_str());
  if (ok != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot load trust anchors from " + trust);
  }
}

int alpnSelect(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void* arg) {
  const auto* impl = static_cast<const SslContext::Impl*>(arg);
  unsigned char* selected = nullptr;
  // The server's list first: its preference wins.
  if (SSL_select_next_proto(&selected, outlen, impl->alpnWire.data(),
                            static_cast<unsigned int>(impl->alpnWire.size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int onNewClientSession(SSL* ssl, SSL_SESSION* session) {
  auto* impl = static_cast<SslContext::Impl*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), detail::sslCtxImplIndex()));
  const auto* key =
      static_cast<const std::string*>(SSL_get_ex_data(ssl, detail::sslSessionKeyIndex()));
  if (impl == nullptr || key == nullptr || key->empty()) {
    return 0;  // not kept: OpenSSL frees it
  }
  impl->storeSession(*key, session);
  return 1;
}

int onTicketKey(SSL* ssl, unsigned char keyName[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                EVP_MAC_CTX* mac, int enc) {
  auto* impl = static_cast<SslContext::Impl*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), detail::sslCtxImplIndex()));
  return impl == nullptr ? -1
                         : impl->ticketKeyCallback(SSL_version(ssl) == TLS1_3_VERSION, keyName, iv,
                                                   cipher, mac, enc);
}

}  // namespace

std::shared_ptr<const SslContext> SslContextBuilder::build() const {
  const Settings& s = settings_;
  ERR_clear_error();
  detail::SslCtxPtr ctx(SSL_CTX_new(s.client ? TLS_client_method() : TLS_server_method()));
  if (!ctx) {
    throwSslError(SslErrc::InvalidConfiguration, "SSL_CTX_new failed");
  }
  SSL_CTX* c = ctx.get();
  setProtocols(c, s.protocols);
  // Renegotiation is refused both ways; compression stays off (CRIME).
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                             (s.client ? 0 : SSL_OP_CIPHER_SERVER_PREFERENCE));
  // Idle connections give their record buffers back (Netty does the same).
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(c, s.ciphers.c_str()) != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "invalid cipher list \"" + s.ciphers + "\"");
  }
  if (!s.cipherSuites.empty() && SSL_CTX_set_ciphersuites(c, s.cipherSuites.c_str()) != 1) {
    throwSslError(SslErrc::InvalidConfiguration,
                  "invalid TLS 1.3 cipher suites \"" + s.cipherSuites + "\"");
  }
  if (!s.groups.empty() && SSL_CTX_set1_groups_list(c, s.groups.c_str()) != 1) {
    throwSslError(SslErrc::InvalidConfiguration, "invalid groups \"" + s.groups + "\"");
  }

  // Local certificate and key.
  if (!s.pkcs12Path.empty()) {
    usePkcs12(c, s.pkcs12Path, s.pkcs12Password);
  } else if (!s.certChain.empty() || !s.key.empty()) {
    if (s.certChain.empty() || s.key.empty()) {
      throwSslError(SslErrc::InvalidConfiguration,
                    "a certificate chain needs its private key, and a key its certificate");
    }
    useCertificateChainPem(c, detail::isPemText(s.certChain)
                                  ? s.certChain
                                  : detail::readFileOrThrow(s.certChain, "certificate"));
    usePrivateKeyPem(c, detail::isPemText(s.key) ? s.key : detail::readFileOrThrow(s.key, "key"),
                     s.keyPassword);
  } else if (!s.client) {
    throwSslError(SslErrc::InvalidConfiguration, "a server needs a certificate and a key");
  }

  // Trust and verification.
  const bool verifies = s.client ? s.verifyPeer : s.clientAuth != ClientAuth::None;
  if (verifies) {
    if (s.trust.empty()) {
      if (SSL_CTX_set_default_verify_paths(c) != 1) {
        throwSslError(SslErrc::InvalidConfiguration, "cannot load the system trust store");
      }
    }
    for (const std::string& t : s.trust) {
      addTrust(c, t);
    }
  }
  int verifyMode = SSL_VERIFY_NONE;
  if (s.client) {
    verifyMode = s.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE;
  } else if (s.clientAuth == ClientAuth::Optional) {
    verifyMode = SSL_VERIFY_PEER;
  } else if (s.clientAuth == ClientAuth::Require) {
    verifyMode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_CTX_set_verify(c, verifyMode, nullptr);

  auto impl = std::make_unique<SslContext::Impl>(s, std::move(ctx));
  SSL_CTX_set_ex_data(c, detail::sslCtxImplIndex(), impl.get());

  // ALPN.
  for (const std::string& p : s.applicationProtocols) {
    if (p.empty() || p.size() > 255) {
      throwSslError(SslErrc::InvalidConfiguration, "an ALPN protocol name is 1 to 255 bytes");
    }
    impl->alpnWire.push_back(static_cast<unsigned char>(p.size()));
    impl->alpnWire.insert(impl->alpnWire.end(), p.begin(), p.end());
  }
  if (!impl->alpnWire.empty()) {
    if (s.client) {
      // Returns 0 on success, unlike most of OpenSSL.
      if (SSL_CTX_set_alpn_protos(c, impl->alpnWire.data(),
                                  static_cast<unsigned int>(impl->alpnWire.size())) != 0) {
        throwSslError(SslErrc::InvalidConfiguration, "cannot set the ALPN protocols");
      }
    } else {
      SSL_CTX_set_alpn_select_cb(c, alpnSelect, impl.get());
    }
  }

  // Session resumption.
  static const unsigned char kSessionIdContext[] = "sluice";
  if (!s.client) {
    // Needed whenever client certificates are verified, harmless otherwise.
    SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1);
  }
  if (s.sessionResumption) {
    SSL_CTX_set_timeout(c, static_cast<long>(s.sessionTimeout.count()));
    if (s.client) {
      SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
      SSL_CTX_sess_set_new_cb(c, onNewClientSession);
    } else {
      SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
      SSL_CTX_sess_set_cache_size(c, static_cast<long>(s.sessionCacheSize));
      {
        std::lock_guard lock(impl->ticketMutex);
        impl->rotateTicketKeysLocked();
      }
      SSL_CTX_set_tlsext_ticket_key_evp_cb(c, onTicketKey);
    }
  } else {
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    if (!s.client) {
      SSL_CTX_set_num_tickets(c, 0);
    }
  }
  return std::shared_ptr<const SslContext>(new SslContext(std::move(impl)));
}

// ---- SslContext::Impl ------------------------------------------------------------------

SslContext::Impl::Impl(SslContextBuilder::Settings s, detail::SslCtxPtr c)
    : settings(std::move(s)), ctx(std::move(c)) {}

SslContext::Impl::~Impl() {
  for (auto& [key, session] : sessions) {
    SSL_SESSION_free(session);
  }
  // Ticket keys are secrets: wipe them.
  for (TicketKey& k : ticketKeys) {
    OPENSSL_cleanse(&k, sizeof k);
  }
}

namespace {

bool isIpAddress(const std::string& host) {
  unsigned char buf[16];
  std::string h = host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace

SSL* SslContext::Impl::newSsl(const std::string& peerHost, std::uint16_t peerPort,
                              std::string& sessionKey, Error& error) const {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx.get());
  if (ssl == nullptr) {
    error = detail::sslError(SslErrc::InvalidConfiguration, "SSL_new failed");
    return nullptr;
  }
  if (!settings.client) {
    SSL_set_accept_state(ssl);
    return ssl;
  }
  SSL_set_connect_state(ssl);
  const bool ip = isIpAddress(peerHost);
  if (!peerHost.empty() && !ip) {
    // RFC 6066 3: literal IP addresses are not sent as SNI.
    SSL_set_tlsext_host_name(ssl, peerHost.c_str());
  }
  if (settings.verifyPeer && settings.hostnameVerification) {
    if (peerHost.empty()) {
      SSL_free(ssl);
      error = Error(make_error_code(SslErrc::HostnameMismatch),
                    "host-name verification is on but no peer host was given (use "
                    "newHandler(host, port), or turn hostnameVerification off)");
      return nullptr;
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip) {
      std::string h = peerHost;
      if (h.front() == '[') {
        h = h.substr(1, h.size() - 2);
      }
      X509_VERIFY_PARAM_set1_ip_asc(param, h.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, peerHost.c_str(), peerHost.size());
    }
  }
  if (settings.sessionResumption && !peerHost.empty()) {
    sessionKey = peerHost + ":" + std::to_string(peerPort);
    SSL_set_ex_data(ssl, detail::sslSessionKeyIndex(), &sessionKey);
    if (SSL_SESSION* cached = const_cast<Impl*>(this)->takeSession(sessionKey)) {
      SSL_set_session(ssl, cached);
      SSL_SESSION_free(cached);
    }
  }
  return ssl;
}

void SslContext::Impl::storeSession(const std::string& key, SSL_SESSION* session) {
  std::lock_guard lock(sessionsMutex);
  if (auto it = sessionIndex.find(key); it != sessionIndex.end()) {
    SSL_SESSION_free(it->second->second);
    sessions.erase(it->second);
    sessionIndex.erase(it);
  }
  sessions.emplace_front(key, session);
  sessionIndex.emplace(key, sessions.begin());
  while (sessions.size() > std::max<std::size_t>(settings.sessionCacheSize, 1)) {
    sessionIndex.erase(sessions.back().first);
    SSL_SESSION_free(sessions.back().second);
    sessions.pop_back();
  }
}

SSL_SESSION* SslContext::Impl::takeSession(const std::string& key) {
  std::lock_guard lock(sessionsMutex);
  auto it = sessionIndex.find(key);
  if (it == sessionIndex.end()) {
    return nullptr;
  }
  SSL_SESSION* session = it->second->second;
  const bool tls13 = SSL_SESSION_get_protocol_version(session) == TLS1_3_VERSION;
  if (!SSL_SESSION_is_resumable(session) || tls13) {
    // RFC 8446 C.4: a TLS 1.3 ticket is used once; the new connection brings new ones.
    sessions.erase(it->second);
    sessionIndex.erase(it);
    if (!SSL_SESSION_is_resumable(session)) {
      SSL_SESSION_free(session);
      return nullptr;
    }
    return session;  // the cache's reference passes to the caller
  }
  SSL_SESSION_up_ref(session);
  return session;
}

void SslContext::Impl::rotateTicketKeysLocked() {
  TicketKey k{};
  RAND_bytes(k.name.data(), static_cast<int>(k.name.size()));
  RAND_priv_bytes(k.aesKey.data(), static_cast<int>(k.aesKey.size()));
  RAND_priv_bytes(k.hmacKey.data(), static_cast<int>(k.hmacKey.size()));
  k.created = std::chrono::steady_clock::now();
  ticketKeys.push_front(k);
  // The previous key still decrypts (and the ticket is renewed); older ones are gone.
  while (ticketKeys.size() > 2) {
    OPENSSL_cleanse(&ticketKeys.back(), sizeof(TicketKey));
    ticketKeys.pop_back();
  }
}

int SslContext::Impl::ticketKeyCallback(bool tls13, unsigned char keyName[16], unsigned char* iv,
                                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc) {
  std::lock_guard lock(ticketMutex);
  const auto now = std::chrono::steady_clock::now();
  if (ticketKeys.empty() || now - ticketKeys.front().created >= settings.sessionTicketKeyLifetime) {
    rotateTicketKeysLocked();
  }
  const auto setMac = [mac](TicketKey& k) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, k.hmacKey.data(), k.hmacKey.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(mac, params) == 1;
  };
  if (enc == 1) {
    TicketKey& k = ticketKeys.front();
    if (RAND_bytes(iv, 16) != 1 ||
        EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, k.aesKey.data(), iv) != 1 ||
        !setMac(k)) {
      return -1;
    }
    std::memcpy(keyName, k.name.data(), k.name.size());
    return 1;
  }
  for (std::size_t i = 0; i < ticketKeys.size(); ++i) {
    TicketKey& k = ticketKeys[i];
    if (std::memcmp(keyName, k.name.data(), k.name.size()) != 0) {
      continue;
    }
    if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, k.aesKey.data(), iv) != 1 ||
        !setMac(k)) {
      return -1;
    }
    // 2: accepted, and a new ticket is issued. Always so for TLS 1.3, whose clients use a
    // ticket once (RFC 8446 C.4); for TLS 1.2 only when an older key made it.
    return i == 0 && !tls13 ? 1 : 2;
  }
  return 0;  // unknown key: a full handshake
}

// ---- SslContext --------------------------------------------------------------------------

SslContext::SslContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SslContext::~SslContext() = default;

bool SslContext::isClient() const noexcept { return impl_->settings.client; }

const std::vector<std::string>& SslContext::applicationProtocols() const noexcept {
  return impl_->settings.applicationProtocols;
}

EventExecutor::Duration SslContext::handshakeTimeout() const noexcept {
  return impl_->settings.handshakeTimeout;
}

EventExecutor::Duration SslContext::closeNotifyFlushTimeout() const noexcept {
  return impl_->settings.closeNotifyFlushTimeout;
}

void SslContext::rotateTicketKeys() const {
  if (isClient()) {
    return;
  }
  std::lock_guard lock(impl_->ticketMutex);
  impl_->rotateTicketKeysLocked();
}

std::size_t SslContext::cachedClientSessions() const {
  std::lock_guard lock(impl_->sessionsMutex);
  return impl_->sessions.size();
}

void* SslContext::nativeHandle() const noexcept { return impl_->ctx.get(); }

}  // namespace sluice
