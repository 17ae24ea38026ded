// TLS costs: full handshakes (ECDSA P-256 and RSA 2048 server certificates) and resumed ones
// (TLS 1.3 session ticket) between two SslHandlers on EmbeddedChannels; bulk transfer (the
// client encrypts, the server decrypts) through SslHandler. Each has a baseline of raw
// OpenSSL in the same binary: two SSL objects over plain memory BIOs, SSL_do_handshake and
// SSL_write/SSL_read pumping between them, with OpenSSL's defaults for the same protocol and
// cipher suite, so that what the handler adds is the difference.
//
// Both sides run on this thread, so a handshake figure is the client's and the server's work
// together, and a bulk figure is encryption plus decryption of the same bytes.

#include <benchmark/benchmark.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContext.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace sluice;  // NOLINT(google-build-using-namespace)

// ---------------------------------------------------------------------------------------------
// sluice: two SslHandlers on EmbeddedChannels
// ---------------------------------------------------------------------------------------------

// Counts the plaintext that reaches it and drops it (the buffers go back to the pool).
class Sink : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext&, Message msg) override {
    bytes += msg.get<ByteBuf>().readableBytes();
  }
  std::size_t bytes = 0;
};

// One end: an EmbeddedChannel with an SslHandler first and a Sink after it.
struct End {
  explicit End(std::unique_ptr<SslHandler> h) : handler(h.get()) {
    auto s = std::make_unique<Sink>();
    sink = s.get();
    channel = std::make_unique<EmbeddedChannel>(std::move(h), std::move(s));
  }
  SslHandler* handler;
  Sink* sink;
  std::unique_ptr<EmbeddedChannel> channel;
};

// Hands what `from` flushed to `to`, as a transport would; returns how many buffers moved.
std::size_t transfer(EmbeddedChannel& from, EmbeddedChannel& to) {
  std::size_t moved = 0;
  while (Message m = from.readOutbound()) {
    ++moved;
    to.pipeline().fireChannelRead(std::move(m));
  }
  if (moved != 0) {
    to.pipeline().fireChannelReadComplete();
  }
  return moved;
}

// Carries records both ways until neither side has anything to send.
void pump(End& client, End& server) {
  while (transfer(*client.channel, *server.channel) + transfer(*server.channel, *client.channel) !=
         0) {
  }
}

// The certificates and contexts of one key type, made once per process.
struct Contexts {
  explicit Contexts(CertificateKeyType keyType)
      : certificate(SelfSignedCertificateConfig{.keyType = keyType}),
        server(
            SslContextBuilder::forServer(certificate.certificatePem(), certificate.privateKeyPem())
                .build()),
        // The client verifies the chain and the host name as it would by default, trusting
        // the self-signed certificate itself.
        fullClient(SslContextBuilder::forClient()
                       .trustManager(certificate.certificatePem())
                       .sessionResumption(false)
                       .build()),
        resumingClient(
            SslContextBuilder::forClient().trustManager(certificate.certificatePem()).build()) {}

  SelfSignedCertificate certificate;
  std::shared_ptr<const SslContext> server;
  std::shared_ptr<const SslContext> fullClient;
  std::shared_ptr<const SslContext> resumingClient;
};

const Contexts& contexts(CertificateKeyType keyType) {
  static const Contexts ec(CertificateKeyType::EcP256);
  static const Contexts rsa(CertificateKeyType::Rsa2048);
  return keyType == CertificateKeyType::EcP256 ? ec : rsa;
}

CertificateKeyType keyTypeOf(const benchmark::State& state) {
  return state.range(0) == 0 ? CertificateKeyType::EcP256 : CertificateKeyType::Rsa2048;
}

const char* keyName(CertificateKeyType keyType) {
  return keyType == CertificateKeyType::EcP256 ? "ECDSA P-256" : "RSA 2048";
}

// One connection's handshake per iteration: two new channels and handlers, the records carried
// until both are done, then both channels dropped. Arg 0: ECDSA P-256, 1: RSA 2048.
void BM_SslHandlerHandshake(benchmark::State& state) {
  const Contexts& c = contexts(keyTypeOf(state));
  std::string suite;
  for (auto _ : state) {
    End server(c.server->newHandler());
    End client(c.fullClient->newHandler("localhost", 443));
    pump(client, server);
    if (!client.handler->isHandshakeComplete() || !server.handler->isHandshakeComplete() ||
        client.handler->isSessionReused()) {
      state.SkipWithError("the handshake did not complete in full");
      break;
    }
    suite = client.handler->protocol() + " " + client.handler->cipherSuite();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(std::string(keyName(keyTypeOf(state))) + ", " + suite);
}
BENCHMARK(BM_SslHandlerHandshake)->Arg(0)->Arg(1);

// As above, but the client resumes with the ticket of the previous connection (TLS 1.3: each
// ticket is used once, and each handshake brings a new one).
void BM_SslHandlerResumedHandshake(benchmark::State& state) {
  const Contexts& c = contexts(keyTypeOf(state));
  {
    End server(c.server->newHandler());
    End client(c.resumingClient->newHandler("localhost", 443));
    pump(client, server);  // the first, full handshake leaves a ticket
  }
  for (auto _ : state) {
    End server(c.server->newHandler());
    End client(c.resumingClient->newHandler("localhost", 443));
    pump(client, server);
    if (!client.handler->isHandshakeComplete() || !client.handler->isSessionReused()) {
      state.SkipWithError("the session was not resumed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(std::string(keyName(keyTypeOf(state))) + ", ticket");
}
BENCHMARK(BM_SslHandlerResumedHandshake)->Arg(0)->Arg(1);

// Bulk: per iteration the client writes and flushes one buffer of `size` bytes (a slice of the
// same pooled buffer each time, so no plaintext copy is made), and its records go through the
// server, which decrypts them into pooled buffers. ECDSA certificate (the bulk cipher does not
// depend on it).
void BM_SslHandlerBulk(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const Contexts& c = contexts(CertificateKeyType::EcP256);
  End server(c.server->newHandler());
  End client(c.fullClient->newHandler("localhost", 443));
  pump(client, server);
  if (!client.handler->isHandshakeComplete()) {
    state.SkipWithError("the handshake failed");
    return;
  }
  ByteBuf payload = PooledByteBufAllocator::defaultAllocator().buffer(size);
  const std::string pattern(size, 'x');
  payload.writeBytes(pattern);
  for (auto _ : state) {
    client.channel->writeAndFlush(payload.retainedSlice());
    transfer(*client.channel, *server.channel);
  }
  const std::size_t expected = size * static_cast<std::size_t>(state.iterations());
  if (server.sink->bytes != expected) {
    state.SkipWithError("the server did not receive every byte");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(expected));
  state.SetLabel(client.handler->protocol() + " " + client.handler->cipherSuite());
}
BENCHMARK(BM_SslHandlerBulk)->Arg(16 * 1024)->Arg(1024 * 1024);

// ---------------------------------------------------------------------------------------------
// Raw OpenSSL: two SSL objects over memory BIOs
// ---------------------------------------------------------------------------------------------

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// OpenSSL's defaults, TLS 1.2 and 1.3 as SslContextBuilder allows, the same certificate and
// key; the client verifies the chain and host name like the sluice client does. As with the
// sluice server, the server sends TLS 1.3 session tickets (OpenSSL's default: two per
// handshake); the client keeps none, so every handshake is a full one.
struct RawContexts {
  explicit RawContexts(const SelfSignedCertificate& cert)
      : server(SSL_CTX_new(TLS_server_method())), client(SSL_CTX_new(TLS_client_method())) {
    for (SSL_CTX* c : {server.get(), client.get()}) {
      SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
      SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
    }
    BIO* certBio = BIO_new_mem_buf(cert.certificatePem().data(),
                                   static_cast<int>(cert.certificatePem().size()));
    X509* x509 = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
    BIO_free(certBio);
    BIO* keyBio =
        BIO_new_mem_buf(cert.privateKeyPem().data(), static_cast<int>(cert.privateKeyPem().size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    BIO_free(keyBio);
    ok = x509 != nullptr && key != nullptr && SSL_CTX_use_certificate(server.get(), x509) == 1 &&
         SSL_CTX_use_PrivateKey(server.get(), key) == 1 &&
         X509_STORE_add_cert(SSL_CTX_get_cert_store(client.get()), x509) == 1;
    X509_free(x509);
    EVP_PKEY_free(key);
    SSL_CTX_set_verify(client.get(), SSL_VERIFY_PEER, nullptr);
  }
  SslCtxPtr server;
  SslCtxPtr client;
  bool ok = false;
};

const RawContexts& rawContexts(CertificateKeyType keyType) {
  static const RawContexts ec(contexts(CertificateKeyType::EcP256).certificate);
  static const RawContexts rsa(contexts(CertificateKeyType::Rsa2048).certificate);
  return keyType == CertificateKeyType::EcP256 ? ec : rsa;
}

// A client and a server SSL wired back to back: what the client writes into one memory BIO,
// the server reads from it, and the other way through a second one. No copy between them.
struct RawPair {
  explicit RawPair(const RawContexts& c)
      : client(SSL_new(c.client.get())), server(SSL_new(c.server.get())) {
    BIO* toServer = BIO_new(BIO_s_mem());
    BIO* toClient = BIO_new(BIO_s_mem());
    // An empty memory BIO says "retry" rather than end of file (BIO_set_mem_eof_return,
    // whose macro casts in C style).
    BIO_ctrl(toServer, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nullptr);
    BIO_ctrl(toClient, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nullptr);
    BIO_up_ref(toServer);
    BIO_up_ref(toClient);
    SSL_set_bio(client.get(), toClient, toServer);
    SSL_set_bio(server.get(), toServer, toClient);
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());
    static char kHost[] = "localhost";
    SSL_ctrl(client.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, kHost);
    SSL_set1_host(client.get(), "localhost");
  }

  // Steps both sides until both are done; false if either fails.
  bool handshake() {
    for (int i = 0; i < 100; ++i) {
      // SSL_get_error reads the BIO's retry flags, which the peer's next write clears: ask
      // right after each call.
      const bool c = step(client.get());
      const bool s = step(server.get());
      if (failed_) {
        ERR_clear_error();
        return false;
      }
      if (c && s) {
        return true;
      }
    }
    return false;
  }

  SslPtr client;
  SslPtr server;

 private:
  // True when `ssl`'s handshake is done; notes a failure other than waiting for input.
  bool step(SSL* ssl) {
    const int rc = SSL_do_handshake(ssl);
    if (rc != 1 && SSL_get_error(ssl, rc) != SSL_ERROR_WANT_READ) {
      failed_ = true;
    }
    return rc == 1;
  }

  bool failed_ = false;
};

void BM_RawOpenSslHandshake(benchmark::State& state) {
  const RawContexts& c = rawContexts(keyTypeOf(state));
  if (!c.ok) {
    state.SkipWithError("cannot load the certificate");
    return;
  }
  std::string suite;
  for (auto _ : state) {
    RawPair pair(c);
    if (!pair.handshake() || SSL_session_reused(pair.client.get()) != 0) {
      state.SkipWithError("the handshake did not complete in full");
      break;
    }
    suite = std::string(SSL_get_version(pair.client.get())) + " " +
            SSL_get_cipher_name(pair.client.get());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(std::string(keyName(keyTypeOf(state))) + ", " + suite);
}
BENCHMARK(BM_RawOpenSslHandshake)->Arg(0)->Arg(1);

// Per iteration: SSL_write of `size` bytes on the client (records of up to 16 KiB into the
// memory BIO), then SSL_read on the server until the BIO is empty, into a 16 KiB buffer (the
// most an SslHandler puts in one decrypted buffer). Second argument 1: both SSL objects in
// SSL_MODE_RELEASE_BUFFERS, the mode SslContext sets (record buffers freed whenever they are
// empty), to tell its cost from the handler's.
void BM_RawOpenSslBulk(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const bool releaseBuffers = state.range(1) != 0;
  const RawContexts& c = rawContexts(CertificateKeyType::EcP256);
  RawPair pair(c);
  if (releaseBuffers) {
    SSL_set_mode(pair.client.get(), SSL_MODE_RELEASE_BUFFERS);
    SSL_set_mode(pair.server.get(), SSL_MODE_RELEASE_BUFFERS);
  }
  if (!c.ok || !pair.handshake()) {
    state.SkipWithError("the handshake failed");
    return;
  }
  const std::string payload(size, 'x');
  std::vector<char> in(16 * 1024);
  std::size_t received = 0;
  for (auto _ : state) {
    if (SSL_write(pair.client.get(), payload.data(), static_cast<int>(size)) !=
        static_cast<int>(size)) {
      state.SkipWithError("SSL_write failed");
      break;
    }
    int n = 0;
    while ((n = SSL_read(pair.server.get(), in.data(), static_cast<int>(in.size()))) > 0) {
      received += static_cast<std::size_t>(n);
    }
    benchmark::DoNotOptimize(in.data());
  }
  if (received != size * static_cast<std::size_t>(state.iterations())) {
    state.SkipWithError("the server did not receive every byte");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
  state.SetLabel(std::string(SSL_get_version(pair.client.get())) + " " +
                 SSL_get_cipher_name(pair.client.get()) +
                 (releaseBuffers ? ", RELEASE_BUFFERS" : ""));
}
BENCHMARK(BM_RawOpenSslBulk)
    ->Args({16 * 1024, 0})
    ->Args({1024 * 1024, 0})
    ->Args({16 * 1024, 1})
    ->Args({1024 * 1024, 1});

}  // namespace

BENCHMARK_MAIN();
