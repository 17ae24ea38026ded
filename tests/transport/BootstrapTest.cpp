#include <fcntl.h>
#include <netinet/in.h>
#include <sluice/buffer/Unpooled.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::EchoHandler;
using testing::initializer;

class BootstrapTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    group_.shutdownGracefully(0ms, 5s).await(10s);
    SluiceTest::TearDown();
  }
  // A port on 127.0.0.1 that nothing listens on: bound once, then closed.
  std::uint16_t closedPort() {
    ServerBootstrap sb;
    sb.group(group_).childHandler(initializer([](Channel&) {}));
    ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
    const std::uint16_t port = bound.channel().localAddress().port();
    bound.channel().close().sync();
    return port;
  }
  UvEventLoopGroup group_{1};
};

TEST_F(BootstrapTest, ConnectToAClosedPortFailsWithConnectionRefused) {
  const std::uint16_t port = closedPort();
  Bootstrap b;
  b.group(group_).handler(initializer([](Channel&) {}));
  auto f = b.connect("127.0.0.1", port);
  ASSERT_TRUE(f.await(10s));
  ASSERT_FALSE(f.isSuccess());
  EXPECT_EQ(f.cause().code(), std::errc::connection_refused);
  EXPECT_NE(f.cause().message().find("connection refused"), std::string::npos)
      << f.cause().message();
}

TEST_F(BootstrapTest, ConnectTimesOutWhenTheListenerNeverAnswers) {
  // A listener whose accept queue is full drops new SYNs: the connect waits for an answer
  // that never comes, and the connect timeout ends it.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {  // fill the queue (never accepted)
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(s);
  }

  Bootstrap b;
  b.group(group_)
      .option({.connectTimeout = std::chrono::milliseconds(300)})
      .handler(initializer([](Channel&) {}));
  const auto start = std::chrono::steady_clock::now();
  auto f = b.connect("127.0.0.1", ntohs(addr.sin_port));
  ASSERT_TRUE(f.await(10s));
  ASSERT_FALSE(f.isSuccess());
  EXPECT_EQ(f.cause(), CoreErrc::Timeout) << f.cause().toString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  for (int s : fillers) {
    ::close(s);
  }
  ::close(listener);
}

TEST_F(BootstrapTest, AHostThatDoesNotResolveFailsTheConnect) {
  Bootstrap b;
  b.group(group_).handler(initializer([](Channel&) {}));
  auto f = b.connect("no-such-host.invalid", 80);  // .invalid never resolves (RFC 2606)
  ASSERT_TRUE(f.await(60s));
  ASSERT_FALSE(f.isSuccess());
  EXPECT_NE(f.cause().message().find("cannot resolve no-such-host.invalid"), std::string::npos)
      << f.cause().message();
}

TEST_F(BootstrapTest, ConnectsByNameTryingEachAddressInTurn) {
  // "localhost" may resolve to ::1 first; the server listens on 127.0.0.1 only, so a refused
  // first address must lead to the next.
  ServerBootstrap sb;
  sb.group(group_).childHandler(
      initializer([](Channel& ch) { ch.pipeline().addLast<EchoHandler>(); }));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  Bootstrap b;
  b.group(group_).handler(initializer([](Channel&) {}));
  ChannelPtr ch = b.connect("localhost", bound.channel().localAddress().port()).get();
  EXPECT_TRUE(ch->isActive());
  EXPECT_EQ(ch->remoteAddress().ip(), "127.0.0.1");
  ch->close().sync();
}

TEST_F(BootstrapTest, AttributesAndOptionsReachTheChannel) {
  static const AttributeKey<int> kTag{"tag"};
  ServerBootstrap sb;
  sb.group(group_).childHandler(initializer([](Channel&) {}));
  ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  Bootstrap b;
  b.group(group_)
      .attr(kTag, 7)
      .option({.writeBufferWaterMark = WriteBufferWaterMark{.low = 1, .high = 2}})
      .handler(initializer([](Channel&) {}));
  ChannelPtr ch = b.connect("127.0.0.1", bound.channel().localAddress().port()).get();
  EXPECT_EQ(*ch->attr(kTag).get(), 7);
  EXPECT_EQ(ch->config().writeBufferWaterMark().high, 2U);
  ch->close().sync();
}

}  // namespace
}  // namespace sluice
