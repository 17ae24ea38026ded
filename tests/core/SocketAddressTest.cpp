#include <netinet/in.h>
#include <sluice/channel/SocketAddress.h>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class SocketAddressTest : public testing::SluiceTest {};

TEST_F(SocketAddressTest, ParsesIPv4AndIPv6) {
  auto v4 = SocketAddress::parse("127.0.0.1", 8080);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family(), AF_INET);
  EXPECT_EQ(v4->port(), 8080);
  EXPECT_EQ(v4->toString(), "127.0.0.1:8080");
  auto v6 = SocketAddress::parse("[::1]", 443);
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->isIPv6());
  EXPECT_EQ(v6->ip(), "::1");
  EXPECT_EQ(v6->toString(), "[::1]:443");
}

TEST_F(SocketAddressTest, RejectsNamesAndGarbage) {
  EXPECT_FALSE(SocketAddress::parse("localhost", 80));
  EXPECT_FALSE(SocketAddress::parse("256.0.0.1", 80));
  EXPECT_FALSE(SocketAddress::parse("", 80));
}

TEST_F(SocketAddressTest, RoundTripsThroughSockaddr) {
  auto a = *SocketAddress::parse("10.1.2.3", 9);
  SocketAddress b = SocketAddress::fromSockaddr(a.sockaddrPtr(), a.length());
  EXPECT_EQ(a, b);
  EXPECT_FALSE(SocketAddress::fromSockaddr(nullptr, 0).family() != AF_UNSPEC);
}

TEST_F(SocketAddressTest, UnspecifiedByDefault) {
  SocketAddress none;
  EXPECT_TRUE(none.isUnspecified());
  EXPECT_EQ(none.port(), 0);
  EXPECT_EQ(none.toString(), "unspecified");
}

}  // namespace
}  // namespace sluice
