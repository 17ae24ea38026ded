#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketBroadcast.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <string>
#include <vector>

#include "PerMessageDeflateTestUtil.h"
#include "WebSocketServerTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketBroadcastTest = sluice::testing::SluiceTest;

struct Member {
  std::shared_ptr<EmbeddedChannel> server;
  std::unique_ptr<EmbeddedChannel> client;
  Events received;
};

// A server connection upgraded with `offer` ("" for none), and a client codec for its answer.
std::unique_ptr<Member> connect(const std::string& offer,
                                PerMessageDeflateServerConfig config = {}) {
  auto m = std::make_unique<Member>();
  m->server =
      std::make_shared<EmbeddedChannel>(std::make_unique<http::HttpServerCodec>(),
                                        std::make_unique<http::HttpObjectAggregator>(65536),
                                        std::make_unique<WebSocketServerCompressionHandler>(config),
                                        std::make_unique<WebSocketServerProtocolHandler>("/ws"));
  writeBytes(*m->server,
             upgradeRequest("/ws", offer.empty() ? std::string()
                                                 : "Sec-WebSocket-Extensions: " + offer + "\r\n"));
  const std::string response = drainOutbound(*m->server);
  const std::size_t at = response.find("permessage-deflate");
  const WebSocketExtensionData agreed =
      at == std::string::npos
          ? WebSocketExtensionData{"none", {}}
          : WebSocketExtensionData::parse(response.substr(at, response.find("\r\n", at) - at))
                .front();
  m->client = clientCodec(agreed, std::make_unique<MessageCollector>(&m->received));
  return m;
}

TEST_F(WebSocketBroadcastTest, CompressesOncePerDistinctSettingAndSharesTheFrame) {
  std::vector<std::unique_ptr<Member>> members;
  const std::vector<std::string> offers = {
      "",                                                // uncompressed
      "permessage-deflate",                              // own window
      "permessage-deflate; server_no_context_takeover",  // shared, window 15
      "permessage-deflate; server_no_context_takeover",  // the same
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",  // same
      "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",   // another
      "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
  };
  ChannelGroup room;
  for (const std::string& offer : offers) {
    members.push_back(connect(offer));
    room.add(members.back()->server);
  }
  const std::string json = jsonText(4096);
  WebSocketBroadcast::Stats stats;
  auto future = WebSocketBroadcast::writeAndFlushText(room, json, {}, &stats);
  EXPECT_TRUE(future.isSuccess());
  EXPECT_EQ(stats.compressedEncodings, 2u);
  EXPECT_EQ(stats.plainEncodings, 1u);
  std::vector<const std::uint8_t*> memory;
  for (auto& m : members) {
    Message out = m->server->readOutbound();
    ASSERT_TRUE(out.is<ByteBuf>());
    memory.push_back(out.get<ByteBuf>().memoryAddress());
    m->client->writeInbound(Unpooled::copiedBuffer(out.get<ByteBuf>().toStringView()));
    EXPECT_EQ(m->received, Events{"TEXT " + json});
  }
  // The members with the same setting were sent the very same bytes.
  EXPECT_EQ(memory[2], memory[3]);
  EXPECT_EQ(memory[2], memory[4]);
  EXPECT_EQ(memory[5], memory[6]);
  EXPECT_NE(memory[2], memory[5]);
  for (auto& m : members) {
    m->client->finishAndReleaseAll();
    m->server->finishAndReleaseAll();
  }
}

TEST_F(WebSocketBroadcastTest, SmallMessagesBelowTheThresholdShareThePlainFrame) {
  auto a = connect("permessage-deflate; server_no_context_takeover", {.compressionThreshold = 64});
  auto b = connect("");
  ChannelGroup room;
  room.add(a->server);
  room.add(b->server);
  WebSocketBroadcast::Stats stats;
  WebSocketBroadcast::writeAndFlushText(room, "hello", {.voidPromise = true}, &stats);
  EXPECT_EQ(stats.compressedEncodings, 0u);
  EXPECT_EQ(stats.plainEncodings, 1u);
  for (auto* m : {a.get(), b.get()}) {
    Message out = m->server->readOutbound();
    EXPECT_EQ(out.get<ByteBuf>().toStringView(), std::string("\x81\x05hello", 7));
    m->client->finishAndReleaseAll();
    m->server->finishAndReleaseAll();
  }
}

}  // namespace
}  // namespace sluice::websocket
