#include <gtest/gtest.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "WebSocketTestUtil.h"
#include "support/SluiceTest.h"

namespace sluice::websocket {
namespace {

using namespace sluice::websocket::testing;  // NOLINT(google-build-using-namespace)
using WebSocket13FrameDecoderTest = sluice::testing::SluiceTest;

const WebSocketDecoderConfig kServer{};
const WebSocketDecoderConfig kClient{.expectMaskedFrames = false};

Events violation(const std::string& sentClose, const std::string& exception) {
  return {"EXCEPTION " + exception, "SENT " + sentClose, "CLOSED"};
}

TEST_F(WebSocket13FrameDecoderTest, DecodesEveryFrameTypeAtEverySplit) {
  const std::string input = wireFrame(0x81, "hello") + wireFrame(0x82, "bin") +
                            wireFrame(0x01, "frag") + wireFrame(0x89, "ping in the middle") +
                            wireFrame(0x00, "ment") + wireFrame(0x80, "ed") + wireFrame(0x8A, "") +
                            wireFrame(0x88, closeBody(1000, "bye"));
  EXPECT_EQ(expectSameAtEverySplit(kServer, input),
            (Events{"TEXT hello", "BINARY bin", "TEXT+ frag", "PING ping in the middle",
                    "CONT+ ment", "CONT ed", "PONG ", "CLOSE 1000 bye"}));
}

TEST_F(WebSocket13FrameDecoderTest, ClientDecodesUnmaskedFrames) {
  const std::string input = wireFrame(0x81, "from server", false) + wireFrame(0x88, "", false);
  EXPECT_EQ(expectSameAtEverySplit(kClient, input), (Events{"TEXT from server", "CLOSE"}));
}

TEST_F(WebSocket13FrameDecoderTest, LengthEncodings) {
  const WebSocketDecoderConfig big{.maxFramePayloadLength = 70000};
  for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 69999u}) {
    const std::string payload(n, 'x');
    const Events events = decodeChunks(big, {wireFrame(0x82, payload)});
    ASSERT_EQ(events.size(), 1u) << n;
    EXPECT_EQ(events[0], n > 40 ? fmt::format("BINARY <{} bytes>", n) : "BINARY " + payload);
  }
}

TEST_F(WebSocket13FrameDecoderTest, LargeFramePayloadIsASliceOfTheInputUnmaskedInPlace) {
  const std::string payload(60000, 'z');
  ByteBuf input = PooledByteBufAllocator::defaultAllocator().copiedBuffer(wireFrame(0x82, payload));
  const std::uint8_t* memory = input.memoryAddress();
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>());
  ch.writeInbound(std::move(input));
  auto frame = ch.readInbound<BinaryWebSocketFrame>();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->content().toStringView(), payload);
  const std::uint8_t* data = frame->content().readableSpan().data();
  EXPECT_GE(data, memory);
  EXPECT_LT(data, memory + 60100);
  // The received header (8 bytes) is kept in front as headroom: an echo needs no copy.
  EXPECT_TRUE(frame->content().canPrepend(8));
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameDecoderTest, SharedInputIsNeverUnmaskedInPlace) {
  const std::string wire = wireFrame(0x82, std::string(60000, 'q'));
  ByteBuf input = PooledByteBufAllocator::defaultAllocator().copiedBuffer(wire);
  ByteBuf other = input.duplicate();  // someone else still reads these bytes
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>());
  ch.writeInbound(std::move(input));
  auto frame = ch.readInbound<BinaryWebSocketFrame>();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->content().toStringView(), std::string(60000, 'q'));
  EXPECT_EQ(other.toStringView(), wire);
  EXPECT_FALSE(ch.finish());
}

TEST_F(WebSocket13FrameDecoderTest, SmallPayloadIsCopiedWithHeadroom) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>());
  ch.writeInbound(Unpooled::copiedBuffer(wireFrame(0x81, "small")));
  auto frame = ch.readInbound<TextWebSocketFrame>();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->text(), "small");
  EXPECT_TRUE(frame->content().canPrepend(WebSocketFrame::kMaxHeaderSize));
  EXPECT_FALSE(ch.finish());
}

// ---- Protocol violations: the close frame sent, the error, the channel closed ----------

TEST_F(WebSocket13FrameDecoderTest, RejectsReservedBitsWithoutExtension) {
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x81, "ok") + wireFrame(0xC1, "x")),
            (Events{"TEXT ok", "EXCEPTION RSV bits set and no extension negotiated: RSV 4",
                    "SENT CLOSE 1002 RSV bits set and no extension negotiated", "CLOSED"}));
}

TEST_F(WebSocket13FrameDecoderTest, AcceptsReservedBitsWithExtensions) {
  const WebSocketDecoderConfig ext{.allowExtensions = true};
  EXPECT_EQ(expectSameAtEverySplit(ext, wireFrame(0xC1, "\xFF compressed")),
            (Events{"TEXT(rsv4) \xFF compressed"}));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsReservedOpcodes) {
  for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    EXPECT_EQ(
        decodeChunks(kServer, {wireFrame(static_cast<std::uint8_t>(0x80 | op), "")}),
        violation("CLOSE 1002 reserved opcode", fmt::format("reserved opcode: opcode {:#x}", op)))
        << op;
  }
}

TEST_F(WebSocket13FrameDecoderTest, RejectsFragmentedControlFrame) {
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x09, "p")),
            violation("CLOSE 1002 fragmented control frame", "fragmented control frame"));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsControlFrameOver125Bytes) {
  EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x89, std::string(126, 'p'))}),
            violation("CLOSE 1002 control frame payload longer than 125 bytes",
                      "control frame payload longer than 125 bytes"));
  EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x89, std::string(125, 'p'))}),
            (Events{"PING <125 bytes>"}));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsContinuationWithoutStart) {
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x80, "x")),
            violation("CLOSE 1002 continuation frame outside a fragmented message",
                      "continuation frame outside a fragmented message"));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsNewDataFrameInsideFragmentedMessage) {
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x01, "a") + wireFrame(0x82, "b")),
            (Events{"TEXT+ a", "EXCEPTION data frame inside a fragmented message",
                    "SENT CLOSE 1002 data frame inside a fragmented message", "CLOSED"}));
}

TEST_F(WebSocket13FrameDecoderTest, ServerRejectsUnmaskedFrame) {
  EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x81, "x", false)}),
            violation("CLOSE 1002 frame not masked as expected",
                      "frame not masked as expected: unmasked frame"));
}

TEST_F(WebSocket13FrameDecoderTest, ClientRejectsMaskedFrameUnlessMismatchAllowed) {
  EXPECT_EQ(decodeChunks(kClient, {wireFrame(0x81, "x", true)}),
            violation("CLOSE 1002 frame not masked as expected",
                      "frame not masked as expected: masked frame"));
  const WebSocketDecoderConfig lenient{.expectMaskedFrames = false, .allowMaskMismatch = true};
  EXPECT_EQ(decodeChunks(lenient, {wireFrame(0x81, "x", true) + wireFrame(0x81, "y", false)}),
            (Events{"TEXT x", "TEXT y"}));
}

TEST_F(WebSocket13FrameDecoderTest, Rejects64BitLengthWithTopBitSet) {
  std::string wire = "\x82\xFF";
  wire += std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8);
  EXPECT_EQ(decodeChunks(kServer, {wire}),
            violation("CLOSE 1002 invalid payload length",
                      "invalid payload length: 64-bit length with the top bit set"));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsNonMinimalLengthEncodings) {
  EXPECT_EQ(
      expectSameAtEverySplit(kServer, wireFrame(0x81, "short", true, kKey, LengthForm::Force16)),
      violation("CLOSE 1002 invalid payload length",
                "invalid payload length: 5 in a 16-bit length"));
  EXPECT_EQ(decodeChunks(kServer,
                         {wireFrame(0x81, std::string(300, 'a'), true, kKey, LengthForm::Force64)}),
            violation("CLOSE 1002 invalid payload length",
                      "invalid payload length: 300 in a 64-bit length"));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsCloseFrameWithOneBytePayload) {
  EXPECT_EQ(
      expectSameAtEverySplit(kServer, wireFrame(0x88, "\x03")),
      violation("CLOSE 1002 close frame payload of one byte", "close frame payload of one byte"));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsInvalidCloseCodes) {
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x88, closeBody(code))}),
              violation("CLOSE 1002 invalid close status code",
                        fmt::format("invalid close status code: {}", code)))
        << code;
  }
  for (int code : {1000, 1001, 1002, 1003, 1007, 1011, 1012, 1014, 3000, 4999}) {
    EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x88, closeBody(code))}),
              (Events{fmt::format("CLOSE {} ", code)}))
        << code;
  }
}

TEST_F(WebSocket13FrameDecoderTest, RejectsInvalidUtf8InCloseReasonWith1007) {
  EXPECT_EQ(
      expectSameAtEverySplit(kServer, wireFrame(0x88, closeBody(1000, "\xCE\xBA\xED\xA0\x80"))),
      violation("CLOSE 1007 invalid UTF-8", "invalid UTF-8: in close reason"));
}

TEST_F(WebSocket13FrameDecoderTest, RejectsInvalidUtf8InTextWith1007) {
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x81, "ok \xC0\xAF")),
            violation("CLOSE 1007 invalid UTF-8", "invalid UTF-8: in text message"));
}

TEST_F(WebSocket13FrameDecoderTest, FailsFastOnInvalidUtf8InAFragment) {
  // The second fragment is bad; the third never needs to arrive.
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x01, "good ") + wireFrame(0x00, "\xFF")),
            (Events{"TEXT+ good ", "EXCEPTION invalid UTF-8: in text message",
                    "SENT CLOSE 1007 invalid UTF-8", "CLOSED"}));
}

// Valid text of `n` bytes mixing ASCII with 2-, 3- and 4-byte characters.
std::string multilingual(std::size_t n) {
  const std::string piece =
      "ab \xD0\x9F\xD1\x80\xD0\xB8 \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\x80 caf\xC3\xA9 ";
  std::string s;
  while (s.size() + piece.size() <= n) {
    s += piece;
  }
  return s + std::string(n - s.size(), 'z');
}

const Events kInvalidText = violation("CLOSE 1007 invalid UTF-8", "invalid UTF-8: in text message");

TEST_F(WebSocket13FrameDecoderTest, FailsFastOnInvalidUtf8InAFrameStillArriving) {
  // RFC 6455 8.1: the connection fails in the read that brings the bad byte; the rest of
  // the frame never arrives.
  const std::string wire = wireFrame(0x81, "ok \xC0 and 1000 bytes more" + std::string(1000, '.'));
  const std::size_t header = 8;  // 16-bit length, masking key
  EXPECT_EQ(decodeChunks(kServer, {std::string_view(wire).substr(0, header + 4)}), kInvalidText);
  // Up to the byte before it, nothing happens.
  EXPECT_EQ(decodeChunks(kServer, {std::string_view(wire).substr(0, header + 3)}), Events{});
  // The same from a client, whose frames are not masked.
  const std::string unmasked = wireFrame(0x81, "\xF5" + std::string(200, '.'), false);
  EXPECT_EQ(decodeChunks(kClient, {std::string_view(unmasked).substr(0, 5)}), kInvalidText);
}

TEST_F(WebSocket13FrameDecoderTest, FailsFastOnInvalidUtf8InAContinuationStillArriving) {
  const std::string wire = wireFrame(0x01, "good ") + wireFrame(0x89, "ping") +
                           wireFrame(0x80, "still good \xED\xA0\x80");
  // Everything up to the surrogate's second byte (ED A0 can start no valid character).
  const std::string_view upToBad = std::string_view(wire).substr(0, wire.size() - 1);
  EXPECT_EQ(decodeChunks(kServer, {upToBad}),
            (Events{"TEXT+ good ", "PING ping", "EXCEPTION invalid UTF-8: in text message",
                    "SENT CLOSE 1007 invalid UTF-8", "CLOSED"}));
  EXPECT_EQ(decodeChunks(kServer, {upToBad.substr(0, upToBad.size() - 1)}),
            (Events{"TEXT+ good ", "PING ping"}));
}

TEST_F(WebSocket13FrameDecoderTest, FailsFastAtEveryPositionAndReadPattern) {
  // The bad byte at each offset from the masking key's alignment, in a frame that arrives
  // in reads of 1, 2, 3, ... bytes: the close is written in the read that brings it, and
  // not before. Past 1024 bytes the check continues in a second scratch block.
  for (std::size_t bad : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 130u, 1023u, 1024u, 1025u, 1500u}) {
    std::string payload = multilingual(2000);
    payload[bad] = '\xFF';
    const std::string wire = wireFrame(0x81, payload);
    const std::size_t badAt = 8 + bad;  // its offset on the wire
    for (std::size_t step : {1u, 2u, 3u, 7u, 600u}) {
      std::vector<std::string_view> reads;
      for (std::size_t i = 0; i < badAt + 1; i += step) {
        reads.push_back(std::string_view(wire).substr(i, std::min(step, badAt + 1 - i)));
      }
      EXPECT_EQ(decodeChunks(kServer, reads), kInvalidText) << bad << " step " << step;
      reads.back().remove_suffix(1);
      EXPECT_EQ(decodeChunks(kServer, reads), Events{}) << bad << " step " << step;
    }
  }
}

TEST_F(WebSocket13FrameDecoderTest, ValidTextArrivingInPiecesDecodesTheSame) {
  // Characters split across reads, across fragments, in small (copied) and large (sliced)
  // payloads: checking the received part of a frame changes nothing in what is decoded.
  const std::string big = multilingual(1500);
  const std::string input = wireFrame(0x81, multilingual(60)) + wireFrame(0x01, "\xE2\x82") +
                            wireFrame(0x80, "\xAC" + multilingual(300)) + wireFrame(0x81, big);
  EXPECT_EQ(expectSameAtEverySplit(kServer, input),
            (Events{"TEXT <60 bytes>", "TEXT+ \xE2\x82", "CONT <301 bytes>", "TEXT <1500 bytes>"}));
  // The payloads themselves, unmasked exactly once.
  for (std::size_t split : {9u, 10u, 11u, 12u, 500u, 1507u}) {
    const std::string wire = wireFrame(0x81, big);
    EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>());
    ch.writeInbound(PooledByteBufAllocator::defaultAllocator().copiedBuffer(
        std::string_view(wire).substr(0, split)));
    ch.writeInbound(PooledByteBufAllocator::defaultAllocator().copiedBuffer(
        std::string_view(wire).substr(split)));
    auto frame = ch.readInbound<TextWebSocketFrame>();
    ASSERT_TRUE(frame) << split;
    EXPECT_EQ(frame->text(), big) << split;
    EXPECT_FALSE(ch.finish());
  }
}

TEST_F(WebSocket13FrameDecoderTest, IncompleteCharacterAtTheEndOfAReadIsNotAnError) {
  // E2 82 is the start of a valid character: only the message's end can make it invalid.
  const std::string wire = wireFrame(0x81, "ab\xE2\x82\xAC" + std::string(100, 'c'));
  EXPECT_EQ(decodeChunks(kServer, {std::string_view(wire).substr(0, 6 + 4)}), Events{});
  EXPECT_EQ(decodeChunks(kServer, {std::string_view(wire).substr(0, 6 + 4),
                                   std::string_view(wire).substr(10)}),
            Events{"TEXT <105 bytes>"});
}

TEST_F(WebSocket13FrameDecoderTest, NoEarlyUtf8CheckForBinaryCompressedOrUnchecked) {
  const std::string tail(200, 'x');
  const auto firstPart = [](const std::string& wire) {
    return std::vector<std::string_view>{std::string_view(wire).substr(0, 12)};
  };
  const std::string binary = wireFrame(0x82, "\xFF" + tail);
  EXPECT_EQ(decodeChunks(kServer, firstPart(binary)), Events{});
  const std::string binaryContinued = wireFrame(0x02, "a") + wireFrame(0x80, "\xFF" + tail);
  EXPECT_EQ(decodeChunks(kServer, {std::string_view(binaryContinued).substr(0, 7 + 12)}),
            Events{"BINARY+ a"});
  const std::string text = wireFrame(0x81, "\xFF" + tail);
  EXPECT_EQ(decodeChunks(WebSocketDecoderConfig{.withUTF8Validator = false}, firstPart(text)),
            Events{});
  const std::string compressed = wireFrame(0xC1, "\xFF" + tail);
  EXPECT_EQ(decodeChunks(WebSocketDecoderConfig{.allowExtensions = true}, firstPart(compressed)),
            Events{});
}

TEST_F(WebSocket13FrameDecoderTest, Utf8CharacterSplitAcrossFragmentsIsValid) {
  EXPECT_EQ(expectSameAtEverySplit(kServer, wireFrame(0x01, "\xF0\x9F") +
                                                wireFrame(0x89, "") +  // a ping in between
                                                wireFrame(0x80, "\x98\x80")),
            (Events{"TEXT+ \xF0\x9F", "PING ", "CONT \x98\x80"}));
}

TEST_F(WebSocket13FrameDecoderTest, MessageEndingInsideACharacterIsInvalid) {
  EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x01, "ab\xE2\x82") + wireFrame(0x80, "")}),
            (Events{"TEXT+ ab\xE2\x82", "EXCEPTION invalid UTF-8: in text message",
                    "SENT CLOSE 1007 invalid UTF-8", "CLOSED"}));
}

TEST_F(WebSocket13FrameDecoderTest, NoUtf8CheckWhenDisabledOrForBinary) {
  const WebSocketDecoderConfig off{.withUTF8Validator = false};
  EXPECT_EQ(decodeChunks(off, {wireFrame(0x81, "\xFF")}), (Events{"TEXT \xFF"}));
  EXPECT_EQ(decodeChunks(kServer, {wireFrame(0x82, "\xFF")}), (Events{"BINARY \xFF"}));
}

TEST_F(WebSocket13FrameDecoderTest, FrameOverLimitIs1009BeforeThePayloadArrives) {
  const WebSocketDecoderConfig small{.maxFramePayloadLength = 100};
  const std::string wire = wireFrame(0x82, std::string(101, 'x'));
  // Only the header is sent: the limit is checked on the length field.
  EXPECT_EQ(decodeChunks(small, {std::string_view(wire).substr(0, 4)}),
            violation("CLOSE 1009 frame payload too large",
                      "frame payload too large: 101 bytes, limit 100"));
}

TEST_F(WebSocket13FrameDecoderTest, HugeLengthFieldIs1009) {
  std::string wire = "\x82\xFF";
  wire += std::string("\x00\x00\x00\x01\x00\x00\x00\x05", 8);  // 2^32 + 5
  EXPECT_EQ(decodeChunks(kServer, {wire}),
            violation("CLOSE 1009 frame payload too large",
                      "frame payload too large: 4294967301 bytes, limit 65536"));
}

TEST_F(WebSocket13FrameDecoderTest, MessageOverLimitAcrossContinuationsIs1009) {
  const WebSocketDecoderConfig limits{.maxFramePayloadLength = 100, .maxMessageLength = 250};
  const std::string input = wireFrame(0x02, std::string(100, 'a')) +
                            wireFrame(0x00, std::string(100, 'b')) +
                            wireFrame(0x80, std::string(51, 'c'));
  EXPECT_EQ(expectSameAtEverySplit(limits, input),
            (Events{"BINARY+ <100 bytes>", "CONT+ <100 bytes>",
                    "EXCEPTION message too large: 251 bytes, limit 250",
                    "SENT CLOSE 1009 message too large", "CLOSED"}));
  // A new message starts counting from zero.
  const std::string ok = wireFrame(0x02, std::string(100, 'a')) +
                         wireFrame(0x80, std::string(100, 'b')) +
                         wireFrame(0x82, std::string(100, 'c'));
  EXPECT_EQ(decodeChunks(limits, {ok}),
            (Events{"BINARY+ <100 bytes>", "CONT <100 bytes>", "BINARY <100 bytes>"}));
}

TEST_F(WebSocket13FrameDecoderTest, WithoutCloseOnViolationOnlyFiresAndDiscards) {
  const WebSocketDecoderConfig quiet{.closeOnProtocolViolation = false};
  EXPECT_EQ(decodeChunks(quiet, {wireFrame(0x83, ""), wireFrame(0x81, "ignored")}),
            (Events{"EXCEPTION reserved opcode: opcode 0x3"}));
}

TEST_F(WebSocket13FrameDecoderTest, InputAfterCloseFrameIsDiscarded) {
  EXPECT_EQ(expectSameAtEverySplit(
                kServer, wireFrame(0x88, closeBody(1001)) + wireFrame(0x81, "late") + "garbage"),
            (Events{"CLOSE 1001 "}));
}

TEST_F(WebSocket13FrameDecoderTest, CloseFrameBytesWrittenThroughTheEncoder) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameEncoder>(false),
                     std::make_unique<WebSocket13FrameDecoder>());
  // With no handler after the decoder, its error reaches the tail and is rethrown here.
  EXPECT_THROW(ch.writeInbound(Unpooled::copiedBuffer(wireFrame(0x8F, ""))), ErrorException);
  auto out = ch.readOutbound<ByteBuf>();
  ASSERT_TRUE(out);
  const std::string reason = "reserved opcode";
  EXPECT_EQ(out->toString(),
            std::string("\x88") + static_cast<char>(2 + reason.size()) + "\x03\xEA" + reason);
  EXPECT_FALSE(ch.isOpen());
  ch.finishAndReleaseAll();
}

TEST_F(WebSocket13FrameDecoderTest, ErrorCarriesTheTypedCode) {
  EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>());
  try {
    ch.writeInbound(Unpooled::copiedBuffer(wireFrame(0x81, "\xFF")));
    FAIL() << "expected the error at the tail";
  } catch (const ErrorException& e) {
    EXPECT_EQ(e.error().code(), WebSocketErrc::InvalidUtf8);
    EXPECT_EQ(e.error().code(), std::errc::illegal_byte_sequence);
  }
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::websocket
