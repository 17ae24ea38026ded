#include <gtest/gtest.h>
#include <sluice/handler/ipfilter/IpSubnet.h>

#include <stdexcept>

namespace sluice {
namespace {

TEST(IpSubnetTest, MatchesIPv4Ranges) {
  const IpSubnet net("10.0.0.0/8");
  EXPECT_TRUE(net.contains("10.0.0.1"));
  EXPECT_TRUE(net.contains("10.255.255.255"));
  EXPECT_FALSE(net.contains("11.0.0.0"));
  EXPECT_FALSE(net.contains("9.255.255.255"));
  const IpSubnet odd("192.168.1.64/27");  // a prefix that ends inside a byte
  EXPECT_TRUE(odd.contains("192.168.1.64"));
  EXPECT_TRUE(odd.contains("192.168.1.95"));
  EXPECT_FALSE(odd.contains("192.168.1.96"));
  EXPECT_FALSE(odd.contains("192.168.1.63"));
}

TEST(IpSubnetTest, MatchesIPv6RangesAndSingleAddresses) {
  const IpSubnet net("2001:db8::/32");
  EXPECT_TRUE(net.contains("2001:db8:ffff::1"));
  EXPECT_FALSE(net.contains("2001:db9::1"));
  EXPECT_FALSE(net.contains("10.0.0.1"));
  const IpSubnet one("::1");
  EXPECT_TRUE(one.contains("::1"));
  EXPECT_FALSE(one.contains("::2"));
  EXPECT_TRUE(IpSubnet("0.0.0.0/0").contains("203.0.113.9"));
  EXPECT_FALSE(IpSubnet("0.0.0.0/0").contains("::1"));  // families never match each other
}

TEST(IpSubnetTest, AnIPv4MappedAddressMatchesItsIPv4Range) {
  EXPECT_TRUE(IpSubnet("127.0.0.0/8").contains("::ffff:127.0.0.1"));
  EXPECT_FALSE(IpSubnet("127.0.0.0/8").contains("::ffff:128.0.0.1"));
}

TEST(IpSubnetTest, MatchesSocketAddresses) {
  EXPECT_TRUE(IpSubnet("127.0.0.0/8").contains(*SocketAddress::parse("127.0.0.1", 80)));
  EXPECT_TRUE(IpSubnet("::1/128").contains(*SocketAddress::parse("::1", 80)));
  EXPECT_FALSE(IpSubnet("::1/128").contains(*SocketAddress::parse("127.0.0.1", 80)));
  EXPECT_FALSE(IpSubnet("0.0.0.0/0").contains(SocketAddress()));
}

TEST(IpSubnetTest, HostBitsAreClearedSoEqualRangesCompareEqual) {
  EXPECT_EQ(IpSubnet("10.1.2.3/8"), IpSubnet("10.0.0.0/8"));
  EXPECT_EQ(IpSubnet("10.1.2.3/8").toString(), "10.0.0.0/8");
  EXPECT_EQ(IpSubnet("2001:db8::1/32").toString(), "2001:db8::/32");
  EXPECT_EQ(IpSubnet("192.0.2.1").toString(), "192.0.2.1/32");
}

TEST(IpSubnetTest, RefusesWhatIsNotARange) {
  for (const char* bad : {"", "example.com", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
                          "10.0.0.0/-1", "10.0.0/8", "[::1]"}) {
    EXPECT_THROW(IpSubnet{bad}, std::invalid_argument) << bad;
  }
  EXPECT_FALSE(IpSubnet("10.0.0.0/8").contains("not an ip"));
}

}  // namespace
}  // namespace sluice
