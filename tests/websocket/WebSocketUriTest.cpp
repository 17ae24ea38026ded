#include <gtest/gtest.h>
#include <sluice/websocket/WebSocketUri.h>

namespace sluice::websocket {
namespace {

TEST(WebSocketUriTest, TakesAUrlApart) {
  auto uri = WebSocketUri::parse("ws://example.com:8080/chat/room?id=1&x=y");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->scheme(), "ws");
  EXPECT_FALSE(uri->isSecure());
  EXPECT_EQ(uri->host(), "example.com");
  EXPECT_EQ(uri->port(), 8080);
  EXPECT_EQ(uri->path(), "/chat/room");
  EXPECT_EQ(uri->query(), "id=1&x=y");
  EXPECT_EQ(uri->requestTarget(), "/chat/room?id=1&x=y");
  EXPECT_EQ(uri->hostHeader(), "example.com:8080");
  EXPECT_EQ(uri->origin(), "http://example.com:8080");
  EXPECT_EQ(uri->toString(), "ws://example.com:8080/chat/room?id=1&x=y");
}

TEST(WebSocketUriTest, DefaultPortsAndPathsAreFilledInAndLeftOutOfHost) {
  auto ws = WebSocketUri::parse("WS://Example.COM");
  ASSERT_TRUE(ws);
  EXPECT_EQ(ws->scheme(), "ws");
  EXPECT_EQ(ws->host(), "example.com");
  EXPECT_EQ(ws->port(), 80);
  EXPECT_EQ(ws->requestTarget(), "/");
  EXPECT_EQ(ws->hostHeader(), "example.com");

  auto wss = WebSocketUri::parse("wss://example.com:443?q");
  ASSERT_TRUE(wss);
  EXPECT_TRUE(wss->isSecure());
  EXPECT_EQ(wss->port(), 443);
  EXPECT_TRUE(wss->isDefaultPort());
  EXPECT_EQ(wss->requestTarget(), "/?q");
  EXPECT_EQ(wss->hostHeader(), "example.com");
  EXPECT_EQ(wss->origin(), "https://example.com");

  auto explicitDefault = WebSocketUri::parse("ws://h:80/");
  ASSERT_TRUE(explicitDefault);
  EXPECT_EQ(explicitDefault->hostHeader(), "h");
}

TEST(WebSocketUriTest, Ipv6LiteralsKeepTheirBracketsOnlyInHost) {
  auto uri = WebSocketUri::parse("ws://[::1]:9000/ws");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->host(), "::1");
  EXPECT_EQ(uri->port(), 9000);
  EXPECT_EQ(uri->hostHeader(), "[::1]:9000");
  auto noPort = WebSocketUri::parse("wss://[2001:db8::7]/");
  ASSERT_TRUE(noPort);
  EXPECT_EQ(noPort->hostHeader(), "[2001:db8::7]");
}

TEST(WebSocketUriTest, RefusesWhatIsNotAWebSocketUrl) {
  for (const char* bad : {
           "http://example.com/",  // another scheme
           "example.com/ws",       // no scheme
           "ws://",                // no host
           "ws:///path",           // no host
           "ws://:80/",            // no host
           "ws://h:0/",            // port out of range
           "ws://h:65536/",        // port out of range
           "ws://h:/",             // empty port
           "ws://h:8o/",           // not a number
           "ws://h/#top",          // RFC 6455 3: no fragments
           "ws://h/a b",           // a space
           "ws://h/\x01",          // a control character
           "ws://user:pw@h/",      // credentials
           "ws://[::1/",           // unclosed bracket
           "ws://[::1]x/",         // junk after the bracket
           "ws://[zz::1]/",        // not an IPv6 literal
           "ws://a:b:c/",          // colons outside brackets
       }) {
    EXPECT_FALSE(WebSocketUri::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace sluice::websocket
