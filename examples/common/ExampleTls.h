#pragma once

// The --tls, --cert and --key options the server examples share: TLS is a flag, not a copy
// of the example. With --tls alone the server makes a self-signed certificate for localhost
// at start-up; --cert FILE --key FILE (PEM; they imply --tls) serve a real one.

#include <fmt/format.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/util/Error.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

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

/// An initializer that puts an SslHandler first, then lets `inner` (the example's own
/// initializer, shared by every connection) add the rest: the same pipeline, over TLS.
class TlsFirstInitializer : public sluice::ChannelInitializer {
 public:
  TlsFirstInitializer(std::shared_ptr<const sluice::SslContext> context,
                      std::shared_ptr<sluice::ChannelInitializer> inner)
      : context_(std::move(context)), inner_(std::move(inner)) {}
  bool isSharable() const noexcept override { return true; }

 protected:
  void initChannel(sluice::Channel& ch) override {
    ch.pipeline().addLast(context_->newHandler());  // TLS records below, plaintext above
    ch.pipeline().addLast(inner_);
  }

 private:
  std::shared_ptr<const sluice::SslContext> context_;
  std::shared_ptr<sluice::ChannelInitializer> inner_;
};

/// `inner` as is, or behind TLS when `context` is set.
inline std::shared_ptr<sluice::ChannelInitializer> withTls(
    std::shared_ptr<const sluice::SslContext> context,
    std::shared_ptr<sluice::ChannelInitializer> inner) {
  if (!context) {
    return inner;
  }
  return std::make_shared<TlsFirstInitializer>(std::move(context), std::move(inner));
}
