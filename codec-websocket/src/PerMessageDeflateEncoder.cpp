#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/websocket/PerMessageDeflateEncoder.h>
#include <sluice/websocket/UncompressedWebSocketFrame.h>
#include <sluice/websocket/WebSocketExtension.h>

#include <exception>
#include <utility>

#include "WebSocketDataFrame.h"

namespace sluice::websocket {
namespace {

using detail::makeDataFrame;

constexpr int kRsv1 = WebSocketExtension::kRsv1;

// Room for the compressed bytes before the first growth: text shrinks to well under half;
// libdeflate wants its worst-case bound at once.
std::size_t outputGuess(std::size_t n, bool streaming) {
  return streaming ? n / 2 + 64 : n + n / 16 + 64;
}

}  // namespace

PerMessageDeflateEncoder::PerMessageDeflateEncoder(PerMessageDeflateEncoderConfig config)
    : config_(config), deflater_(newMessageDeflater(config.deflater, config.engine)) {}

PerMessageDeflateEncoder::~PerMessageDeflateEncoder() = default;

std::size_t PerMessageDeflateEncoder::retainedBytes() const noexcept {
  return deflater_->retainedBytes();
}

ByteBuf PerMessageDeflateEncoder::compress(ChannelHandlerContext& ctx, const ByteBuf& content,
                                           bool endOfMessage) {
  MessageDeflater* engine = deflater_.get();
  if (!engine->streaming() && (!endOfMessage || state_ == State::Compressing)) {
    if (!streaming_) {
      streaming_ = newMessageDeflater(config_.deflater, DeflateEngineKind::Zlib);
    }
    engine = streaming_.get();
  }
  ByteBuf out = ctx.alloc().bufferWithHeadroom(
      WebSocketFrame::kMaxHeaderSize, outputGuess(content.readableBytes(), engine->streaming()));
  engine->deflate(content.readableSpan(), out, endOfMessage);
  return out;
}

void PerMessageDeflateEncoder::write(ChannelHandlerContext& ctx, Message msg,
                                     ChannelPromise promise) {
  WebSocketFrame* frame = msg.isExactly<EncodedMessage>() ? nullptr : msg.getIf<WebSocketFrame>();
  if (frame == nullptr || frame->isControlFrame()) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  const bool fin = frame->isFinalFragment();
  const WebSocketOpcode opcode = frame->opcode();
  if (opcode != WebSocketOpcode::Continuation) {
    // The first frame of a message decides how all of it goes out.
    const bool skip = msg.isExactly<UncompressedWebSocketFrame>() || (frame->rsv() & kRsv1) != 0 ||
                      (fin && frame->content().readableBytes() < config_.compressionThreshold);
    if (skip) {
      state_ = fin ? State::Idle : State::PassingThrough;
      ctx.write(std::move(msg), std::move(promise));
      return;
    }
  } else if (state_ != State::Compressing) {
    // A continuation of an uncompressed message, or one with no message to continue
    // (left to the frame encoder and the peer to judge).
    if (fin) {
      state_ = State::Idle;
    }
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  ByteBuf compressed;
  try {
    compressed = compress(ctx, frame->content(), fin);
  } catch (const std::exception& e) {
    promise.tryFailure(Error(CodecErrc::EncoderException,
                             std::string("permessage-deflate: ") + e.what(),
                             std::current_exception()));
    return;
  }
  // RFC 7692 6.1: RSV1 on the first frame of a compressed message only.
  const int rsv = opcode == WebSocketOpcode::Continuation ? frame->rsv() : frame->rsv() | kRsv1;
  state_ = fin ? State::Idle : State::Compressing;
  ctx.write(makeDataFrame(opcode, fin, rsv, std::move(compressed)), std::move(promise));
}

ByteBuf PerMessageDeflateEncoder::compressMessage(const PerMessageDeflateEncoderConfig& config,
                                                  std::span<const std::uint8_t> payload) {
  MessageDeflaterConfig c = config.deflater;
  c.noContextTakeover = true;
  std::unique_ptr<MessageDeflater> engine = newMessageDeflater(c, config.engine);
  ByteBuf out = ByteBufAllocator::defaultAllocator().bufferWithHeadroom(
      WebSocketFrame::kMaxHeaderSize, outputGuess(payload.size(), engine->streaming()));
  engine->deflate(payload, out, true);
  return out;
}

}  // namespace sluice::websocket
