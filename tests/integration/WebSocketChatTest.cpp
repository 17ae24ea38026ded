// websocket-chat's pipeline (ChatServerInitializer: the page, the handshake, ChatFrameHandler
// and ChatRooms) on EmbeddedChannels: clients join rooms, talk, break the protocol and leave,
// and each test states the frames every client receives.

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/http/HttpStaticFileHandler.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ChatProtocol.h"
#include "ChatRooms.h"
#include "ChatServerInitializer.h"
#include "support/SluiceTest.h"
#include "websocket/WebSocketServerTestUtil.h"
#include "websocket/WebSocketTestUtil.h"

namespace sluice {
namespace {

using websocket::testing::closeBody;
using websocket::testing::drainOutbound;
using websocket::testing::upgradeRequest;
using websocket::testing::wireFrame;
using websocket::testing::writeBytes;

/// The server's frames in `wire` (unmasked, as a server sends them): "TEXT payload",
/// "CLOSE code reason", "BINARY ...", "PING"...; a cut frame ends the list with "TRUNCATED".
std::vector<std::string> serverFrames(std::string_view wire) {
  std::vector<std::string> frames;
  std::size_t i = 0;
  while (i < wire.size()) {
    if (wire.size() - i < 2) {
      frames.emplace_back("TRUNCATED");
      break;
    }
    const auto b0 = static_cast<std::uint8_t>(wire[i]);
    const auto b1 = static_cast<std::uint8_t>(wire[i + 1]);
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7F;
    if (length == 126 || length == 127) {
      const std::size_t bytes = length == 126 ? 2 : 8;
      if (wire.size() - i < 2 + bytes) {
        frames.emplace_back("TRUNCATED");
        break;
      }
      length = 0;
      for (std::size_t k = 0; k < bytes; ++k) {
        length = (length << 8) | static_cast<std::uint8_t>(wire[i + 2 + k]);
      }
      header += bytes;
    }
    if ((b1 & 0x80) != 0 || wire.size() - i - header < length) {
      frames.emplace_back((b1 & 0x80) != 0 ? "MASKED" : "TRUNCATED");
      break;
    }
    const std::string_view payload = wire.substr(i + header, length);
    switch (b0) {
      case 0x81:
        frames.push_back("TEXT " + std::string(payload));
        break;
      case 0x88: {
        const int code = payload.size() >= 2 ? (static_cast<std::uint8_t>(payload[0]) << 8) |
                                                   static_cast<std::uint8_t>(payload[1])
                                             : -1;
        frames.push_back(fmt::format("CLOSE {} {}", code,
                                     payload.size() > 2 ? payload.substr(2) : std::string_view()));
        break;
      }
      default:
        frames.push_back(fmt::format("FRAME {:#x} <{} bytes>", b0, payload.size()));
    }
    i += header + length;
  }
  return frames;
}

using Frames = std::vector<std::string>;

class WebSocketChatTest : public testing::SluiceTest {
 protected:
  void TearDown() override {
    for (auto& client : clients_) {
      // Closing a WebSocket sends a close frame and waits for the client's; until it closes,
      // the channel holds its room and the room holds the channel.
      client->close();
      if (client->isOpen()) {
        writeBytes(*client, wireFrame(0x88, closeBody(1000)));
      }
      EXPECT_FALSE(client->isOpen());
      client->finishAndReleaseAll();
    }
    EXPECT_EQ(rooms_->size(), 0U);
    clients_.clear();
    initializer_.reset();
    files_.reset();  // its cache holds the page's bytes
    SluiceTest::TearDown();
  }

  /// A client whose upgrade to `target` succeeded. What the server sent right after the 101
  /// is kept for received().
  EmbeddedChannel& connect(std::string_view target) {
    EmbeddedChannel& ch = open();
    writeBytes(ch, upgradeRequest(target));
    const std::string response = drainOutbound(ch);
    EXPECT_TRUE(response.starts_with("HTTP/1.1 101 ")) << response;
    const std::size_t end = response.find("\r\n\r\n");
    afterHandshake_[&ch] = end == std::string::npos ? "" : response.substr(end + 4);
    return ch;
  }

  /// A connection that has sent nothing yet.
  EmbeddedChannel& open() {
    clients_.push_back(std::make_shared<EmbeddedChannel>(initializer_));
    return *clients_.back();
  }

  /// A text frame from a client (masked, RFC 6455 5.1).
  static void say(EmbeddedChannel& ch, std::string_view text) {
    writeBytes(ch, wireFrame(0x81, text));
  }

  /// The frames the server sent `ch` since the last call.
  Frames received(EmbeddedChannel& ch) {
    std::string wire = std::exchange(afterHandshake_[&ch], std::string());
    return serverFrames(wire + drainOutbound(ch));
  }

  static std::string event(std::string_view type, std::string_view name,
                           std::string_view text = {}) {
    return "TEXT " + chat::chatEvent(type, name, text);
  }

  std::shared_ptr<ChatRooms> rooms_ = std::make_shared<ChatRooms>();
  std::shared_ptr<http::HttpStaticFileHandler> files_ =
      std::make_shared<http::HttpStaticFileHandler>(
          http::HttpStaticFileConfig{.root = WEBSOCKET_CHAT_WWW});
  std::shared_ptr<ChatServerInitializer> initializer_ =
      std::make_shared<ChatServerInitializer>(files_, rooms_);
  std::vector<std::shared_ptr<EmbeddedChannel>> clients_;
  std::map<const EmbeddedChannel*, std::string> afterHandshake_;
};

TEST_F(WebSocketChatTest, ServesThePageOverHttp) {
  EmbeddedChannel& browser = open();
  writeBytes(browser, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string response = drainOutbound(browser);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_NE(response.find("content-type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(response.find(R"(<ul id="messages")"), std::string::npos);
  writeBytes(browser, "GET /app.js HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(drainOutbound(browser).find("new WebSocket("), std::string::npos);
}

TEST_F(WebSocketChatTest, ServesTheMetricsBeforeThePage) {
  EmbeddedChannel& scraper = open();
  writeBytes(scraper, "GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string response = drainOutbound(scraper);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_NE(response.find("text/plain; version=0.0.4; charset=utf-8"), std::string::npos);
  EXPECT_NE(response.find("# TYPE sluice_connections_open gauge\n"), std::string::npos);
  EXPECT_TRUE(scraper.isOpen()) << "keep-alive, as HTTP/1.1 asks";
}

TEST_F(WebSocketChatTest, ADrainSendsGoingAwayAndLeavesTheRoomsWithoutALeaveEvent) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  received(ada);
  received(bob);
  ada.pipeline().fireUserEventTriggered(
      DrainEvent{.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10)});
  const Frames toAda = received(ada);
  ASSERT_EQ(toAda.size(), 1U);
  EXPECT_TRUE(toAda[0].starts_with("CLOSE 1001")) << toAda[0];
  EXPECT_EQ(rooms_->find("lobby")->size(), 1U) << "Ada left the room at once";
  writeBytes(ada, wireFrame(0x88, closeBody(1001)));  // her answer ends the connection
  EXPECT_FALSE(ada.isOpen());
  EXPECT_EQ(received(bob), Frames{}) << "no leave event for a drained member";
}

TEST_F(WebSocketChatTest, AnUpgradeForAnotherPathIsNotFound) {
  EmbeddedChannel& ch = open();
  writeBytes(ch, upgradeRequest("/chat"));
  EXPECT_TRUE(drainOutbound(ch).starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_FALSE(ch.isOpen());
}

TEST_F(WebSocketChatTest, TheNameInTheUrlJoinsAndEveryoneIsTold) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EXPECT_EQ(received(ada), Frames{event("join", "Ada")});
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  EXPECT_EQ(received(ada), Frames{event("join", "Bob")});
  EXPECT_EQ(received(bob), Frames{event("join", "Bob")});
  EXPECT_EQ(rooms_->size(), 1U);
  EXPECT_EQ(rooms_->find("lobby")->size(), 2U);
}

TEST_F(WebSocketChatTest, WithoutANameTheFirstMessageIsTheName) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  received(ada);
  EmbeddedChannel& bob = connect("/ws?room=lobby");
  EXPECT_EQ(received(bob), Frames{}) << "joined before naming himself";
  EXPECT_EQ(rooms_->find("lobby")->size(), 1U);
  say(bob, "  Bob\n");
  EXPECT_EQ(received(ada), Frames{event("join", "Bob")});
  say(bob, "hello");
  EXPECT_EQ(received(ada), Frames{event("message", "Bob", "hello")});
  EXPECT_EQ(received(bob), (Frames{event("join", "Bob"), event("message", "Bob", "hello")}));
}

TEST_F(WebSocketChatTest, TheRoomDefaultsToTheLobby) {
  EmbeddedChannel& ada = connect("/ws?name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  EXPECT_EQ(received(ada), (Frames{event("join", "Ada"), event("join", "Bob")}));
  received(bob);
  EXPECT_NE(rooms_->find("lobby"), nullptr);
}

TEST_F(WebSocketChatTest, MessagesReachTheirRoomOnly) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  EmbeddedChannel& eve = connect("/ws?room=attic&name=Eve");
  received(ada);
  received(bob);
  received(eve);
  say(ada, "hi Bob");
  say(eve, "anyone?");
  EXPECT_EQ(received(ada), Frames{event("message", "Ada", "hi Bob")});
  EXPECT_EQ(received(bob), Frames{event("message", "Ada", "hi Bob")});
  EXPECT_EQ(received(eve), Frames{event("message", "Eve", "anyone?")});
  EXPECT_EQ(rooms_->size(), 2U);
}

TEST_F(WebSocketChatTest, ABroadcastIsEncodedOnceAndShared) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  received(ada);
  received(bob);
  say(ada, "one buffer for the whole room");
  Message toAda = ada.readOutbound();
  Message toBob = bob.readOutbound();
  ASSERT_TRUE(toAda.isExactly<EncodedMessage>());
  ASSERT_TRUE(toBob.isExactly<EncodedMessage>());
  EXPECT_EQ(toAda.get<ByteBuf>().memoryAddress(), toBob.get<ByteBuf>().memoryAddress());
  EXPECT_EQ(serverFrames(toBob.get<ByteBuf>().toStringView()),
            Frames{event("message", "Ada", "one buffer for the whole room")});
}

TEST_F(WebSocketChatTest, NamesAndTextsAreEscapedAsJson) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=%22Ada%5C");
  say(ada, "line 1\nline 2\t\x01 </script> \"é\"");
  EXPECT_EQ(received(ada),
            (Frames{R"(TEXT {"type":"join","name":"\"Ada\\"})",
                    R"(TEXT {"type":"message","name":"\"Ada\\","text":"line 1\nline 2\t\u0001 )"
                    R"(</script> \"é\""})"}));
}

TEST_F(WebSocketChatTest, ABadNameIsRefusedAndAnotherMayFollow) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=" + std::string(33, 'a'));
  const std::string error =
      event("error", {}, "a name is 1 to 32 bytes without control characters");
  EXPECT_EQ(received(ada), Frames{error});
  say(ada, "tab\x01name");
  EXPECT_EQ(received(ada), Frames{error});
  say(ada, std::string(32, 'a'));
  EXPECT_EQ(received(ada), Frames{event("join", std::string(32, 'a'))});
}

TEST_F(WebSocketChatTest, ABadRoomNameClosesWithPolicyViolation) {
  const std::vector<std::string> targets = {"/ws?room=%FF&name=Ada", "/ws?room=&name=Ada",
                                            "/ws?room=" + std::string(33, 'r')};
  for (const std::string& target : targets) {
    EmbeddedChannel& ch = connect(target);
    EXPECT_EQ(received(ch), Frames{"CLOSE 1008 bad room name"}) << target;
  }
  EXPECT_EQ(rooms_->size(), 0U);
}

TEST_F(WebSocketChatTest, AMessageOverFourKibCloses1009AndTheClientLeaves) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  received(ada);
  received(bob);
  const std::string longest(ChatFrameHandler::kMaxMessageLength, 'x');
  say(bob, longest);
  EXPECT_EQ(received(ada), Frames{event("message", "Bob", longest)});
  received(bob);
  say(bob, longest + "x");
  const Frames toBob = received(bob);
  ASSERT_EQ(toBob.size(), 1U);
  EXPECT_TRUE(toBob[0].starts_with("CLOSE 1009")) << toBob[0];
  bob.runPendingTasks();
  EXPECT_FALSE(bob.isOpen());
  EXPECT_EQ(received(ada), Frames{event("leave", "Bob")});
}

TEST_F(WebSocketChatTest, BinaryAndFragmentedFramesAreRefused) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  EmbeddedChannel& cy = connect("/ws?room=lobby&name=Cy");
  received(ada);
  received(bob);
  received(cy);
  writeBytes(bob, wireFrame(0x82, "bytes"));
  EXPECT_EQ(received(bob), Frames{"CLOSE 1003 text frames only"});
  writeBytes(cy, wireFrame(0x01, "half a "));  // no FIN
  writeBytes(cy, wireFrame(0x80, "message"));
  EXPECT_EQ(received(cy), (Frames{event("leave", "Bob"), "CLOSE 1008 one frame per message"}));
  // Both left at once, before their connections close: nothing more is sent to them.
  EXPECT_EQ(received(ada), (Frames{event("leave", "Bob"), event("leave", "Cy")}));
  say(ada, "still here");
  EXPECT_EQ(received(bob), Frames{});
  EXPECT_EQ(received(cy), Frames{});
  // The closing handshake completes when the client answers.
  writeBytes(bob, wireFrame(0x88, closeBody(1003)));
  EXPECT_FALSE(bob.isOpen());
}

TEST_F(WebSocketChatTest, ClosingLeavesTheRoomAndTheLastOneOutDropsIt) {
  EmbeddedChannel& ada = connect("/ws?room=lobby&name=Ada");
  EmbeddedChannel& bob = connect("/ws?room=lobby&name=Bob");
  received(ada);
  received(bob);
  writeBytes(bob, wireFrame(0x88, closeBody(1001, "going away")));
  EXPECT_EQ(received(bob), Frames{"CLOSE 1001 "});
  EXPECT_FALSE(bob.isOpen());
  EXPECT_EQ(received(ada), Frames{event("leave", "Bob")});
  EXPECT_EQ(rooms_->find("lobby")->size(), 1U);
  // A server-side close sends a close frame and waits for the client's answer.
  ada.close();
  EXPECT_EQ(received(ada), Frames{"CLOSE 1000 Bye"});
  writeBytes(ada, wireFrame(0x88, closeBody(1000)));
  EXPECT_FALSE(ada.isOpen());
  EXPECT_EQ(rooms_->size(), 0U);
  EXPECT_EQ(rooms_->find("lobby"), nullptr);
}

TEST_F(WebSocketChatTest, ChatRoomsMakeARoomOnTheFirstJoinAndDropItOnTheLastLeave) {
  ChatRooms rooms;
  auto a = std::make_shared<EmbeddedChannel>();
  auto b = std::make_shared<EmbeddedChannel>();
  const auto lobby = rooms.join("lobby", a);
  EXPECT_EQ(rooms.join("lobby", b), lobby);
  EXPECT_NE(rooms.join("attic", b), lobby);
  EXPECT_EQ(rooms.size(), 2U);
  rooms.leave("lobby", *a);
  EXPECT_EQ(rooms.find("lobby"), lobby);
  rooms.leave("lobby", *b);
  rooms.leave("attic", *b);
  rooms.leave("nowhere", *b);
  EXPECT_EQ(rooms.size(), 0U);
  EXPECT_EQ(lobby->size(), 0U);
  a->finishAndReleaseAll();
  b->finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice
