#include "SslUtil.h"

#include <openssl/provider.h>

#include <fstream>
#include <iterator>
#include <mutex>

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

bool loadLegacyProvider() noexcept {
  static std::once_flag once;
  static bool loaded = false;
  std::call_once(once, [] {
    // Loading any provider explicitly stops the default one from being loaded implicitly,
    // so it is loaded first, by name.
    OSSL_PROVIDER* def = OSSL_PROVIDER_load(nullptr, "default");
    OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
    loaded = def != nullptr && legacy != nullptr;
    ERR_clear_error();
  });
  return loaded;
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
