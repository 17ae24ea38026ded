#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/WebSocketServerCompressionHandler.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <random>
#include <string>
#include <vector>

#include "PerMessageDeflateTestUtil.h"
#include "WebSocketServerTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocketServerCompressionHandlerTest = sluice::testing::SluiceTest;

// The classic pipeline: HttpServerCodec -> HttpObjectAggregator(65536) ->
// WebSocketServerCompressionHandler -> WebSocketServerProtocolHandler("/ws") -> echo.
std::unique_ptr<EmbeddedChannel> server(PerMessageDeflateServerConfig config) {
  return std::make_unique<EmbeddedChannel>(
      std::make_unique<http::HttpServerCodec>(),
      std::make_unique<http::HttpObjectAggregator>(65536),
      std::make_unique<WebSocketServerCompressionHandler>(config),
      std::make_unique<WebSocketServerProtocolHandler>("/ws"),
      std::make_unique<FrameEchoHandler>());
}

// The Sec-WebSocket-Extensions of the 101 answering `offer` ("" when there is none, "-" when
// the answer is not a 101).
std::string handshake(EmbeddedChannel& ch, std::string_view offer) {
  writeBytes(ch,
             upgradeRequest("/ws", offer.empty()
                                       ? std::string()
                                       : fmt::format("Sec-WebSocket-Extensions: {}\r\n", offer)));
  const std::string response = drainOutbound(ch);
  if (response.rfind("HTTP/1.1 101", 0) != 0) {
    return "-";
  }
  const std::string name = "sec-websocket-extensions: ";
  std::string lower = response;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::size_t at = lower.find(name);
  if (at == std::string::npos) {
    return "";
  }
  const std::size_t end = response.find("\r\n", at);
  return response.substr(at + name.size(), end - at - name.size());
}

TEST_F(WebSocketServerCompressionHandlerTest, AnswersOffersInTheClassicPipeline) {
  struct Case {
    PerMessageDeflateServerConfig config;
    std::string offer;
    std::string answer;
  };
  const std::vector<Case> cases = {
      {{}, "permessage-deflate", "permessage-deflate"},
      {{}, "permessage-deflate; client_max_window_bits", "permessage-deflate"},
      {{},
       "permessage-deflate; server_max_window_bits=10",
       "permessage-deflate; server_max_window_bits=10"},
      {{},
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
      // Several offers: the first acceptable one wins (RFC 7692 5).
      {{},
       "x-webkit-deflate-frame, permessage-deflate; foo=1, permessage-deflate; "
       "client_max_window_bits=9",
       "permessage-deflate; client_max_window_bits=9"},
      // server_max_window_bits=8 cannot be honoured by zlib: declined, the fallback taken.
      {{},
       "permessage-deflate; server_max_window_bits=8, permessage-deflate",
       "permessage-deflate"},
      {{}, "permessage-deflate; server_max_window_bits=8", ""},
      {{}, "permessage-deflate; server_max_window_bits=16", ""},
      {{}, "permessage-deflate; server_max_window_bits=010", ""},
      {{}, "permessage-deflate; server_max_window_bits", ""},
      {{}, "permessage-deflate; client_max_window_bits=7", ""},
      {{}, "permessage-deflate; server_no_context_takeover=1", ""},
      {{}, "permessage-deflate; client_no_context_takeover; client_no_context_takeover", ""},
      {{}, "permessage-deflate; mystery", ""},
      {{}, "", ""},
      {PerMessageDeflateServerConfig::sharedTier(), "permessage-deflate",
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
      {PerMessageDeflateServerConfig::dedicatedSmallTier(),
       "permessage-deflate; client_max_window_bits",
       "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"},
      // Without client_max_window_bits in the offer, the server may not limit the client.
      {PerMessageDeflateServerConfig::dedicatedTinyTier(), "permessage-deflate",
       "permessage-deflate; server_max_window_bits=10"},
      {{.allowServerNoContextTakeover = false},
       "permessage-deflate; server_no_context_takeover, permessage-deflate",
       "permessage-deflate"},
      {{.allowServerWindowSize = false}, "permessage-deflate; server_max_window_bits=12", ""},
  };
  for (const Case& c : cases) {
    auto ch = server(c.config);
    EXPECT_EQ(handshake(*ch, c.offer), c.answer) << c.offer;
    ch->finishAndReleaseAll();
  }
}

struct RoundTrip {
  std::size_t compressedFromServer = 0;  // messages from the server with RSV1
  std::size_t compressedFromClient = 0;
  std::size_t wireToServer = 0;
  std::size_t wireToClient = 0;
};

std::vector<std::string> sampleMessages() {
  std::mt19937 rng(3);
  std::string noise(3000, '\0');
  for (char& c : noise) {
    c = static_cast<char>(rng());
  }
  return {jsonText(4096, 1),
          jsonText(4096, 1),
          noise,
          "",
          "hi",
          jsonText(60000, 2),
          "h\xc3\xa9llo w\xc3\xb6rld",
          jsonText(100, 4),
          jsonText(4096, 5)};
}

// Sends `messages` (each fragmented into `parts` frames) from a client that offered
// `offer`, and checks that each comes back as it was sent, compressed both ways.
RoundTrip roundTrip(const PerMessageDeflateServerConfig& config, std::string_view offer,
                    const std::vector<std::string>& messages, std::size_t parts) {
  RoundTrip result;
  auto srv = server(config);
  const std::string answer = handshake(*srv, offer);
  const auto agreed = WebSocketExtensionData::parse(answer);
  EXPECT_EQ(agreed.size(), 1u) << offer << " -> " << answer;
  if (agreed.size() != 1) {
    srv->finishAndReleaseAll();
    return result;
  }
  const int hint =
      windowParameter(WebSocketExtensionData::parse(offer).front(), "client_max_window_bits", 15);
  Events received;
  auto client = clientCodec(agreed.front(), std::make_unique<MessageCollector>(&received), hint);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string& m = messages[i];
    const bool binary = i % 3 == 2;
    const std::size_t step = parts <= 1 || m.empty() ? m.size() : m.size() / parts + 1;
    std::size_t pos = 0;
    do {
      const std::size_t n = std::min(step, m.size() - pos);
      const bool fin = pos + n == m.size();
      const std::string_view piece = std::string_view(m).substr(pos, n);
      if (pos != 0) {
        client->writeOutbound(ContinuationWebSocketFrame(fin, 0, piece));
      } else if (binary) {
        client->writeOutbound(BinaryWebSocketFrame(fin, 0, Unpooled::copiedBuffer(piece)));
      } else {
        client->writeOutbound(TextWebSocketFrame(fin, 0, piece));
      }
      pos += n;
    } while (pos < m.size());
    const std::string up = pump(*client, *srv);
    const std::string down = pump(*srv, *client);
    result.wireToServer += up.size();
    result.wireToClient += down.size();
    if (!up.empty() && (static_cast<std::uint8_t>(up[0]) & 0x40) != 0) {
      ++result.compressedFromClient;
    }
    if (!down.empty() && (static_cast<std::uint8_t>(down[0]) & 0x40) != 0) {
      ++result.compressedFromServer;
    }
    EXPECT_EQ(received, Events{(binary ? "BINARY " : "TEXT ") + m})
        << "message " << i << " offer " << offer;
    received.clear();
  }
  EXPECT_TRUE(client->isOpen());
  EXPECT_TRUE(srv->isOpen());
  client->finishAndReleaseAll();
  srv->finishAndReleaseAll();
  return result;
}

TEST_F(WebSocketServerCompressionHandlerTest, RoundTripsEveryParameterCombination) {
  const std::vector<std::string> messages = sampleMessages();
  const std::string json(jsonText(4096, 1));
  for (bool serverNoContext : {false, true}) {
    for (bool clientNoContext : {false, true}) {
      for (const char* serverWindow :
           {"", "; server_max_window_bits=9", "; server_max_window_bits=12",
            "; server_max_window_bits=15"}) {
        for (const char* clientWindow :
             {"", "; client_max_window_bits", "; client_max_window_bits=9",
              "; client_max_window_bits=11"}) {
          const std::string offer = fmt::format(
              "permessage-deflate{}{}{}{}", serverNoContext ? "; server_no_context_takeover" : "",
              clientNoContext ? "; client_no_context_takeover" : "", serverWindow, clientWindow);
          for (std::size_t parts : {std::size_t{1}, std::size_t{3}}) {
            const RoundTrip r = roundTrip({}, offer, messages, parts);
            EXPECT_EQ(r.compressedFromServer, messages.size()) << offer;
            EXPECT_EQ(r.compressedFromClient, messages.size()) << offer;
          }
        }
      }
    }
  }
}

TEST_F(WebSocketServerCompressionHandlerTest, RoundTripsEveryMemoryTierAndLevel) {
  const std::vector<std::string> messages = sampleMessages();
  std::size_t total = 0;
  for (const std::string& m : messages) {
    total += m.size();
  }
  const std::vector<std::pair<const char*, PerMessageDeflateServerConfig>> configs = {
      {"shared", PerMessageDeflateServerConfig::sharedTier()},
      {"dedicated", PerMessageDeflateServerConfig::dedicatedTier()},
      {"small", PerMessageDeflateServerConfig::dedicatedSmallTier()},
      {"tiny", PerMessageDeflateServerConfig::dedicatedTinyTier()},
      {"level0", {.compressionLevel = 0}},
      {"level1", {.compressionLevel = 1, .memLevel = 1}},
      {"level9", {.compressionLevel = 9, .memLevel = 9}},
      {"zlib-only",
       {.serverNoContextTakeover = true,
        .deflateEngine = DeflateEngineKind::Zlib,
        .inflateEngine = DeflateEngineKind::Zlib}},
      {"libdeflate",
       {.serverNoContextTakeover = true,
        .clientNoContextTakeover = true,
        .deflateEngine = DeflateEngineKind::Libdeflate,
        .inflateEngine = DeflateEngineKind::Libdeflate}},
  };
  for (const auto& [name, config] : configs) {
    for (const char* offer : {"permessage-deflate", "permessage-deflate; client_max_window_bits"}) {
      for (std::size_t parts : {std::size_t{1}, std::size_t{4}}) {
        SCOPED_TRACE(fmt::format("{} {} parts {}", name, offer, parts));
        const RoundTrip r = roundTrip(config, offer, messages, parts);
        EXPECT_EQ(r.compressedFromServer, messages.size());
        if (config.compressionLevel != 0) {
          // JSON dominates the sample: compressed, it takes well under half the bytes.
          EXPECT_LT(r.wireToClient, total / 2);
        }
      }
    }
  }
}

TEST_F(WebSocketServerCompressionHandlerTest, SmallMessagesGoOutUncompressedBelowTheThreshold) {
  const RoundTrip r = roundTrip({.compressionThreshold = 200}, "permessage-deflate",
                                {"hi", jsonText(100), jsonText(4096), ""}, 1);
  EXPECT_EQ(r.compressedFromServer, 1u);  // only the 4 KiB one
}

}  // namespace
}  // namespace sluice::websocket
