#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/metrics/MetricsRegistry.h>

#include <chrono>
#include <string>

#include "support/SluiceTest.h"
#include "support/SslTestUtil.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::pump;
using testing::SslEnd;
using testing::TestPki;

class SslHandlerTest : public testing::SluiceTest {
 protected:
  static const TestPki& pki() {
    static const TestPki p;
    return p;
  }
};

// The content type of the first TLS record in `buf` (RFC 8446 5.1): 21 alert, 22 handshake,
// 23 application data.
int recordType(const ByteBuf& buf) { return buf.getUnsignedByte(buf.readerIndex()); }

TEST_F(SslHandlerTest, HandshakeCompletesBetweenTwoEmbeddedChannels) {
  // [docs:ssl-embedded-handshake]
  auto serverContext =
      SslContextBuilder::forServer(pki().server.certificatePem(), pki().server.privateKeyPem())
          .build();
  auto clientContext =
      SslContextBuilder::forClient().trustManager(pki().ca.certificatePem()).build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);  // carries the records each side flushes to the other
  ASSERT_TRUE(client.handler->handshakeFuture().isSuccess());
  EXPECT_EQ(client.handler->peerSubject(), "CN=localhost");
  // [docs:end]
  ASSERT_TRUE(server.handler->handshakeFuture().isSuccess());
  EXPECT_TRUE(client.handler->isHandshakeComplete());
  EXPECT_EQ(client.handler->protocol(), "TLSv1.3");
  EXPECT_EQ(server.handler->protocol(), "TLSv1.3");
  EXPECT_EQ(client.handler->peerIssuer(), "CN=sluice test CA");
  EXPECT_NE(client.handler->peerCertificatePem().find("-----BEGIN CERTIFICATE-----"),
            std::string::npos);
  EXPECT_EQ(server.handler->peerSubject(), "");  // no client certificate was asked for
  EXPECT_EQ(server.handler->sniHostName(), "localhost");
  EXPECT_FALSE(client.handler->isSessionReused());
  ASSERT_EQ(client.recorder->handshakes.size(), 1U);
  EXPECT_TRUE(client.recorder->handshakes[0].isSuccess());
  ASSERT_EQ(server.recorder->handshakes.size(), 1U);
  EXPECT_TRUE(server.recorder->handshakes[0].isSuccess());
  EXPECT_TRUE(client.recorder->errors.empty());
  EXPECT_TRUE(server.recorder->errors.empty());
}

TEST_F(SslHandlerTest, DataFlowsBothWaysIncludingOneMebibyteWrites) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  ASSERT_TRUE(client.handler->isHandshakeComplete());

  ChannelFuture hello = client.channel->writeAndFlush(Unpooled::copiedBuffer("hello, server"));
  pump(client, server);
  EXPECT_TRUE(hello.isSuccess());
  EXPECT_EQ(server.received(), "hello, server");

  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<char>(i * 7 % 251);
  }
  ChannelFuture bigWrite = server.channel->writeAndFlush(Unpooled::copiedBuffer(big));
  // Records leave as ciphertext, none longer than a TLS record allows per record.
  std::size_t ciphertext = 0;
  for (const Message& m : server.channel->outboundMessages()) {
    const ByteBuf& b = m.get<ByteBuf>();
    EXPECT_EQ(recordType(b), 23);
    EXPECT_EQ(b.toStringView().find("\x07\x0e\x15\x1c\x23"), std::string_view::npos);
    ciphertext += b.readableBytes();
  }
  EXPECT_GT(ciphertext, big.size());
  EXPECT_LT(ciphertext, big.size() + big.size() / 16384 * 64 + 1024);
  pump(client, server);
  EXPECT_TRUE(bigWrite.isSuccess());
  EXPECT_EQ(client.received(), big);

  // And the other way, as a CompositeByteBuf of two parts.
  CompositeByteBuf composite(ByteBufAllocator::defaultAllocator());
  composite.addComponent(Unpooled::copiedBuffer(big.substr(0, 300000)));
  composite.addComponent(Unpooled::copiedBuffer(big.substr(300000)));
  ChannelFuture compositeWrite = client.channel->writeAndFlush(std::move(composite));
  pump(client, server);
  EXPECT_TRUE(compositeWrite.isSuccess());
  EXPECT_EQ(server.received(), big);
}

TEST_F(SslHandlerTest, EncryptsTheSharedBytesOfABroadcast) {
  // ChannelGroup gives each member an EncodedMessage over the same bytes: a ByteBuf too.
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  EncodedMessage broadcast(Unpooled::copiedBuffer("to everyone"));
  ChannelFuture written = server.channel->writeAndFlush(broadcast.share());
  pump(server, client);
  EXPECT_TRUE(written.isSuccess()) << written.cause().toString();
  EXPECT_EQ(client.received(), "to everyone");
  EXPECT_EQ(broadcast.readableBytes(), 11U) << "the shared bytes are left as they were";
}

TEST_F(SslHandlerTest, WritesBeforeTheHandshakeAreHeldAndSentAfterIt) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  ChannelFuture early = client.channel->writeAndFlush(Unpooled::copiedBuffer("early"));
  // Only the ClientHello has gone out; nothing in clear, no application data.
  ASSERT_EQ(client.channel->outboundMessages().size(), 1U);
  const ByteBuf& hello = client.channel->outboundMessages().front().get<ByteBuf>();
  EXPECT_EQ(recordType(hello), 22);
  EXPECT_EQ(hello.toStringView().find("early"), std::string_view::npos);
  EXPECT_FALSE(early.isDone());
  pump(client, server);
  EXPECT_TRUE(early.isSuccess());
  EXPECT_EQ(server.received(), "early");
}

TEST_F(SslHandlerTest, CloseSendsCloseNotifyAndThePeerClosesToo) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  ChannelFuture closed = client.channel->close();
  // The close_notify alert was written before the channel closed.
  ASSERT_FALSE(client.channel->outboundMessages().empty());
  EXPECT_EQ(recordType(client.channel->outboundMessages().back().get<ByteBuf>()), 23)
      << "TLS 1.3 hides the alert's type inside an application-data record";
  EXPECT_TRUE(closed.isSuccess());
  EXPECT_FALSE(client.channel->isOpen());
  pump(client, server);
  ASSERT_EQ(server.recorder->closes.size(), 1U);
  EXPECT_TRUE(server.recorder->closes[0].isSuccess());
  EXPECT_FALSE(server.channel->isOpen());
  EXPECT_TRUE(server.recorder->errors.empty());
}

TEST_F(SslHandlerTest, CloseNotifyOverTls12IsAnAlertRecord) {
  auto serverContext = pki().serverBuilder().protocols({"TLSv1.2"}).build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  ASSERT_EQ(client.handler->protocol(), "TLSv1.2");
  client.channel->close();
  ASSERT_FALSE(client.channel->outboundMessages().empty());
  EXPECT_EQ(recordType(client.channel->outboundMessages().back().get<ByteBuf>()), 21);
  pump(client, server);
  EXPECT_EQ(server.recorder->closes.size(), 1U);
  EXPECT_FALSE(server.channel->isOpen());
}

TEST_F(SslHandlerTest, CloseWaitsAtMostTheFlushTimeoutForCloseNotify) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  client.channel->setOutboundHeld(true);  // a peer that does not read
  ChannelFuture closed = client.channel->close();
  EXPECT_TRUE(client.channel->isOpen());
  client.channel->advanceTimeBy(2900ms);
  client.channel->runPendingTasks();
  EXPECT_TRUE(client.channel->isOpen());
  client.channel->advanceTimeBy(100ms);
  client.channel->runPendingTasks();
  EXPECT_FALSE(client.channel->isOpen());
  EXPECT_TRUE(closed.isDone());
}

TEST_F(SslHandlerTest, HandshakeTimeoutClosesTheChannel) {
  auto clientContext = pki().clientBuilder().build();
  SslEnd client(clientContext->newHandler("localhost", 443));
  EXPECT_EQ(client.handler->handshakeTimeout(), 10s);
  client.channel->releaseOutbound();  // the ClientHello goes nowhere
  client.channel->advanceTimeBy(9s);
  client.channel->runPendingTasks();
  EXPECT_TRUE(client.channel->isOpen());
  client.channel->advanceTimeBy(1s);
  client.channel->runPendingTasks();
  EXPECT_FALSE(client.channel->isOpen());
  ASSERT_TRUE(client.handler->handshakeFuture().isDone());
  EXPECT_EQ(client.handler->handshakeFuture().cause().code(), SslErrc::HandshakeTimeout);
  EXPECT_TRUE(client.handler->handshakeFuture().cause().code() == std::errc::timed_out);
  ASSERT_EQ(client.recorder->handshakes.size(), 1U);
  EXPECT_EQ(client.recorder->handshakes[0].cause().code(), SslErrc::HandshakeTimeout);
}

TEST_F(SslHandlerTest, UntrustedCertificateIsRefused) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext =
      SslContextBuilder::forClient().trustManager(pki().otherCa.certificatePem()).build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  const Error cause = client.handler->handshakeFuture().cause();
  EXPECT_EQ(cause.code(), SslErrc::CertificateVerifyFailed);
  EXPECT_TRUE(cause.code() == SslCondition::VerificationFailure);
  EXPECT_EQ(cause.message(), "certificate verify failed: unable to get local issuer certificate");
  EXPECT_FALSE(client.channel->isOpen());
  ASSERT_EQ(client.recorder->errors.size(), 1U);
  EXPECT_EQ(client.recorder->errors[0].code(), SslErrc::CertificateVerifyFailed);
  // The server hears of it through the client's alert.
  const Error serverCause = server.handler->handshakeFuture().cause();
  EXPECT_EQ(serverCause.code(), SslErrc::AlertReceived);
  EXPECT_NE(serverCause.message().find("unknown ca"), std::string::npos) << serverCause.message();
  EXPECT_FALSE(server.channel->isOpen());
}

TEST_F(SslHandlerTest, SelfSignedCertificateIsRefusedUnlessVerificationIsOff) {
  SelfSignedCertificate self;
  auto serverContext =
      SslContextBuilder::forServer(self.certificatePem(), self.privateKeyPem()).build();
  {
    auto clientContext = pki().clientBuilder().build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_EQ(client.handler->handshakeFuture().cause().code(), SslErrc::CertificateVerifyFailed);
    EXPECT_EQ(client.handler->handshakeFuture().cause().message(),
              "certificate verify failed: self-signed certificate");
  }
  {
    auto clientContext = SslContextBuilder::forClient().verifyPeer(false).build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_TRUE(client.handler->handshakeFuture().isSuccess());
  }
}

TEST_F(SslHandlerTest, WrongHostNameIsRefusedUnlessHostNameVerificationIsOff) {
  auto serverContext = pki().serverBuilder().build();
  {
    auto clientContext = pki().clientBuilder().build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("example.com", 443));
    pump(client, server);
    const Error cause = client.handler->handshakeFuture().cause();
    EXPECT_EQ(cause.code(), SslErrc::HostnameMismatch);
    EXPECT_TRUE(cause.code() == SslCondition::VerificationFailure);
    EXPECT_EQ(cause.message(),
              "certificate verify failed: hostname mismatch (expected example.com)");
    EXPECT_FALSE(client.channel->isOpen());
  }
  {
    auto clientContext = pki().clientBuilder().hostnameVerification(false).build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("example.com", 443));
    pump(client, server);
    EXPECT_TRUE(client.handler->handshakeFuture().isSuccess());
  }
  {
    // An IP address is checked against the IP entries (and not sent as SNI).
    auto clientContext = pki().clientBuilder().build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("127.0.0.1", 443));
    pump(client, server);
    EXPECT_TRUE(client.handler->handshakeFuture().isSuccess());
    EXPECT_EQ(server.handler->sniHostName(), "");
    SslEnd server2(serverContext->newHandler());
    SslEnd client2(clientContext->newHandler("10.1.2.3", 443));
    pump(client2, server2);
    EXPECT_EQ(client2.handler->handshakeFuture().cause().code(), SslErrc::HostnameMismatch);
  }
}

TEST_F(SslHandlerTest, ClientWithoutPeerHostFailsWhileHostNameVerificationIsOn) {
  auto clientContext = pki().clientBuilder().build();
  SslEnd client(clientContext->newHandler());
  EXPECT_EQ(client.handler->handshakeFuture().cause().code(), SslErrc::HostnameMismatch);
  EXPECT_FALSE(client.channel->isOpen());
}

TEST_F(SslHandlerTest, RequiredClientCertificate) {
  auto serverContext = pki()
                           .serverBuilder()
                           .trustManager(pki().ca.certificatePem())
                           .clientAuth(ClientAuth::Require)
                           .build();
  {
    auto clientContext = pki().clientBuilder().build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_EQ(server.handler->handshakeFuture().cause().code(), SslErrc::CertificateVerifyFailed);
    EXPECT_FALSE(server.channel->isOpen());
    // TLS 1.3: the client finished its side before the server refused it, then got the alert.
    EXPECT_FALSE(client.channel->isOpen());
    ASSERT_FALSE(client.recorder->errors.empty());
    EXPECT_EQ(client.recorder->errors.back().code(), SslErrc::AlertReceived);
  }
  {
    auto clientContext =
        pki()
            .clientBuilder()
            .keyManager(pki().client.certificatePem(), pki().client.privateKeyPem())
            .build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    ASSERT_TRUE(server.handler->handshakeFuture().isSuccess());
    EXPECT_EQ(server.handler->peerSubject(), "CN=test client");
  }
}

TEST_F(SslHandlerTest, AlpnSelectsTheServersPreferredCommonProtocol) {
  auto serverContext = pki().serverBuilder().applicationProtocols({"http/1.1", "h2"}).build();
  {
    // [docs:ssl-alpn]
    auto clientContext = pki().clientBuilder().applicationProtocols({"h2", "http/1.1"}).build();
    // [docs:end]
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_EQ(client.handler->applicationProtocol(), "http/1.1");
    EXPECT_EQ(server.handler->applicationProtocol(), "http/1.1");
  }
  {
    auto clientContext = pki().clientBuilder().applicationProtocols({"spdy/3"}).build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    ASSERT_TRUE(client.handler->handshakeFuture().isSuccess());
    EXPECT_EQ(client.handler->applicationProtocol(), "");
  }
}

void expectResumption(const std::vector<std::string>& protocols) {
  static const TestPki pki;
  auto serverContext = pki.serverBuilder().protocols(protocols).build();
  auto clientContext = pki.clientBuilder().build();
  const auto connect = [&](std::uint16_t port) {
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", port));
    pump(client, server);
    EXPECT_TRUE(client.handler->handshakeFuture().isSuccess());
    EXPECT_EQ(client.handler->isSessionReused(), server.handler->isSessionReused());
    const bool reused = client.handler->isSessionReused();
    client.channel->close();
    pump(client, server);
    return reused;
  };
  EXPECT_FALSE(connect(443));
  EXPECT_EQ(clientContext->cachedClientSessions(), 1U);
  EXPECT_TRUE(connect(443));
  EXPECT_EQ(clientContext->cachedClientSessions(), 1U) << "a resumed session brings a new ticket";
  EXPECT_TRUE(connect(443));
  EXPECT_FALSE(connect(8443)) << "sessions are kept per host and port";
  // After two rotations the key that made the client's ticket is gone: a full handshake.
  serverContext->rotateTicketKeys();
  EXPECT_TRUE(connect(443)) << "the previous key still decrypts";
  serverContext->rotateTicketKeys();
  serverContext->rotateTicketKeys();
  EXPECT_FALSE(connect(443));
}

TEST_F(SslHandlerTest, SessionIsResumedOnReconnectOverTls13) { expectResumption({"TLSv1.3"}); }

TEST_F(SslHandlerTest, SessionIsResumedOnReconnectOverTls12) { expectResumption({"TLSv1.2"}); }

TEST_F(SslHandlerTest, SessionResumptionCanBeTurnedOff) {
  auto serverContext = pki().serverBuilder().sessionResumption(false).build();
  auto clientContext = pki().clientBuilder().build();
  for (int i = 0; i < 2; ++i) {
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_TRUE(client.handler->handshakeFuture().isSuccess());
    EXPECT_FALSE(client.handler->isSessionReused());
  }
}

TEST_F(SslHandlerTest, Tls10ClientIsRefusedByDefaultAndAcceptedWhenAllowed) {
  // A client that speaks only TLS 1.0 (and the old ciphers it needs).
  auto oldClient =
      pki().clientBuilder().protocols({"TLSv1"}).ciphers("DEFAULT:@SECLEVEL=0").build();
  {
    auto serverContext = pki().serverBuilder().build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(oldClient->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_EQ(server.handler->handshakeFuture().cause().code(), SslErrc::UnsupportedProtocol);
    EXPECT_EQ(client.handler->handshakeFuture().cause().code(), SslErrc::UnsupportedProtocol);
  }
  {
    // The positive control: the same client against a server that allows TLS 1.0.
    auto permissive = pki()
                          .serverBuilder()
                          .protocols({"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"})
                          .ciphers("DEFAULT:@SECLEVEL=0")
                          .build();
    SslEnd server(permissive->newHandler());
    SslEnd client(oldClient->newHandler("localhost", 443));
    pump(client, server);
    ASSERT_TRUE(server.handler->handshakeFuture().isSuccess());
    EXPECT_EQ(server.handler->protocol(), "TLSv1");
  }
}

TEST_F(SslHandlerTest, PlaintextIsNotATlsRecord) {
  auto serverContext = pki().serverBuilder().build();
  SslEnd server(serverContext->newHandler());
  server.channel->pipeline().fireChannelRead(
      Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const Error cause = server.handler->handshakeFuture().cause();
  EXPECT_EQ(cause.code(), SslErrc::NotSslRecord);
  EXPECT_EQ(cause.message(), "http request");
  EXPECT_FALSE(server.channel->isOpen());
  server.channel->releaseOutbound();
}

TEST_F(SslHandlerTest, WritesOtherThanBuffersFail) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  ChannelFuture f = client.channel->writeAndFlush(std::string("not a buffer"));
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), CoreErrc::UnsupportedMessageType);
}

TEST_F(SslHandlerTest, PendingWritesFailWhenTheHandshakeFails) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext =
      SslContextBuilder::forClient().trustManager(pki().otherCa.certificatePem()).build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  ChannelFuture f = client.channel->writeAndFlush(Unpooled::copiedBuffer("secret"));
  pump(client, server);
  ASSERT_TRUE(f.isDone());
  EXPECT_EQ(f.cause().code(), SslErrc::CertificateVerifyFailed);
  EXPECT_EQ(server.received(), "");
}

/// Counts read() calls that reach the transport.
struct ReadCounter : ChannelOutboundHandler {
  int* reads;
  explicit ReadCounter(int* r) : reads(r) {}
  void read(ChannelHandlerContext& ctx) override {
    ++*reads;
    ctx.read();
  }
};

TEST_F(SslHandlerTest, WithAutoReadOffEachReadYieldsPlaintext) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  int reads = 0;
  auto sslHandler = serverContext->newHandler();
  SslHandler* serverHandler = sslHandler.get();
  EmbeddedChannel serverChannel;
  serverChannel.config().setAutoRead(false);
  serverChannel.pipeline().addLast(std::make_unique<ReadCounter>(&reads));
  serverChannel.pipeline().addLast(std::move(sslHandler));
  SslEnd client(clientContext->newHandler("localhost", 443));
  // The handshake reads on its own while autoRead is off.
  for (int i = 0; i < 10 && !serverHandler->isHandshakeComplete(); ++i) {
    const int before = reads;
    testing::transfer(*client.channel, serverChannel);
    testing::transfer(serverChannel, *client.channel);
    if (!serverHandler->isHandshakeComplete()) {
      EXPECT_GT(reads, before) << "the handshake asks for the bytes it needs";
    }
  }
  ASSERT_TRUE(serverHandler->isHandshakeComplete());
  testing::transfer(serverChannel, *client.channel);  // tickets

  client.channel->writeAndFlush(Unpooled::copiedBuffer("0123456789"));
  Message record = client.channel->readOutbound();
  ByteBuf& bytes = record.get<ByteBuf>();
  // The user asks for one read; half a record arrives, so the handler asks for more itself.
  serverChannel.read();
  const int afterUserRead = reads;
  serverChannel.pipeline().fireChannelRead(bytes.readSlice(bytes.readableBytes() / 2));
  serverChannel.pipeline().fireChannelReadComplete();
  EXPECT_EQ(reads, afterUserRead + 1);
  EXPECT_TRUE(serverChannel.inboundMessages().empty());
  serverChannel.pipeline().fireChannelRead(std::move(bytes));
  serverChannel.pipeline().fireChannelReadComplete();
  EXPECT_EQ(reads, afterUserRead + 1) << "plaintext came: no read beyond the user's";
  ASSERT_EQ(serverChannel.inboundMessages().size(), 1U);
  EXPECT_EQ(serverChannel.readInbound<ByteBuf>()->toStringView(), "0123456789");
}

TEST_F(SslHandlerTest, PlaintextIsDecryptedIntoTheChannelsPooledBuffers) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  const auto before = ByteBufAllocator::defaultAllocator().metrics().allocations;
  client.channel->writeAndFlush(Unpooled::copiedBuffer(std::string(40000, 'x')));
  pump(client, server);
  EXPECT_GT(ByteBufAllocator::defaultAllocator().metrics().allocations, before);
  std::size_t total = 0;
  while (auto buf = server.channel->readInbound<ByteBuf>()) {
    EXPECT_LE(buf->readableBytes(), 16384U) << "at most a record per buffer";
    total += buf->readableBytes();
  }
  EXPECT_EQ(total, 40000U);
}

std::uint64_t handshakeFailures(std::string_view reason) {
  return MetricsRegistry::global()
      .counter("sluice_handshake_failures_total", "",
               {{"protocol", "tls"}, {"reason", std::string(reason)}})
      .value();
}

TEST_F(SslHandlerTest, HandshakeTimeoutIsReportedAsATimeout) {
  const std::uint64_t before = handshakeFailures("timeout");
  auto clientContext = pki().clientBuilder().build();
  SslEnd client(clientContext->newHandler("localhost", 443));
  client.channel->releaseOutbound();  // the ClientHello goes nowhere
  client.channel->advanceTimeBy(10s);
  client.channel->runPendingTasks();
  ASSERT_FALSE(client.channel->isOpen());
  EXPECT_EQ(client.channel->closeReason().initiator, CloseInitiator::Timeout);
  EXPECT_EQ(client.channel->closeReason().rule, "TLS handshake timeout 10000 ms");
  EXPECT_EQ(client.channel->closeReason().error.code(), SslErrc::HandshakeTimeout);
  EXPECT_EQ(handshakeFailures("timeout"), before + 1);
}

TEST_F(SslHandlerTest, FailedHandshakesAreProtocolClosesCountedByReason) {
  {
    const std::uint64_t certificate = handshakeFailures("certificate");
    const std::uint64_t alert = handshakeFailures("alert");
    auto serverContext = pki().serverBuilder().build();
    auto clientContext =
        SslContextBuilder::forClient().trustManager(pki().otherCa.certificatePem()).build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_EQ(client.channel->closeReason().initiator, CloseInitiator::Protocol);
    EXPECT_EQ(client.channel->closeReason().rule,
              "TLS handshake: certificate verify failed: unable to get local issuer certificate");
    EXPECT_EQ(server.channel->closeReason().initiator, CloseInitiator::Protocol);
    EXPECT_EQ(handshakeFailures("certificate"), certificate + 1);  // the client refused
    EXPECT_EQ(handshakeFailures("alert"), alert + 1);  // the server heard it as an alert
  }
  {
    const std::uint64_t version = handshakeFailures("protocol_version");
    auto oldClient =
        pki().clientBuilder().protocols({"TLSv1"}).ciphers("DEFAULT:@SECLEVEL=0").build();
    auto serverContext = pki().serverBuilder().build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(oldClient->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_EQ(handshakeFailures("protocol_version"), version + 2);
  }
  {
    const std::uint64_t notTls = handshakeFailures("not_tls");
    auto serverContext = pki().serverBuilder().build();
    SslEnd server(serverContext->newHandler());
    server.channel->pipeline().fireChannelRead(
        Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    EXPECT_EQ(server.channel->closeReason().initiator, CloseInitiator::Protocol);
    EXPECT_EQ(server.channel->closeReason().rule, "TLS handshake: http request");
    EXPECT_EQ(handshakeFailures("not_tls"), notTls + 1);
    server.channel->releaseOutbound();
  }
  {
    const std::uint64_t noCipher = handshakeFailures("no_shared_cipher");
    auto serverContext =
        pki().serverBuilder().protocols({"TLSv1.2"}).ciphers("ECDHE-RSA-AES256-GCM-SHA384").build();
    auto clientContext =
        pki().clientBuilder().protocols({"TLSv1.2"}).ciphers("ECDHE-RSA-AES128-GCM-SHA256").build();
    SslEnd server(serverContext->newHandler());
    SslEnd client(clientContext->newHandler("localhost", 443));
    pump(client, server);
    EXPECT_FALSE(server.handler->handshakeFuture().isSuccess());
    EXPECT_EQ(handshakeFailures("no_shared_cipher"), noCipher + 1)
        << server.handler->handshakeFuture().cause().message();
  }
}

TEST_F(SslHandlerTest, PeersCloseNotifyIsReportedAsClosedByThePeer) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  SslEnd server(serverContext->newHandler());
  SslEnd client(clientContext->newHandler("localhost", 443));
  pump(client, server);
  client.channel->close();
  pump(client, server);
  ASSERT_FALSE(server.channel->isOpen());
  EXPECT_EQ(server.channel->closeReason().initiator, CloseInitiator::Peer);
  EXPECT_EQ(server.channel->closeReason().rule, "TLS close_notify");
  EXPECT_EQ(client.channel->closeReason().initiator, CloseInitiator::Application);
}

}  // namespace
}  // namespace sluice
