#pragma once

// The --tls, --cert and --key options the server examples share: TLS is a flag, not a copy
// of the example. With --tls alone the server makes a self-signed certificate for localhost
// at start-up; --cert FILE --key FILE (PEM; they imply --tls) serve a real one.

#include <fmt/format.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/util/Error.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

struct ExampleTls {
  bool enabled = false;
  std::string certFile;
  std::string keyFile;
  std::optional<sluice::SelfSignedCertificate> selfSigned;

  /// Takes argv[i] (and its value, advancing i) if it is one of the TLS options.
  bool parse(int argc, char** argv, int& i) {
    if (std::strcmp(argv[i], "--tls") == 0) {
      enabled = true;
      return true;
    }
    const bool cert = std::strcmp(argv[i], "--cert") == 0;
    if (!cert && std::strcmp(argv[i], "--key") != 0) {
      return false;
    }
    if (i + 1 >= argc) {
      return false;
    }
    (cert ? certFile : keyFile) = argv[++i];
    enabled = true;
    return true;
  }

  /// The server's context, or null without TLS; prints why and returns null with `failed`
  /// set when the certificate cannot be used.
  std::shared_ptr<const sluice::SslContext> serverContext(const char* program, bool& failed) {
    failed = false;
    if (!enabled) {
      return nullptr;
    }
    try {
      if (certFile.empty() != keyFile.empty()) {
        fmt::print(stderr, "{}: --cert and --key go together\n", program);
        failed = true;
        return nullptr;
      }
      if (certFile.empty()) {
        selfSigned.emplace();
        return sluice::SslContextBuilder::forServer(selfSigned->certificatePem(),
                                                    selfSigned->privateKeyPem())
            .build();
      }
      return sluice::SslContextBuilder::forServer(certFile, keyFile).build();
    } catch (const sluice::ErrorException& e) {
      fmt::print(stderr, "{}: {}\n", program, e.error().message());
      failed = true;
      return nullptr;
    }
  }
};
