#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/ssl/DomainWildcardMapping.h>
#include <sluice/handler/ssl/SniHandler.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/SluiceTest.h"
#include "support/SslTestUtil.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::SslEnd;
using testing::SslEventRecorder;

class SniHandlerTest : public testing::SluiceTest {
 protected:
  struct Pki {
    SelfSignedCertificate ca{SelfSignedCertificateConfig{.commonName = "sni CA", .ca = true}};
    SelfSignedCertificate fallback =
        ca.issue({.commonName = "default", .hostNames = {"localhost"}});
    SelfSignedCertificate a = ca.issue({.commonName = "a", .hostNames = {"a.example.com"}});
    SelfSignedCertificate b = ca.issue({.commonName = "b", .hostNames = {"*.b.example.com"}});
  };
  static const Pki& pki() {
    static const Pki p;
    return p;
  }
  static std::shared_ptr<const SslContext> serverContext(const SelfSignedCertificate& cert) {
    return SslContextBuilder::forServer(cert.certificatePem(), cert.privateKeyPem()).build();
  }

  /// A server channel with an SniHandler; the SslHandler it becomes is found by type.
  struct SniServer {
    explicit SniServer(std::shared_ptr<DomainWildcardMapping> mapping) {
      auto r = std::make_unique<SslEventRecorder>();
      recorder = r.get();
      channel =
          std::make_unique<EmbeddedChannel>(std::make_unique<SniHandler>(mapping), std::move(r));
    }
    SslHandler* ssl() const { return channel->pipeline().get<SslHandler>(); }
    std::unique_ptr<EmbeddedChannel> channel;
    SslEventRecorder* recorder;
  };

  /// Connects a client for `host` to `server`; returns the certificate subject it saw, or the
  /// handshake's error message.
  static std::string connect(SniServer& server, const std::string& host) {
    auto client = SslContextBuilder::forClient().trustManager(pki().ca.certificatePem()).build();
    SslEnd c(client->newHandler(host, 443));
    for (int i = 0; i < 100; ++i) {
      if (testing::transfer(*c.channel, *server.channel) +
              testing::transfer(*server.channel, *c.channel) ==
          0) {
        break;
      }
    }
    const Future<void> f = c.handler->handshakeFuture();
    return !f.isDone() ? "pending" : f.isSuccess() ? c.handler->peerSubject() : f.cause().message();
  }

  static std::vector<std::uint8_t> clientHello(const std::string& host) {
    auto client = SslContextBuilder::forClient().verifyPeer(false).build();
    SslEnd c(client->newHandler(host, 443));
    Message m = c.channel->readOutbound();
    std::span<const std::uint8_t> bytes = m.get<ByteBuf>().readableSpan();
    return {bytes.begin(), bytes.end()};
  }
};

TEST_F(SniHandlerTest, ParsesTheServerNameOfARealClientHello) {
  std::string name;
  const std::vector<std::uint8_t> hello = clientHello("WWW.Example.com");
  EXPECT_EQ(SniHandler::parseClientHello(hello, name), SniHandler::ParseResult::Found);
  EXPECT_EQ(name, "www.example.com");
  // Every shorter prefix needs more.
  for (std::size_t n = 0; n < hello.size(); ++n) {
    ASSERT_EQ(SniHandler::parseClientHello(std::span(hello).first(n), name),
              SniHandler::ParseResult::NeedMore)
        << n;
  }
  // An IP address is not sent as SNI: a ClientHello without a name.
  EXPECT_EQ(SniHandler::parseClientHello(clientHello("127.0.0.1"), name),
            SniHandler::ParseResult::Found);
  EXPECT_EQ(name, "");
  const std::string http = "GET / HTTP/1.1\r\n";
  EXPECT_EQ(SniHandler::parseClientHello(
                std::span(reinterpret_cast<const std::uint8_t*>(http.data()), http.size()), name),
            SniHandler::ParseResult::NotClientHello);
}

TEST_F(SniHandlerTest, PicksTheContextForTheHostName) {
  // [docs:ssl-sni]
  auto mapping = std::make_shared<DomainWildcardMapping>(serverContext(pki().fallback));
  mapping->add("a.example.com", serverContext(pki().a));
  mapping->add("*.b.example.com", serverContext(pki().b));
  // In the server's initializer:
  //   ch.pipeline().addLast(std::make_unique<SniHandler>(mapping));
  // [docs:end]
  {
    SniServer server(mapping);
    EXPECT_EQ(connect(server, "a.example.com"), "CN=a");
    EXPECT_EQ(server.ssl()->sniHostName(), "a.example.com");
    EXPECT_EQ(server.channel->pipeline().get<SniHandler>(), nullptr) << "replaced itself";
  }
  {
    SniServer server(mapping);
    EXPECT_EQ(connect(server, "x.b.example.com"), "CN=b");
  }
  {
    SniServer server(mapping);
    EXPECT_EQ(connect(server, "localhost"), "CN=default");
  }
  {
    // No SNI (an IP address is not sent): the default, whose certificate names 127.0.0.1.
    SniServer server(mapping);
    EXPECT_EQ(connect(server, "127.0.0.1"), "CN=default");
    EXPECT_EQ(server.ssl()->sniHostName(), "");
  }
}

TEST_F(SniHandlerTest, ReloadedCertificateServesNewConnections) {
  // The server's certificate and key live in files, which an operator replaces.
  const std::string dir = std::filesystem::temp_directory_path() / "sluice-sni-reload";
  std::filesystem::create_directories(dir);
  const auto install = [&](const SelfSignedCertificate& cert) {
    std::ofstream(dir + "/cert.pem") << cert.certificatePem();
    std::ofstream(dir + "/key.pem") << cert.privateKeyPem();
  };
  const SelfSignedCertificate first = pki().ca.issue({.commonName = "first"});
  const SelfSignedCertificate second = pki().ca.issue({.commonName = "second"});
  install(first);
  // [docs:ssl-reload]
  const auto load = [&] {
    return SslContextBuilder::forServer(dir + "/cert.pem", dir + "/key.pem").build();
  };
  auto mapping = std::make_shared<DomainWildcardMapping>(load());
  // ... later, when the files have changed (a SIGHUP, a file watcher):
  //   mapping->setDefault(load());
  // [docs:end]
  SniServer before(mapping);
  auto client = SslContextBuilder::forClient().trustManager(pki().ca.certificatePem()).build();
  SslEnd oldClient(client->newHandler("localhost", 443));
  for (int i = 0; i < 10; ++i) {
    testing::transfer(*oldClient.channel, *before.channel);
    testing::transfer(*before.channel, *oldClient.channel);
  }
  ASSERT_EQ(oldClient.handler->peerSubject(), "CN=first");

  install(second);
  mapping->setDefault(load());
  SniServer after(mapping);
  EXPECT_EQ(connect(after, "localhost"), "CN=second");
  // The connection made before keeps working with what it had.
  oldClient.channel->writeAndFlush(Unpooled::copiedBuffer("still here"));
  testing::transfer(*oldClient.channel, *before.channel);
  auto received = before.channel->readInbound<ByteBuf>();
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->toStringView(), "still here");
  std::filesystem::remove_all(dir);
}

TEST_F(SniHandlerTest, WildcardMatchesOneLabelAndExactEntriesWin) {
  auto fallback = serverContext(pki().fallback);
  auto a = serverContext(pki().a);
  auto b = serverContext(pki().b);
  DomainWildcardMapping mapping(fallback);
  mapping.add("*.Example.com.", a).add("exact.example.com", b);
  EXPECT_EQ(mapping.map("www.example.com"), a);
  EXPECT_EQ(mapping.map("WWW.EXAMPLE.COM"), a);
  EXPECT_EQ(mapping.map("exact.example.com"), b);
  EXPECT_EQ(mapping.map("example.com"), fallback);
  EXPECT_EQ(mapping.map("a.b.example.com"), fallback);
  EXPECT_EQ(mapping.map(""), fallback);
  EXPECT_TRUE(mapping.remove("*.example.com"));
  EXPECT_EQ(mapping.map("www.example.com"), fallback);
  EXPECT_THROW(mapping.add("www.*.com", a), std::invalid_argument);
  EXPECT_THROW(mapping.add("", a), std::invalid_argument);
}

TEST_F(SniHandlerTest, UnknownNameWithoutDefaultIsRefused) {
  auto mapping = std::make_shared<DomainWildcardMapping>(nullptr);
  mapping->add("a.example.com", serverContext(pki().a));
  SniServer server(mapping);
  connect(server, "other.example.com");
  ASSERT_EQ(server.recorder->errors.size(), 1U);
  EXPECT_EQ(server.recorder->errors[0].code(), SslErrc::HandshakeFailed);
  EXPECT_EQ(server.recorder->errors[0].message(),
            "no TLS context for the host name other.example.com");
  EXPECT_FALSE(server.channel->isOpen());
}

TEST_F(SniHandlerTest, ClientHelloArrivingByteByByteIsReassembled) {
  auto mapping = std::make_shared<DomainWildcardMapping>(serverContext(pki().fallback));
  mapping->add("a.example.com", serverContext(pki().a));
  SniServer server(mapping);
  auto client = SslContextBuilder::forClient().trustManager(pki().ca.certificatePem()).build();
  SslEnd c(client->newHandler("a.example.com", 443));
  Message m = c.channel->readOutbound();
  ByteBuf& hello = m.get<ByteBuf>();
  while (hello.isReadable()) {
    server.channel->pipeline().fireChannelRead(hello.readSlice(1));
    server.channel->pipeline().fireChannelReadComplete();
  }
  for (int i = 0; i < 10; ++i) {
    testing::transfer(*server.channel, *c.channel);
    testing::transfer(*c.channel, *server.channel);
  }
  EXPECT_EQ(c.handler->peerSubject(), "CN=a");
}

TEST_F(SniHandlerTest, PlaintextIsRefusedByTheDefaultContext) {
  auto mapping = std::make_shared<DomainWildcardMapping>(serverContext(pki().fallback));
  SniServer server(mapping);
  server.channel->pipeline().fireChannelRead(Unpooled::copiedBuffer("GET / HTTP/1.1\r\n\r\n"));
  server.channel->runPendingTasks();
  ASSERT_FALSE(server.recorder->errors.empty());
  EXPECT_EQ(server.recorder->errors.back().code(), SslErrc::NotSslRecord);
  EXPECT_FALSE(server.channel->isOpen());
  server.channel->releaseOutbound();
}

TEST_F(SniHandlerTest, NoClientHelloWithinTheTimeoutClosesTheChannel) {
  auto mapping = std::make_shared<DomainWildcardMapping>(serverContext(pki().fallback));
  SniServer server(mapping);
  server.channel->advanceTimeBy(10s);
  server.channel->runPendingTasks();
  EXPECT_FALSE(server.channel->isOpen());
  ASSERT_EQ(server.recorder->errors.size(), 1U);
  EXPECT_EQ(server.recorder->errors[0].code(), SslErrc::HandshakeTimeout);
}

}  // namespace
}  // namespace sluice
