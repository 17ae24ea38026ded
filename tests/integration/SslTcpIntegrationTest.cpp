#include <sluice/buffer/Unpooled.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>

#include <atomic>
#include <chrono>
#include <string>

#include "support/SluiceTest.h"
#include "support/SslTestUtil.h"
#include "transport/TransportTestSupport.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::Collector;
using testing::EchoHandler;
using testing::initializer;

class SslTcpIntegrationTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    group_.shutdownGracefully(0ms, 5s).await(10s);
    SluiceTest::TearDown();
  }
  static const testing::TestPki& pki() {
    static const testing::TestPki p;
    return p;
  }
  UvEventLoopGroup group_{2};
};

TEST_F(SslTcpIntegrationTest, EchoesOneMebibyteAndResumesTheSessionOnReconnect) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext = pki().clientBuilder().build();
  // [docs:ssl-tcp-server]
  ServerBootstrap sb;
  sb.group(group_).childHandler(initializer([serverContext](Channel& ch) {
    ch.pipeline().addLast(serverContext->newHandler());  // TLS first
    ch.pipeline().addLast(std::make_unique<EchoHandler>());
  }));
  // [docs:end]
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  const std::uint16_t port = bound.channel().localAddress().port();

  for (int round = 0; round < 2; ++round) {
    auto collector = std::make_shared<Collector>();
    std::atomic<SslHandler*> ssl{nullptr};
    // [docs:ssl-tcp-client]
    Bootstrap b;
    b.group(group_).handler(initializer([&, clientContext](Channel& ch) {
      auto handler = clientContext->newHandler("localhost", port);
      ssl = handler.get();
      ch.pipeline().addLast(std::move(handler));
      ch.pipeline().addLast(collector);
    }));
    ChannelPtr ch = b.connect("127.0.0.1", port).get();
    ssl.load()->handshakeFuture().sync();  // any thread may wait for it
    // [docs:end]
    EXPECT_EQ(ssl.load()->isSessionReused(), round == 1) << "round " << round;
    EXPECT_EQ(ssl.load()->peerSubject(), "CN=localhost");
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
      big[i] = static_cast<char>(i * 13 % 253);
    }
    ch->writeAndFlush(Unpooled::copiedBuffer(big)).sync();
    ASSERT_TRUE(collector->waitFor(big.size()));
    EXPECT_TRUE(collector->bytes() == big);
    ch->close().sync();
    ASSERT_TRUE(collector->waitInactive());
  }
  bound.channel().close().sync();
}

TEST_F(SslTcpIntegrationTest, UntrustedServerFailsTheHandshakeFuture) {
  auto serverContext = pki().serverBuilder().build();
  auto clientContext =
      SslContextBuilder::forClient().trustManager(pki().otherCa.certificatePem()).build();
  ServerBootstrap sb;
  sb.group(group_).childHandler(initializer(
      [serverContext](Channel& ch) { ch.pipeline().addLast(serverContext->newHandler()); }));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  const std::uint16_t port = bound.channel().localAddress().port();
  auto collector = std::make_shared<Collector>();
  // The future, not the handler: the handler goes away with the channel, which closes as
  // soon as the handshake fails.
  Promise<Future<void>> handshakeOf = Promise<Future<void>>::make(nullptr);
  Bootstrap b;
  b.group(group_).handler(initializer([&, clientContext](Channel& ch) {
    auto handler = clientContext->newHandler("localhost", port);
    handshakeOf.trySuccess(handler->handshakeFuture());
    ch.pipeline().addLast(std::move(handler));
    ch.pipeline().addLast(collector);
  }));
  ChannelPtr ch = b.connect("127.0.0.1", port).get();
  Future<void> handshake = handshakeOf.future().get();
  ASSERT_TRUE(handshake.await(10s));
  EXPECT_EQ(handshake.cause().code(), SslErrc::CertificateVerifyFailed);
  EXPECT_TRUE(collector->waitInactive());
  bound.channel().close().sync();
}

}  // namespace
}  // namespace sluice
