#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketClientCompressionHandler.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <string>
#include <vector>

#include "PerMessageDeflateTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketClientCompressionHandlerTest = sluice::testing::SluiceTest;

std::string offerOf(const PerMessageDeflateClientConfig& config) {
  return PerMessageDeflateClientExtensionHandshaker(config).newRequestData().toString();
}

std::unique_ptr<WebSocketClientExtension> accept(const PerMessageDeflateClientConfig& config,
                                                 std::string_view response) {
  return PerMessageDeflateClientExtensionHandshaker(config).handshakeExtension(
      WebSocketExtensionData::parse(response).front());
}

TEST_F(WebSocketClientCompressionHandlerTest, OffersWhatItIsConfiguredFor) {
  EXPECT_EQ(offerOf({}), "permessage-deflate; client_max_window_bits");
  EXPECT_EQ(offerOf({.allowClientWindowSize = false}), "permessage-deflate");
  EXPECT_EQ(offerOf({.requestedServerWindowSize = 10,
                     .requestedServerNoContext = true,
                     .clientNoContextTakeover = true}),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10; client_max_window_bits");
}

TEST_F(WebSocketClientCompressionHandlerTest, ChecksTheServersAnswer) {
  EXPECT_TRUE(accept({}, "permessage-deflate"));
  EXPECT_TRUE(accept({}, "permessage-deflate; client_no_context_takeover"));  // MUST support
  EXPECT_TRUE(accept({}, "permessage-deflate; server_no_context_takeover"));  // unasked: fine
  EXPECT_TRUE(accept({}, "permessage-deflate; client_max_window_bits=9"));
  EXPECT_TRUE(accept({}, "permessage-deflate; server_max_window_bits=8"));   // we inflate with 8
  EXPECT_FALSE(accept({}, "permessage-deflate; client_max_window_bits=8"));  // zlib cannot
  EXPECT_FALSE(accept({}, "permessage-deflate; client_max_window_bits"));    // value required
  EXPECT_FALSE(
      accept({.allowClientWindowSize = false}, "permessage-deflate; client_max_window_bits=10"));
  EXPECT_FALSE(accept({}, "permessage-deflate; mystery"));
  EXPECT_FALSE(
      accept({}, "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"));
  EXPECT_FALSE(accept({.requestedServerWindowSize = 10}, "permessage-deflate"));
  EXPECT_FALSE(
      accept({.requestedServerWindowSize = 10}, "permessage-deflate; server_max_window_bits=11"));
  EXPECT_TRUE(
      accept({.requestedServerWindowSize = 10}, "permessage-deflate; server_max_window_bits=9"));
  EXPECT_FALSE(accept({.requestedServerNoContext = true}, "permessage-deflate"));
  EXPECT_FALSE(accept({}, "x-webkit-deflate-frame"));
}

// Our client and our server, each on an EmbeddedChannel, bytes pumped between them.
struct Pair {
  Events clientReceived;
  std::unique_ptr<EmbeddedChannel> server;
  std::unique_ptr<EmbeddedChannel> client;
  std::string upgradeRequest;
  std::string upgradeResponse;

  Pair(const PerMessageDeflateServerConfig& serverConfig,
       const PerMessageDeflateClientConfig& clientConfig) {
    server = std::make_unique<EmbeddedChannel>(
        std::make_unique<http::HttpServerCodec>(),
        std::make_unique<http::HttpObjectAggregator>(65536),
        std::make_unique<WebSocketServerCompressionHandler>(serverConfig),
        std::make_unique<WebSocketServerProtocolHandler>("/ws"),
        std::make_unique<FrameEchoHandler>());
    client = std::make_unique<EmbeddedChannel>(
        std::make_unique<http::HttpClientCodec>(),
        std::make_unique<http::HttpObjectAggregator>(8192),
        std::make_unique<WebSocketClientCompressionHandler>(clientConfig),
        std::make_unique<WebSocketClientProtocolHandler>(
            WebSocketClientProtocolConfig{.webSocketUri = "ws://h/ws"}),
        std::make_unique<MessageCollector>(&clientReceived));
    upgradeRequest = pump(*client, *server);
    upgradeResponse = pump(*server, *client);
  }
  ~Pair() {
    client->finishAndReleaseAll();
    server->finishAndReleaseAll();
  }

  // Sends `m` (fragmented into `parts`) and returns what came back and the bytes sent.
  std::string echo(const std::string& m, std::size_t parts, std::string* wire = nullptr) {
    const std::size_t step = parts <= 1 || m.empty() ? m.size() : m.size() / parts + 1;
    std::size_t pos = 0;
    do {
      const std::size_t n = std::min(step, m.size() - pos);
      const bool fin = pos + n == m.size();
      const std::string_view piece = std::string_view(m).substr(pos, n);
      if (pos == 0) {
        client->writeOutbound(TextWebSocketFrame(fin, 0, piece));
      } else {
        client->writeOutbound(ContinuationWebSocketFrame(fin, 0, piece));
      }
      pos += n;
    } while (pos < m.size());
    const std::string up = pump(*client, *server);
    if (wire != nullptr) {
      *wire = up;
    }
    pump(*server, *client);
    std::string got;
    for (const std::string& e : clientReceived) {
      got += e;
    }
    clientReceived.clear();
    return got;
  }
};

TEST_F(WebSocketClientCompressionHandlerTest, RoundTripsWithOurServerForEveryCombination) {
  const std::vector<std::string> messages = {jsonText(4096, 1), jsonText(4096, 1), "", "x",
                                             jsonText(50000, 2)};
  const std::vector<PerMessageDeflateServerConfig> servers = {
      PerMessageDeflateServerConfig::dedicatedTier(), PerMessageDeflateServerConfig::sharedTier(),
      PerMessageDeflateServerConfig::dedicatedSmallTier(),
      PerMessageDeflateServerConfig::dedicatedTinyTier()};
  std::vector<PerMessageDeflateClientConfig> clients;
  for (bool allowWindow : {false, true}) {
    for (int serverWindow : {9, 12, 15}) {
      for (bool serverNoContext : {false, true}) {
        for (bool clientNoContext : {false, true}) {
          clients.push_back({.allowClientWindowSize = allowWindow,
                             .requestedServerWindowSize = serverWindow,
                             .requestedServerNoContext = serverNoContext,
                             .clientNoContextTakeover = clientNoContext});
        }
      }
    }
  }
  for (std::size_t s = 0; s < servers.size(); ++s) {
    for (const PerMessageDeflateClientConfig& c : clients) {
      Pair pair(servers[s], c);
      SCOPED_TRACE(fmt::format("server tier {} offer {}", s, offerOf(c)));
      ASSERT_EQ(pair.upgradeResponse.rfind("HTTP/1.1 101", 0), 0u) << pair.upgradeResponse;
      ASSERT_NE(pair.upgradeResponse.find("permessage-deflate"), std::string::npos);
      for (std::size_t parts : {std::size_t{1}, std::size_t{3}}) {
        for (const std::string& m : messages) {
          std::string wire;
          EXPECT_EQ(pair.echo(m, parts, &wire), "TEXT " + m);
          EXPECT_NE(static_cast<std::uint8_t>(wire.at(0)) & 0x40, 0) << "RSV1 from the client";
        }
      }
    }
  }
}

TEST_F(WebSocketClientCompressionHandlerTest, AServerThatDeclinesLeavesTheConnectionPlain) {
  Pair pair({.allowServerWindowSize = false}, {.requestedServerWindowSize = 10});
  EXPECT_EQ(pair.upgradeResponse.find("permessage-deflate"), std::string::npos);
  std::string wire;
  EXPECT_EQ(pair.echo("plain", 1, &wire), "TEXT plain");
  EXPECT_EQ(static_cast<std::uint8_t>(wire.at(0)) & 0x40, 0);
}

}  // namespace
}  // namespace sluice::websocket
