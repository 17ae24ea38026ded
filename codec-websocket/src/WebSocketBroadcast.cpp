#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketBroadcast.h>
#include <sluice/websocket/WebSocketExtension.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "WebSocketMetrics.h"

namespace sluice::websocket {
namespace {

// An unmasked frame header for `length` payload bytes (RFC 6455 5.2, minimal length form).
std::size_t writeHeader(std::uint8_t* dst, std::uint8_t firstByte, std::size_t length) noexcept {
  dst[0] = firstByte;
  if (length <= 125) {
    dst[1] = static_cast<std::uint8_t>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    dst[1] = 126;
    dst[2] = static_cast<std::uint8_t>(length >> 8);
    dst[3] = static_cast<std::uint8_t>(length);
    return 4;
  }
  dst[1] = 127;
  const std::uint64_t be = __builtin_bswap64(static_cast<std::uint64_t>(length));
  std::memcpy(dst + 2, &be, 8);
  return 10;
}

std::size_t headerLength(std::size_t length) noexcept {
  return length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
}

// The encodings of one broadcast, made on first need and shared by the members.
struct Encodings {
  Encodings(WebSocketOpcode op, ByteBuf p, WebSocketBroadcast::Stats* s)
      : opcode(op), payload(std::move(p)), stats(s) {}

  struct Compressed {
    PerMessageDeflateEncoderConfig config;
    ByteBuf frame;
  };

  Message select(Channel& ch) {
    ChannelPipeline& p = ch.pipeline();
    const auto* frameEncoder = p.get<WebSocket13FrameEncoder>();
    const auto* deflate = p.get<PerMessageDeflateEncoder>();
    const bool masked = frameEncoder != nullptr && frameEncoder->config().maskPayload;
    const bool ownWindow = deflate != nullptr && !deflate->config().deflater.noContextTakeover;
    std::lock_guard lock(mutex);
    if (masked || ownWindow) {
      // Compressed (with the member's own window) or masked by the member's pipeline.
      return frameOver(payload.duplicate());
    }
    // Encoded here, once for every member: the frame encoder will not see it, so it is
    // counted here.
    detail::WebSocketMetrics& metrics = detail::WebSocketMetrics::get();
    metrics.frameSent(opcode).inc();
    metrics.messageSent(opcode).inc();
    if (deflate == nullptr || payload.readableBytes() < deflate->config().compressionThreshold) {
      return Message(EncodedMessage(plainFrame().duplicate()));
    }
    return Message(EncodedMessage(compressedFrame(deflate->config()).duplicate()));
  }

  Message frameOver(ByteBuf content) const {
    if (opcode == WebSocketOpcode::Text) {
      return Message(TextWebSocketFrame(std::move(content)));
    }
    return Message(BinaryWebSocketFrame(std::move(content)));
  }

  const ByteBuf& plainFrame() {
    if (plain.capacity() == 0) {
      const std::size_t n = payload.readableBytes();
      const std::size_t h = headerLength(n);
      plain = ByteBufAllocator::defaultAllocator().buffer(h + n);
      std::uint8_t* dst = plain.writableSpan().data();
      writeHeader(dst, static_cast<std::uint8_t>(0x80 | static_cast<int>(opcode)), n);
      if (n != 0) {
        std::memcpy(dst + h, payload.readableSpan().data(), n);
      }
      plain.writerIndex(h + n);
      if (stats != nullptr) {
        ++stats->plainEncodings;
      }
    }
    return plain;
  }

  const ByteBuf& compressedFrame(const PerMessageDeflateEncoderConfig& config) {
    const MessageDeflaterConfig& d = config.deflater;
    for (const Compressed& c : compressed) {
      const MessageDeflaterConfig& e = c.config.deflater;
      if (e.compressionLevel == d.compressionLevel && e.windowBits == d.windowBits &&
          e.memLevel == d.memLevel && c.config.engine == config.engine) {
        return c.frame;
      }
    }
    ByteBuf frame = PerMessageDeflateEncoder::compressMessage(config, payload.readableSpan());
    const std::size_t n = frame.readableBytes();
    // The compressed buffer has header headroom and is ours alone: the header goes in place.
    // RFC 7692 6: RSV1 marks the message compressed.
    const auto firstByte = static_cast<std::uint8_t>(0x80 | (WebSocketExtension::kRsv1 << 4) |
                                                     static_cast<int>(opcode));
    writeHeader(frame.prepend(headerLength(n)).data(), firstByte, n);
    compressed.push_back({config, std::move(frame)});
    if (stats != nullptr) {
      ++stats->compressedEncodings;
    }
    return compressed.back().frame;
  }

  std::mutex mutex;
  WebSocketOpcode opcode;
  ByteBuf payload;
  ByteBuf plain;
  std::vector<Compressed> compressed;
  WebSocketBroadcast::Stats* stats;
};

}  // namespace

ChannelGroupFuture WebSocketBroadcast::writeAndFlush(ChannelGroup& group, WebSocketOpcode opcode,
                                                     ByteBuf payload,
                                                     ChannelGroup::WriteOptions options,
                                                     Stats* stats) {
  if (opcode != WebSocketOpcode::Text && opcode != WebSocketOpcode::Binary) {
    throw std::invalid_argument("WebSocketBroadcast sends text or binary messages");
  }
  auto encodings = std::make_shared<Encodings>(opcode, std::move(payload), stats);
  return group.writeAndFlushEach([encodings](Channel& ch) { return encodings->select(ch); },
                                 options);
}

ChannelGroupFuture WebSocketBroadcast::writeAndFlushText(ChannelGroup& group, std::string_view text,
                                                         ChannelGroup::WriteOptions options,
                                                         Stats* stats) {
  return writeAndFlush(group, WebSocketOpcode::Text, Unpooled::copiedBuffer(text), options, stats);
}

}  // namespace sluice::websocket
