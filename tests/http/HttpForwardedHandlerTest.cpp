#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpForwardedHandler.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpServerCodec.h>

#include "support/SluiceTest.h"

namespace sluice::http {
namespace {

class HttpForwardedHandlerTest : public testing::SluiceTest {};

SocketAddress addr(const char* ip, std::uint16_t port = 0) {
  return *SocketAddress::parse(ip, port);
}

HttpForwardedHandler handler(bool forwarded = true, bool xff = true) {
  return HttpForwardedHandler(
      HttpForwardedConfig{.trustedProxies = {IpSubnet("10.0.0.0/8"), IpSubnet("fd00::/8")},
                          .useForwarded = forwarded,
                          .useXForwardedFor = xff});
}

HttpHeaders headers(std::initializer_list<std::pair<const char*, const char*>> fields) {
  HttpHeaders h;
  for (const auto& [name, value] : fields) {
    h.add(name, value);
  }
  return h;
}

TEST_F(HttpForwardedHandlerTest, TheFirstUntrustedHopFromTheRightIsTheClient) {
  // The client wrote "6.6.6.6" itself; the trusted proxy 10.0.0.5 appended 203.0.113.7.
  const auto h = headers({{"X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.5"}});
  EXPECT_EQ(handler().resolveClient(addr("10.0.0.9"), h), addr("203.0.113.7"));
}

TEST_F(HttpForwardedHandlerTest, AnUntrustedSenderIsNotBelieved) {
  const auto h = headers({{"X-Forwarded-For", "203.0.113.7"}});
  EXPECT_EQ(handler().resolveClient(addr("198.51.100.1"), h), std::nullopt);
  EXPECT_EQ(handler().resolveClient(SocketAddress(), h), std::nullopt);
  EXPECT_EQ(HttpForwardedHandler(HttpForwardedConfig{}).resolveClient(addr("10.0.0.1"), h),
            std::nullopt);  // nobody trusted
}

TEST_F(HttpForwardedHandlerTest, ReadsRfc7239ForwardedAndPrefersIt) {
  const auto h = headers({{"Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"},
                          {"Forwarded", "For=\"[2001:db8:cafe::17]:4711\", for=10.1.1.1"},
                          {"X-Forwarded-For", "198.51.100.99"}});
  EXPECT_EQ(handler().resolveClient(addr("10.0.0.9"), h), addr("2001:db8:cafe::17", 4711));
  // Told to ignore Forwarded, the other header is read.
  EXPECT_EQ(handler(false, true).resolveClient(addr("10.0.0.9"), h), addr("198.51.100.99"));
  EXPECT_EQ(handler(false, false).resolveClient(addr("10.0.0.9"), h), std::nullopt);
}

TEST_F(HttpForwardedHandlerTest, ReadsEveryNodeForm) {
  const HttpForwardedHandler h = handler();
  const SocketAddress proxy = addr("10.0.0.9");
  EXPECT_EQ(h.resolveClient(proxy, headers({{"X-Forwarded-For", "192.0.2.1:8080"}})),
            addr("192.0.2.1", 8080));
  EXPECT_EQ(h.resolveClient(proxy, headers({{"X-Forwarded-For", "2001:db8::1"}})),
            addr("2001:db8::1"));
  EXPECT_EQ(h.resolveClient(proxy, headers({{"X-Forwarded-For", "[2001:db8::1]:99"}})),
            addr("2001:db8::1", 99));
  EXPECT_EQ(h.resolveClient(proxy, headers({{"X-Forwarded-For", " 192.0.2.1 ,10.0.0.1 "}})),
            addr("192.0.2.1"));
}

TEST_F(HttpForwardedHandlerTest, AHopThatIsNotAnAddressEndsTheWalk) {
  const SocketAddress proxy = addr("10.0.0.9");
  for (const char* value : {"for=unknown", "for=_hidden", "proto=https", "for=\"[::1\""}) {
    EXPECT_EQ(handler().resolveClient(proxy, headers({{"Forwarded", value}})), std::nullopt)
        << value;
  }
  for (const char* value : {"203.0.113.7, garbage", "192.0.2.1:99999", ""}) {
    EXPECT_EQ(handler().resolveClient(proxy, headers({{"X-Forwarded-For", value}})), std::nullopt)
        << value;
  }
  // Only trusted hops: the connection's own address stays.
  EXPECT_EQ(handler().resolveClient(proxy, headers({{"X-Forwarded-For", "10.0.0.1, fd00::1"}})),
            std::nullopt);
}

// [docs:forwarded]
// Behind nginx or an L7 balancer on 10.0.0.0/8: the real client becomes the channel's
// clientAddress(), which the close log line reports.
std::shared_ptr<HttpForwardedHandler> forwardedHandler() {
  return std::make_shared<HttpForwardedHandler>(
      HttpForwardedConfig{.trustedProxies = {IpSubnet("10.0.0.0/8")}});
}
// [docs:end]

TEST_F(HttpForwardedHandlerTest, SetsTheClientAddressAndJudgesLaterRequestsByTheSender) {
  EmbeddedChannel ch(std::make_unique<HttpServerCodec>(), forwardedHandler());
  // An EmbeddedChannel has no peer: stand in a trusted proxy's address as a PROXY header
  // would.
  ch.setClientAddress(addr("10.0.0.5", 41000));
  ch.writeInbound(
      Unpooled::copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"
                             "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 198.51.100.3\r\n\r\n"));
  // Two clients through one proxy connection: the second request was judged by the proxy's
  // address, not by the client the first one named.
  EXPECT_EQ(ch.clientAddress(), addr("198.51.100.3"));
  int requests = 0;
  while (auto msg = ch.readInbound()) {
    requests += msg.is<HttpRequest>() ? 1 : 0;
  }
  EXPECT_EQ(requests, 2);
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::http
