// http-hello's pipeline on a real server socket, driven byte by byte from a raw client:
// keep-alive, pipelining, Connection: close, HTTP/1.0 and bad requests.

#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>

#include <string>

#include "HttpHelloServerInitializer.h"
#include "RawHttpClient.h"
#include "support/SluiceTest.h"

namespace sluice {
namespace {

using testing::RawHttpClient;

constexpr std::string_view kGet = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";
constexpr std::string_view kOkResponse =
    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n\r\nHello, World!";

class HttpHelloIntegrationTest : public testing::SluiceTest {
 protected:
  void SetUp() override {
    ServerBootstrap bootstrap;
    bootstrap.group(group_).childHandler(std::make_shared<HttpHelloServerInitializer>());
    bound_ = bootstrap.bind("127.0.0.1", 0).sync();
    port_ = bound_.channel().localAddress().port();
  }
  void TearDown() override {
    bound_.channel().close().await();
    group_.shutdownGracefully(std::chrono::milliseconds(0), std::chrono::seconds(5))
        .await(std::chrono::seconds(10));
    SluiceTest::TearDown();
  }

  UvEventLoopGroup group_{1};
  ChannelFuture bound_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpHelloIntegrationTest, KeepsTheConnectionAliveBetweenRequests) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(kGet));
  EXPECT_EQ(client.readUntilCount("Hello, World!", 1), kOkResponse);
  ASSERT_TRUE(client.send(kGet));
  EXPECT_EQ(client.readUntilCount("Hello, World!", 2),
            std::string(kOkResponse) + std::string(kOkResponse));
  EXPECT_FALSE(client.waitClosed(std::chrono::milliseconds(200)))
      << "closed a keep-alive connection";
}

TEST_F(HttpHelloIntegrationTest, AnswersSixteenPipelinedRequestsInOrder) {
  RawHttpClient client(port_);
  std::string burst;
  std::string expected;
  for (int i = 0; i < 16; ++i) {
    const bool hello = i % 3 != 2;
    burst += hello ? std::string(kGet) : "GET /other HTTP/1.1\r\nHost: test\r\n\r\n";
    expected +=
        hello ? std::string(kOkResponse)
              : "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 0\r\n\r\n";
  }
  ASSERT_TRUE(client.send(burst));
  EXPECT_EQ(client.readUntilCount("HTTP/1.1 ", 16), expected);
  client.readUntilCount("HTTP/1.1 ", 17, std::chrono::milliseconds(200));
  EXPECT_EQ(client.received(), expected) << "more than 16 responses";
}

TEST_F(HttpHelloIntegrationTest, ConnectionCloseIsHonouredAfterTheResponse) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(client.received(),
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 13\r\nconnection: "
            "close\r\n\r\nHello, World!");
}

TEST_F(HttpHelloIntegrationTest, Http10ClosesUnlessAskedToKeepAlive) {
  {
    RawHttpClient client(port_);
    ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\n\r\n"));
    EXPECT_TRUE(client.waitClosed());
    EXPECT_EQ(client.received().rfind("HTTP/1.0 200 OK\r\n", 0), 0U) << client.received();
  }
  RawHttpClient client(port_);
  ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const std::string response = client.readUntilCount("Hello, World!", 1);
  EXPECT_NE(response.find("connection: keep-alive\r\n"), std::string::npos) << response;
  EXPECT_FALSE(client.waitClosed(std::chrono::milliseconds(200)));
}

TEST_F(HttpHelloIntegrationTest, BadRequestIsAnsweredAfterTheGoodOnesBeforeIt) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.send(std::string(kGet) + std::string(kGet) +
                          "GET /hello HTTP/1.1\r\nHost : test\r\n\r\n" + std::string(kGet)));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(client.received(), std::string(kOkResponse) + std::string(kOkResponse) +
                                   "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n"
                                   "connection: close\r\n\r\n");
}

TEST_F(HttpHelloIntegrationTest, OversizedRequestLineAndHeadersGet414And431) {
  {
    RawHttpClient client(port_);
    ASSERT_TRUE(client.send("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_TRUE(client.waitClosed());
    EXPECT_EQ(client.received().rfind("HTTP/1.1 414 ", 0), 0U) << client.received();
  }
  RawHttpClient client(port_);
  ASSERT_TRUE(
      client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9000, 'b') + "\r\n\r\n"));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(client.received().rfind("HTTP/1.1 431 ", 0), 0U) << client.received();
}

TEST_F(HttpHelloIntegrationTest, ABadClientDoesNotDisturbAnother) {
  RawHttpClient good(port_);
  RawHttpClient bad(port_);
  ASSERT_TRUE(good.send(kGet));
  ASSERT_TRUE(bad.send(std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
  EXPECT_TRUE(bad.waitClosed());
  EXPECT_EQ(good.readUntilCount("Hello, World!", 1), kOkResponse);
  ASSERT_TRUE(good.send(kGet));
  EXPECT_EQ(good.readUntilCount("Hello, World!", 2).size(), 2 * kOkResponse.size());
}

}  // namespace
}  // namespace sluice
