#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/websocket/WebSocket13FrameEncoder.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <utility>

#include "WebSocketCloseBody.h"
#include "WebSocketMetrics.h"

namespace sluice::websocket {
namespace {

// A payload up to this size that cannot take its header in place is copied behind a new
// header: one small buffer costs less to write than two.
constexpr std::size_t kMaxCopiedPayload = 256;

std::size_t headerLength(std::size_t payloadLength, bool masked) noexcept {
  const std::size_t lengthBytes = payloadLength <= 125 ? 0 : payloadLength <= 0xFFFF ? 2 : 8;
  return 2 + lengthBytes + (masked ? 4 : 0);
}

// Writes the header into dst (headerLength(...) bytes). RFC 6455 5.2: the length uses the
// minimal number of bytes.
void writeHeader(std::uint8_t* dst, std::uint8_t firstByte, std::size_t payloadLength, bool masked,
                 std::uint32_t maskingKey) noexcept {
  dst[0] = firstByte;
  const std::uint8_t maskBit = masked ? 0x80 : 0x00;
  std::size_t i = 2;
  if (payloadLength <= 125) {
    dst[1] = static_cast<std::uint8_t>(maskBit | payloadLength);
  } else if (payloadLength <= 0xFFFF) {
    dst[1] = maskBit | 126;
    dst[2] = static_cast<std::uint8_t>(payloadLength >> 8);
    dst[3] = static_cast<std::uint8_t>(payloadLength);
    i = 4;
  } else {
    dst[1] = maskBit | 127;
    const std::uint64_t be = __builtin_bswap64(static_cast<std::uint64_t>(payloadLength));
    std::memcpy(dst + 2, &be, 8);
    i = 10;
  }
  if (masked) {
    std::memcpy(dst + i, &maskingKey, 4);
  }
}

std::uint64_t seed() {
  std::random_device device;
  const std::uint64_t s = (static_cast<std::uint64_t>(device()) << 32) | device();
  return s != 0 ? s : 0x9E3779B97F4A7C15ULL;  // xorshift needs a non-zero state
}

}  // namespace

WebSocket13FrameEncoder::WebSocket13FrameEncoder(WebSocketEncoderConfig config)
    : config_(config), random_(config.maskPayload ? seed() : 1) {}

std::uint32_t WebSocket13FrameEncoder::nextMaskingKey() noexcept {
  // xorshift64*: fast, and the high half of the product is well mixed.
  random_ ^= random_ >> 12;
  random_ ^= random_ << 25;
  random_ ^= random_ >> 27;
  return static_cast<std::uint32_t>((random_ * 0x2545F4914F6CDD1DULL) >> 32);
}

void WebSocket13FrameEncoder::encode(ChannelHandlerContext& ctx, WebSocketFrame& frame, Out& out) {
  const auto opcode = static_cast<std::uint8_t>(frame.opcode());
  ByteBuf& content = frame.content();
  if (frame.isControlFrame()) {
    // RFC 6455 5.5: control frames are never fragmented and carry at most 125 bytes.
    if (!frame.isFinalFragment() || content.readableBytes() > 125) {
      throw std::invalid_argument(
          "a WebSocket control frame must be final with a payload of at most 125 bytes");
    }
  }
  const auto rsvBits = static_cast<std::uint8_t>(frame.rsv() << 4);
  const std::size_t max = config_.maxFragmentPayloadLength;
  // Counted before the payload moves into the output.
  const std::size_t length = content.readableBytes();
  const bool whole = max == 0 || frame.isControlFrame() || length <= max;
  onEncoded(ctx, frame, whole ? 1 : (length + max - 1) / max);
  if (whole) {
    encodeFrame(ctx,
                static_cast<std::uint8_t>((frame.isFinalFragment() ? 0x80 : 0) | rsvBits | opcode),
                std::move(content), out);
    return;
  }
  // RFC 6455 5.4: the first fragment keeps the opcode (and the RSV bits, which extensions
  // such as permessage-deflate set on a message's first frame only); the others are
  // continuations; the last carries the frame's FIN.
  bool first = true;
  while (content.isReadable()) {
    const std::size_t n = std::min(max, content.readableBytes());
    ByteBuf part = content.readSlice(n);
    const bool last = !content.isReadable();
    const std::uint8_t fin = last && frame.isFinalFragment() ? 0x80 : 0;
    encodeFrame(ctx,
                first ? static_cast<std::uint8_t>(fin | rsvBits | opcode)
                      : static_cast<std::uint8_t>(fin | 0x0),
                std::move(part), out);
    first = false;
  }
}

void WebSocket13FrameEncoder::onEncoded(ChannelHandlerContext& ctx, const WebSocketFrame& frame,
                                        std::size_t wireFrames) {
  detail::WebSocketMetrics& metrics = detail::WebSocketMetrics::get();
  const WebSocketOpcode opcode = frame.opcode();
  metrics.frameSent(opcode).inc();
  if (wireFrames > 1) {
    metrics.frameSent(WebSocketOpcode::Continuation).inc(wireFrames - 1);
  }
  switch (opcode) {
    case WebSocketOpcode::Text:
    case WebSocketOpcode::Binary:
      binaryMessage_ = opcode == WebSocketOpcode::Binary;
      [[fallthrough]];
    case WebSocketOpcode::Continuation:
      if (frame.isFinalFragment()) {
        metrics.messageSent(binaryMessage_ ? WebSocketOpcode::Binary : WebSocketOpcode::Text).inc();
      }
      break;
    case WebSocketOpcode::Close:
      if (!std::exchange(closeSent_, true)) {
        // The first close frame of the connection: its code is recorded (who closes, and why,
        // is recorded by whoever decided to: a failure, a drain, a timeout; the frame
        // decoder knows from this code that the peer's close frame answers ours).
        // A close frame without a status code is reported as 1005 (RFC 6455 7.1.5).
        const int status = detail::closeStatusCode(frame.content());
        const int code = status < 0 ? WebSocketCloseStatus::kEmpty.code() : status;
        detail::countCloseCodeSent(code);
        ctx.channel().closeReason().recordSent(code, detail::closeReasonText(frame.content()));
      }
      break;
    default:
      break;
  }
}

void WebSocket13FrameEncoder::encodeFrame(ChannelHandlerContext& ctx, std::uint8_t firstByte,
                                          ByteBuf payload, Out& out) {
  const bool masked = config_.maskPayload;
  const std::size_t length = payload.readableBytes();
  const std::size_t header = headerLength(length, masked);
  const std::uint32_t maskingKey = masked ? nextMaskingKey() : 0;

  // canPrepend is true only for a unique buffer, so masking it in place is unobservable.
  if (payload.canPrepend(header)) {
    if (masked) {
      WebSocketUtil::mask(payload.readableSpan(), maskingKey);
    }
    writeHeader(payload.prepend(header).data(), firstByte, length, masked, maskingKey);
    out.emplace_back(std::move(payload));
    return;
  }
  if (masked || length <= kMaxCopiedPayload) {
    // One buffer: the header, then the payload copied (and masked in the same pass). A
    // masked payload that could not be prepended to may be shared: never mask it in place.
    ByteBuf buf = ctx.alloc().buffer(header + length);
    std::uint8_t* dst = buf.writableSpan().data();
    writeHeader(dst, firstByte, length, masked, maskingKey);
    if (masked) {
      WebSocketUtil::maskCopy(dst + header, payload.readableSpan(), maskingKey);
    } else if (length != 0) {
      std::memcpy(dst + header, payload.readableSpan().data(), length);
    }
    buf.writerIndex(header + length);
    out.emplace_back(std::move(buf));
    return;
  }
  ByteBuf buf = ctx.alloc().buffer(header);
  writeHeader(buf.writableSpan().data(), firstByte, length, false, 0);
  buf.writerIndex(header);
  out.emplace_back(std::move(buf));
  out.emplace_back(std::move(payload));
}

}  // namespace sluice::websocket
