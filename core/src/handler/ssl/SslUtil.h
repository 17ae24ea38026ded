#pragma once

// OpenSSL helpers shared by the ssl sources: owning pointers, the error queue as text, and
// the ex_data slots that link OpenSSL objects back to ours.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sluice/handler/ssl/SslError.h>
#include <sluice/util/Error.h>

#include <memory>
#include <string>
#include <string_view>

namespace sluice::detail {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OpenSslDeleter<PKCS12, PKCS12_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX, SSL_CTX_free>>;

/// Takes every error on this thread's OpenSSL error queue and joins their reason texts
/// ("certificate verify failed; ..."); empty when the queue is empty. Clears the queue.
std::string drainOpenSslErrors();

/// An Error with `code` whose message is `what`, followed by what OpenSSL's error queue held
/// (which is cleared).
Error sslError(SslErrc code, std::string_view what);

/// Throws ErrorException(sslError(code, what)).
[[noreturn]] void throwSslError(SslErrc code, std::string_view what);

/// True when `text` holds PEM ("-----BEGIN "), false when it is a path.
inline bool isPemText(std::string_view text) noexcept {
  return text.find("-----BEGIN ") != std::string_view::npos;
}

/// The whole of a file, or throws ErrorException(InvalidConfiguration) naming it.
std::string readFileOrThrow(const std::string& path, std::string_view what);

/// PKCS12_parse with OpenSSL's legacy provider (RC2, 3DES), which is loaded on demand into a
/// library context of its own for this call only, so the process's default context never
/// offers legacy algorithms. What it returns belongs to the default context. True on success.
bool parsePkcs12WithLegacyProvider(PKCS12* p12, const char* password, EVP_PKEY** key, X509** cert,
                                   STACK_OF(X509) * *chain);

/// The ex_data slot of an SSL_CTX that points to its SslContext::Impl.
int sslCtxImplIndex() noexcept;
/// The ex_data slot of an SSL that points to the std::string "host:port" its client session
/// is cached under.
int sslSessionKeyIndex() noexcept;

}  // namespace sluice::detail
