// The code shown in docs/transport.md, compiled and run (see CoreDocsTest.cpp).

#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/ChannelPool.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <chrono>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace docs {

using EchoServerInitializer = sluice::testing::LambdaInitializer;
using ClientInitializer = sluice::testing::LambdaInitializer;

class TransportDocsTest : public sluice::testing::SluiceTest {};

TEST_F(TransportDocsTest, ServerClientAndPool) {
  // [docs:server]
  sluice::UvEventLoopGroup boss(1);  // accepts
  sluice::UvEventLoopGroup workers;  // serves; one loop per core
  sluice::ServerBootstrap sb;
  sb.group(boss, workers)
      .option({.backlog = 1024})
      .childOption(
          {.tcpNoDelay = true,
           .writeBufferWaterMark = sluice::WriteBufferWaterMark{.low = 32768, .high = 65536}})
      .childHandler(std::make_shared<EchoServerInitializer>(
          [](sluice::Channel& ch) { ch.pipeline().addLast<sluice::testing::EchoHandler>(); }));
  sluice::ChannelFuture bound = sb.bind("127.0.0.1", 0).sync();
  // [docs:end]
  const std::uint16_t port = bound.channel().localAddress().port();

  sluice::UvEventLoopGroup group(1);
  {
    // [docs:client]
    sluice::Bootstrap b;
    b.group(group)
        .option({.connectTimeout = std::chrono::seconds(5)})
        .handler(std::make_shared<ClientInitializer>([](sluice::Channel&) {}));
    sluice::ChannelPtr ch = b.connect("localhost", port).get();
    // [docs:end]
    EXPECT_TRUE(ch->isActive());
    ch->close().sync();

    // [docs:pool]
    sluice::ChannelPool pool(b, "127.0.0.1", port,
                             {.maxConnections = 8, .acquireTimeout = std::chrono::seconds(2)});
    sluice::ChannelPtr pooled = pool.acquire().get();
    // ... use the connection ...
    pool.release(pooled);
    // [docs:end]
    pool.release(pool.acquire().get()).sync();
    EXPECT_EQ(pool.idleCount(), 1U);
  }
  bound.channel().close().sync();
  group.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
  workers.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
  boss.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5)).sync();
}

}  // namespace docs
