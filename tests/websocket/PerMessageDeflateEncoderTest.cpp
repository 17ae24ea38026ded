#include <gtest/gtest.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/websocket/PerMessageDeflateDecoder.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/UncompressedWebSocketFrame.h>

#include <string>

#include "PerMessageDeflateTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using PerMessageDeflateEncoderTest = sluice::testing::SluiceTest;

// Writes `frames` through an encoder with `config`; returns each written frame rendered
// (RSV and FIN visible) and, inflated by a decoder with the matching settings, the messages.
struct Written {
  Events frames;
  Events messages;
};

template <typename... Frames>
Written write(PerMessageDeflateEncoderConfig config, Frames&&... frames) {
  Written w;
  EmbeddedChannel out(std::make_unique<PerMessageDeflateEncoder>(config));
  out.writeOutbound(std::forward<Frames>(frames)...);
  EmbeddedChannel in(std::make_unique<PerMessageDeflateDecoder>(PerMessageDeflateDecoderConfig{
                         .inflater = {.windowBits = config.deflater.windowBits,
                                      .noContextTakeover = config.deflater.noContextTakeover,
                                      .maxMessageLength = 1 << 20}}),
                     std::make_unique<MessageCollector>(&w.messages));
  while (Message m = out.readOutbound()) {
    if (m.isExactly<EncodedMessage>()) {
      w.frames.push_back("ENCODED " + std::string(m.get<ByteBuf>().toStringView()));
      continue;
    }
    const auto& f = m.get<WebSocketFrame>();
    w.frames.push_back(fmt::format("{}{}{}", static_cast<int>(f.opcode()),
                                   f.isFinalFragment() ? "" : "+",
                                   f.rsv() != 0 ? fmt::format("(rsv{})", f.rsv()) : ""));
    in.writeInbound(std::move(m));
  }
  out.finishAndReleaseAll();
  in.finishAndReleaseAll();
  return w;
}

TEST_F(PerMessageDeflateEncoderTest, SetsRsv1OnTheFirstFrameOnly) {
  const std::string a = jsonText(3000, 1);
  const Written w = write({}, TextWebSocketFrame(false, 0, a.substr(0, 1000)),
                          PingWebSocketFrame(Unpooled::copiedBuffer("p")),
                          ContinuationWebSocketFrame(false, 0, a.substr(1000, 1000)),
                          ContinuationWebSocketFrame(true, 0, a.substr(2000)));
  EXPECT_EQ(w.frames, (Events{"1+(rsv4)", "9", "0+", "0"}));
  EXPECT_EQ(w.messages, (Events{"PING p", "TEXT " + a}));
}

TEST_F(PerMessageDeflateEncoderTest, FragmentedMessagesWorkWithAWholeMessageEngine) {
  // libdeflate compresses whole messages; a fragmented one goes through zlib instead.
  const std::string a = jsonText(3000, 2);
  const Written w =
      write({.deflater = {.noContextTakeover = true}, .engine = DeflateEngineKind::Libdeflate},
            BinaryWebSocketFrame(false, 0, Unpooled::copiedBuffer(a.substr(0, 1500))),
            ContinuationWebSocketFrame(true, 0, a.substr(1500)), TextWebSocketFrame(a));
  EXPECT_EQ(w.frames, (Events{"2+(rsv4)", "0", "1(rsv4)"}));
  EXPECT_EQ(w.messages, (Events{"BINARY " + a, "TEXT " + a}));
}

TEST_F(PerMessageDeflateEncoderTest, OptOutThresholdAndPrecompressedFramesPassUntouched) {
  const std::string a = jsonText(500, 3);
  const Written w =
      write({.compressionThreshold = 100},
            UncompressedWebSocketFrame(TextWebSocketFrame(false, 0, a.substr(0, 200))),
            ContinuationWebSocketFrame(true, 0, a.substr(200)),  // follows its first frame
            TextWebSocketFrame("short"),                         // below the threshold
            TextWebSocketFrame(a),                               // compressed
            EncodedMessage(Unpooled::copiedBuffer("raw")));
  EXPECT_EQ(w.frames, (Events{"1+", "0", "1", "1(rsv4)", "ENCODED raw"}));
  EXPECT_EQ(w.messages, (Events{"TEXT " + a, "TEXT short", "TEXT " + a}));
}

TEST_F(PerMessageDeflateEncoderTest, ContextTakeoverShrinksRepeatedMessages) {
  const std::string a = jsonText(2000, 4);
  for (bool noContext : {false, true}) {
    EmbeddedChannel ch(std::make_unique<PerMessageDeflateEncoder>(
        PerMessageDeflateEncoderConfig{.deflater = {.noContextTakeover = noContext}}));
    ch.writeOutbound(TextWebSocketFrame(a), TextWebSocketFrame(a));
    const std::size_t first = ch.readOutbound().get<WebSocketFrame>().content().readableBytes();
    const std::size_t second = ch.readOutbound().get<WebSocketFrame>().content().readableBytes();
    if (noContext) {
      EXPECT_EQ(second, first);  // RFC 7692 7.1.1: each message on its own
    } else {
      EXPECT_LT(second * 10, first);  // a back-reference to the whole first message
    }
    ch.finishAndReleaseAll();
  }
}

}  // namespace
}  // namespace sluice::websocket
