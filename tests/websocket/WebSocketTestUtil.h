#pragma once

// Builds RFC 6455 frames byte by byte, and drives WebSocket13FrameDecoder on an
// EmbeddedChannel, rendering what it does as strings so that a test states the whole
// observable result and checks that every split of the input gives the same one.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::websocket::testing {

constexpr std::uint32_t kKey = 0x3D21FA37;  // bytes 37 FA 21 3D on the wire

/// How a test frame's length is written: the minimal form, or forced into 16 or 64 bits.
enum class LengthForm { Minimal, Force16, Force64 };

/// One frame on the wire: first byte `b0` (FIN, RSV, opcode), `payload` masked with `key`
/// when `masked`.
inline std::string wireFrame(std::uint8_t b0, std::string_view payload, bool masked = true,
                             std::uint32_t key = kKey, LengthForm form = LengthForm::Minimal) {
  std::string out;
  out.push_back(static_cast<char>(b0));
  const std::uint8_t maskBit = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (form == LengthForm::Minimal && n <= 125) {
    out.push_back(static_cast<char>(maskBit | n));
  } else if (form == LengthForm::Force16 || (form == LengthForm::Minimal && n <= 0xFFFF)) {
    out.push_back(static_cast<char>(maskBit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
  } else {
    out.push_back(static_cast<char>(maskBit | 127));
    for (int i = 7; i >= 0; --i) {
      out.push_back(static_cast<char>(n >> (8 * i)));
    }
  }
  std::string body(payload);
  if (masked) {
    char k[4];
    std::memcpy(k, &key, 4);
    out.append(k, 4);
    for (std::size_t i = 0; i < body.size(); ++i) {
      body[i] = static_cast<char>(body[i] ^ k[i % 4]);
    }
  }
  return out + body;
}

inline std::string closeBody(int code, std::string_view reason = {}) {
  std::string s;
  s.push_back(static_cast<char>(code >> 8));
  s.push_back(static_cast<char>(code));
  return s + std::string(reason);
}

/// "TEXT hi", "TEXT+ hi" (not final), "BINARY(rsv4) x", "CLOSE 1000 bye", "PING ", ...
inline std::string renderFrame(const WebSocketFrame& f) {
  const char* name = "?";
  switch (f.opcode()) {
    case WebSocketOpcode::Text:
      name = "TEXT";
      break;
    case WebSocketOpcode::Binary:
      name = "BINARY";
      break;
    case WebSocketOpcode::Continuation:
      name = "CONT";
      break;
    case WebSocketOpcode::Close:
      name = "CLOSE";
      break;
    case WebSocketOpcode::Ping:
      name = "PING";
      break;
    case WebSocketOpcode::Pong:
      name = "PONG";
      break;
  }
  std::string s = name;
  if (!f.isFinalFragment()) {
    s += "+";
  }
  if (f.rsv() != 0) {
    s += fmt::format("(rsv{})", f.rsv());
  }
  if (f.opcode() == WebSocketOpcode::Close) {
    const auto& c = static_cast<const CloseWebSocketFrame&>(f);
    return c.statusCode() < 0 ? s : fmt::format("{} {} {}", s, c.statusCode(), c.reasonText());
  }
  const std::string_view payload = f.content().toStringView();
  if (payload.size() > 40) {
    return fmt::format("{} <{} bytes>", s, payload.size());
  }
  return fmt::format("{} {}", s, payload);
}

using Events = std::vector<std::string>;

/// The last handler: renders each frame and error into Events.
class FrameRecorder : public ChannelInboundHandler {
 public:
  explicit FrameRecorder(Events* events) : events_(events) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    if (const auto* f = msg.getIf<WebSocketFrame>()) {
      events_->push_back(renderFrame(*f));
    } else {
      events_->push_back("UNEXPECTED " + msg.typeName());
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    events_->push_back("EXCEPTION " + error.message());
  }

 private:
  Events* events_;
};

/// Feeds `chunks` to a decoder with `config`, one read each, stopping once the channel is
/// closed. Appends "SENT <frame>" for what the decoder wrote and "CLOSED" if it closed.
inline Events decodeChunks(const WebSocketDecoderConfig& config,
                           const std::vector<std::string_view>& chunks, bool pooled = true,
                           Cumulator cumulator = Cumulator::Merge) {
  Events events;
  auto decoder = std::make_unique<WebSocket13FrameDecoder>(config);
  decoder->setCumulator(cumulator);
  EmbeddedChannel ch(std::move(decoder), std::make_unique<FrameRecorder>(&events));
  for (std::string_view c : chunks) {
    if (!ch.isOpen()) {
      break;
    }
    ch.writeInbound(pooled ? PooledByteBufAllocator::defaultAllocator().copiedBuffer(c)
                           : Unpooled::copiedBuffer(c));
  }
  for (Message& m : ch.outboundMessages()) {
    events.push_back(m.is<WebSocketFrame>() ? "SENT " + renderFrame(m.get<WebSocketFrame>())
                                            : "SENT " + m.typeName());
  }
  if (!ch.isOpen()) {
    events.push_back("CLOSED");
  }
  ch.finishAndReleaseAll();
  return events;
}

/// Decodes `input` whole, split in two at every index (pooled and unpooled buffers, both
/// cumulators) and byte by byte; expects the same events every time and returns them.
inline Events expectSameAtEverySplit(const WebSocketDecoderConfig& config, std::string_view input) {
  const Events whole = decodeChunks(config, {input});
  for (Cumulator cumulator : {Cumulator::Merge, Cumulator::Composite}) {
    for (std::size_t i = 0; i <= input.size(); ++i) {
      EXPECT_EQ(decodeChunks(config, {input.substr(0, i), input.substr(i)}, i % 2 == 0, cumulator),
                whole)
          << "split at " << i;
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) {
    bytes.push_back(input.substr(i, 1));
  }
  EXPECT_EQ(decodeChunks(config, bytes, false), whole) << "byte by byte";
  return whole;
}

}  // namespace sluice::websocket::testing
