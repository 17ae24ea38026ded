#include "SslUtil.h"

#include <openssl/provider.h>

#include <fstream>
#include <iterator>

namespace sluice::detail {

std::string drainOpenSslErrors() {
  std::string text;
  unsigned long e = 0;
  while ((e = ERR_get_error()) != 0) {
    const char* reason = ERR_reason_error_string(e);
    char buf[256];
    if (reason == nullptr) {
      ERR_error_string_n(e, buf, sizeof buf);
      reason = buf;
    }
    if (text.find(reason) != std::string::npos) {
      continue;  // the same reason from several layers
    }
    if (!text.empty()) {
      text += "; ";
    }
    text += reason;
  }
  return text;
}

Error sslError(SslErrc code, std::string_view what) {
  std::string message(what);
  std::string openssl = drainOpenSslErrors();
  if (!openssl.empty()) {
    message += message.empty() ? "" : ": ";
    message += openssl;
  }
  return Error(make_error_code(code), std::move(message));
}

void throwSslError(SslErrc code, std::string_view what) {
  throw ErrorException(sslError(code, what));
}

std::string readFileOrThrow(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throwSslError(SslErrc::InvalidConfiguration,
                  std::string("cannot read ") + std::string(what) + " file " + path);
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

namespace {

// Moves an object into the default library context by writing it out and reading it back
// (objects keep a pointer to the context that made them).
template <typename T, typename Write, typename Read>
T* rehome(T* object, Write write, Read read) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (object == nullptr || write(bio.get(), object) != 1) {
    return nullptr;
  }
  return read(bio.get());
}

}  // namespace

bool parsePkcs12WithLegacyProvider(PKCS12* p12, const char* password, EVP_PKEY** key, X509** cert,
                                   STACK_OF(X509) * *chain) {
  OSSL_LIB_CTX* lib = OSSL_LIB_CTX_new();
  if (lib == nullptr) {
    return false;
  }
  OSSL_PROVIDER* def = OSSL_PROVIDER_load(lib, "default");
  OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(lib, "legacy");
  EVP_PKEY* k = nullptr;
  X509* c = nullptr;
  STACK_OF(X509)* ca = nullptr;
  bool ok = false;
  if (def != nullptr && legacy != nullptr) {
    // The bundle was read with no context of its own, so it decrypts with this thread's
    // default one: the private context, for the length of the call.
    OSSL_LIB_CTX* previous = OSSL_LIB_CTX_set0_default(lib);
    ok = PKCS12_parse(p12, password, &k, &c, &ca) == 1;
    OSSL_LIB_CTX_set0_default(previous);
  }
  if (ok) {
    *key = rehome(
        k,
        [](BIO* b, EVP_PKEY* p) {
          return PEM_write_bio_PrivateKey(b, p, nullptr, nullptr, 0, nullptr, nullptr);
        },
        [](BIO* b) { return PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr); });
    const auto writeCert = [](BIO* b, X509* x) { return PEM_write_bio_X509(b, x); };
    const auto readCert = [](BIO* b) { return PEM_read_bio_X509(b, nullptr, nullptr, nullptr); };
    *cert = rehome(c, writeCert, readCert);
    *chain = sk_X509_new_null();
    for (int i = 0; ca != nullptr && i < sk_X509_num(ca); ++i) {
      if (X509* x = rehome(sk_X509_value(ca, i), writeCert, readCert)) {
        sk_X509_push(*chain, x);
      }
    }
    ok = *key != nullptr && *cert != nullptr;
  }
  EVP_PKEY_free(k);
  X509_free(c);
  sk_X509_pop_free(ca, X509_free);
  if (legacy != nullptr) {
    OSSL_PROVIDER_unload(legacy);
  }
  if (def != nullptr) {
    OSSL_PROVIDER_unload(def);
  }
  OSSL_LIB_CTX_free(lib);
  ERR_clear_error();
  return ok;
}

int sslCtxImplIndex() noexcept {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int sslSessionKeyIndex() noexcept {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace sluice::detail
