#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "SslUtil.h"

namespace sluice {

using detail::BioPtr;
using detail::EvpPkeyPtr;
using detail::throwSslError;
using detail::X509Ptr;

namespace {

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

EvpPkeyPtr generateKey(CertificateKeyType type) {
  EvpPkeyPtr key(type == CertificateKeyType::EcP256
                     ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                     : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
  if (!key) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot generate a key");
  }
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    X509_EXTENSION_free(ext);
    throwSslError(SslErrc::InvalidConfiguration, "cannot add the extension " + value);
  }
  X509_EXTENSION_free(ext);
}

std::string writeTempFile(const std::string& contents, const char* suffix) {
  const char* dir = std::getenv("TMPDIR");
  std::string path =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/sluice-cert-XXXXXX" + suffix;
  const int fd = ::mkstemps(path.data(), static_cast<int>(std::strlen(suffix)));  // mode 0600
  if (fd < 0) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot create a temporary file " + path);
  }
  std::size_t off = 0;
  while (off < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + off, contents.size() - off);
    if (n <= 0) {
      ::close(fd);
      ::unlink(path.c_str());
      throwSslError(SslErrc::InvalidConfiguration, "cannot write the temporary file " + path);
    }
    off += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

}  // namespace

SelfSignedCertificate::SelfSignedCertificate(SelfSignedCertificateConfig config)
    : SelfSignedCertificate(std::move(config), nullptr) {}

SelfSignedCertificate::SelfSignedCertificate(SelfSignedCertificateConfig config,
                                             const SelfSignedCertificate* issuer)
    : config_(std::move(config)) {
  ERR_clear_error();
  EvpPkeyPtr key = generateKey(config_.keyType);
  X509Ptr cert(X509_new());
  if (!cert) {
    throwSslError(SslErrc::InvalidConfiguration, "X509_new failed");
  }
  X509_set_version(cert.get(), 2);  // v3
  // A random positive 127-bit serial (RFC 5280 4.1.2.2: at most 20 octets, positive).
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(config_.validity.count()));
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(config_.commonName.c_str()), -1,
                             -1, 0);

  // The issuer's certificate and key: this one's own, or the authority's.
  X509Ptr issuerCert;
  EvpPkeyPtr issuerKey;
  if (issuer != nullptr) {
    BioPtr cb(BIO_new_mem_buf(issuer->certificatePem_.data(),
                              static_cast<int>(issuer->certificatePem_.size())));
    issuerCert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    BioPtr kb(BIO_new_mem_buf(issuer->privateKeyPem_.data(),
                              static_cast<int>(issuer->privateKeyPem_.size())));
    issuerKey.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!issuerCert || !issuerKey) {
      throwSslError(SslErrc::InvalidConfiguration, "cannot read the issuer's certificate");
    }
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuerCert.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }
  X509* signer = issuer != nullptr ? issuerCert.get() : cert.get();

  addExtension(cert.get(), signer, NID_basic_constraints,
               config_.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  addExtension(cert.get(), signer, NID_key_usage,
               config_.ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                          : (config_.keyType == CertificateKeyType::EcP256
                                 ? "critical,digitalSignature"
                                 : "critical,digitalSignature,keyEncipherment"));
  addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    addExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  if (!config_.ca) {
    addExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  std::string san;
  for (const std::string& h : config_.hostNames) {
    san += (san.empty() ? "DNS:" : ",DNS:") + h;
  }
  for (const std::string& ip : config_.ipAddresses) {
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  }
  if (!san.empty()) {
    addExtension(cert.get(), signer, NID_subject_alt_name, san);
  }
  if (X509_sign(cert.get(), issuer != nullptr ? issuerKey.get() : key.get(), EVP_sha256()) == 0) {
    throwSslError(SslErrc::InvalidConfiguration, "cannot sign the certificate");
  }

  BioPtr certBio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(certBio.get(), cert.get());
  certificatePem_ = bioText(certBio.get());
  BioPtr keyBio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  privateKeyPem_ = bioText(keyBio.get());
  BioPtr subjectBio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(subjectBio.get(), name, 0, XN_FLAG_RFC2253);
  subject_ = bioText(subjectBio.get());
}

SelfSignedCertificate SelfSignedCertificate::issue(SelfSignedCertificateConfig config) const {
  if (!config_.ca) {
    throw std::logic_error("SelfSignedCertificate::issue: not a certificate authority");
  }
  return SelfSignedCertificate(std::move(config), this);
}

SelfSignedCertificate::~SelfSignedCertificate() { removeFiles(); }

SelfSignedCertificate::SelfSignedCertificate(SelfSignedCertificate&& other) noexcept
    : config_(std::move(other.config_)),
      certificatePem_(std::move(other.certificatePem_)),
      privateKeyPem_(std::move(other.privateKeyPem_)),
      subject_(std::move(other.subject_)),
      certificateFile_(std::exchange(other.certificateFile_, {})),
      privateKeyFile_(std::exchange(other.privateKeyFile_, {})) {}

SelfSignedCertificate& SelfSignedCertificate::operator=(SelfSignedCertificate&& other) noexcept {
  if (this != &other) {
    removeFiles();
    config_ = std::move(other.config_);
    certificatePem_ = std::move(other.certificatePem_);
    privateKeyPem_ = std::move(other.privateKeyPem_);
    subject_ = std::move(other.subject_);
    certificateFile_ = std::exchange(other.certificateFile_, {});
    privateKeyFile_ = std::exchange(other.privateKeyFile_, {});
  }
  return *this;
}

const std::string& SelfSignedCertificate::certificateFile() const {
  if (certificateFile_.empty()) {
    certificateFile_ = writeTempFile(certificatePem_, ".crt");
  }
  return certificateFile_;
}

const std::string& SelfSignedCertificate::privateKeyFile() const {
  if (privateKeyFile_.empty()) {
    privateKeyFile_ = writeTempFile(privateKeyPem_, ".key");
  }
  return privateKeyFile_;
}

void SelfSignedCertificate::removeFiles() noexcept {
  for (std::string* f : {&certificateFile_, &privateKeyFile_}) {
    if (!f->empty()) {
      ::unlink(f->c_str());
      f->clear();
    }
  }
}

}  // namespace sluice
