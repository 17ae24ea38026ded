#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/buffer/CompositeByteBuf.h>
#include <sluice/channel/Channel.h>
#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/codec/CodecError.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace sluice {

ByteToMessageDecoder::ByteToMessageDecoder(ByteToMessageDecoderConfig config) : config_(config) {
  setDiscardAfterReads(config.discardAfterReads);
}

void ByteToMessageDecoder::setDiscardAfterReads(int reads) {
  if (reads <= 0) {
    throw std::invalid_argument("discardAfterReads must be > 0");
  }
  config_.discardAfterReads = reads;
}

void ByteToMessageDecoder::cumulate(ChannelHandlerContext& ctx, ByteBuf data) {
  if (!cumulation_.isReadable()) {
    // Nothing pending: the incoming buffer is the cumulation, with no copy.
    cumulation_ = std::move(data);
    return;
  }
  if (!data.isReadable()) {
    return;
  }
  const std::size_t incoming = data.readableBytes();
  if (config_.cumulator == Cumulator::Merge) {
    // Write in place only when nobody else sees this memory (a frame sliced out of it
    // still does) and the buffer can take the bytes without reallocating what was read.
    if (cumulation_.isUnique() && cumulation_.maxWritableBytes() >= incoming) {
      if (cumulation_.writableBytes() < incoming && cumulation_.readerIndex() > 0) {
        cumulation_.discardReadBytes();
      }
      cumulation_.writeBytes(data);
      return;
    }
    const std::size_t pending = cumulation_.readableBytes();
    ByteBuf merged = ctx.alloc().buffer(pending + incoming);
    merged.writeBytes(cumulation_);
    merged.writeBytes(data);
    cumulation_ = std::move(merged);
    return;
  }
  CompositeByteBuf composite = ctx.alloc().compositeBuffer(2);
  composite.addComponent(std::move(cumulation_));
  composite.addComponent(std::move(data));
  cumulation_ = composite.release();
}

void ByteToMessageDecoder::channelRead(ChannelHandlerContext& ctx, Message msg) {
  if (!msg.isExactly<ByteBuf>()) {
    ctx.fireChannelRead(std::move(msg));
    return;
  }
  Out local;
  Out& out = depth_ == 0 ? out_ : local;
  ++depth_;
  try {
    cumulate(ctx, msg.take<ByteBuf>());
    callDecode(ctx, cumulation_, out);
  } catch (...) {
    fireOutAndErrors(ctx, out);
    --depth_;
    ctx.fireExceptionCaught(
        Error(CodecErrc::DecoderException, Error::fromCurrentException().message()));
    return;
  }
  // depth_ stays raised while `out` is fired: a handler that closes the channel re-enters
  // channelInactive, which must then decode into its own Out, not the one being fired.
  fireOutAndErrors(ctx, out);
  --depth_;
  if (!cumulation_.isReadable()) {
    releaseCumulationIfDrained();
    numReads_ = 0;
  } else if (++numReads_ >= config_.discardAfterReads) {
    numReads_ = 0;
    discardSomeReadBytes();
  }
}

void ByteToMessageDecoder::channelReadComplete(ChannelHandlerContext& ctx) {
  numReads_ = 0;
  discardSomeReadBytes();
  if (!firedChannelRead_ && !ctx.channel().config().isAutoRead()) {
    // Nothing came of this burst and nobody will ask for more: ask, or the channel stalls.
    ctx.read();
  }
  firedChannelRead_ = false;
  ctx.fireChannelReadComplete();
}

void ByteToMessageDecoder::channelInactive(ChannelHandlerContext& ctx) {
  Out local;
  Out& out = depth_ == 0 ? out_ : local;
  ++depth_;
  try {
    if (cumulation_.isReadable()) {
      callDecode(ctx, cumulation_, out);
    }
    if (!ctx.isRemoved()) {
      decodeRemovalReentryProtection(ctx, cumulation_, out, true);
    }
  } catch (...) {
    fireOutAndErrors(ctx, out);
    ctx.fireExceptionCaught(
        Error(CodecErrc::DecoderException, Error::fromCurrentException().message()));
  }
  const bool fired = !out.empty();
  fireOutAndErrors(ctx, out);
  --depth_;
  cumulation_ = ByteBuf();
  if (fired) {
    ctx.fireChannelReadComplete();
  }
  ctx.fireChannelInactive();
}

void ByteToMessageDecoder::handlerRemoved(ChannelHandlerContext& ctx) {
  if (decodeState_ == DecodeState::Calling) {
    decodeState_ = DecodeState::RemovedPending;
    return;
  }
  ByteBuf rest = std::move(cumulation_);
  numReads_ = 0;
  if (rest.isReadable()) {
    ctx.fireChannelRead(std::move(rest));
    ctx.fireChannelReadComplete();
  }
  handlerRemoved0(ctx);
}

void ByteToMessageDecoder::decodeLast(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  if (in.isReadable()) {
    decode(ctx, in, out);
  }
}

void ByteToMessageDecoder::callDecode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  while (in.isReadable()) {
    if (!out.empty() || !pendingErrors_.empty()) {
      fireOutAndErrors(ctx, out);
      // A handler after this one may have removed it: stop touching the buffer then.
      if (ctx.isRemoved()) {
        break;
      }
    }
    const std::size_t oldLength = in.readableBytes();
    decodeRemovalReentryProtection(ctx, in, out, false);
    if (ctx.isRemoved()) {
      break;
    }
    if (out.empty() && pendingErrors_.empty()) {
      if (oldLength == in.readableBytes()) {
        break;  // needs more bytes
      }
      continue;
    }
    if (oldLength == in.readableBytes()) {
      if (out.empty()) {
        break;  // reported an error without reading: wait for more input
      }
      fail(Error(CodecErrc::DecoderException,
                 "decode() produced a message without reading anything"));
      fireOutAndErrors(ctx, out);
      break;
    }
    if (config_.singleDecode) {
      break;
    }
  }
}

void ByteToMessageDecoder::decodeRemovalReentryProtection(ChannelHandlerContext& ctx, ByteBuf& in,
                                                          Out& out, bool last) {
  decodeState_ = DecodeState::Calling;
  try {
    if (last) {
      decodeLast(ctx, in, out);
    } else {
      decode(ctx, in, out);
    }
  } catch (...) {
    const bool removePending = decodeState_ == DecodeState::RemovedPending;
    decodeState_ = DecodeState::Init;
    if (removePending) {
      fireOutAndErrors(ctx, out);
      handlerRemoved(ctx);
    }
    throw;
  }
  const bool removePending = decodeState_ == DecodeState::RemovedPending;
  decodeState_ = DecodeState::Init;
  if (removePending) {
    // The decoder removed itself: what it decoded goes first, then the rest of the bytes.
    fireOutAndErrors(ctx, out);
    handlerRemoved(ctx);
  }
}

void ByteToMessageDecoder::fireOutAndErrors(ChannelHandlerContext& ctx, Out& out) {
  if (!out.empty()) {
    firedChannelRead_ = true;
    // By index: a handler downstream may re-enter channelRead, which then uses its own Out.
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
      ctx.fireChannelRead(std::move(out[i]));
    }
    out.clear();
  }
  if (!pendingErrors_.empty()) {
    std::vector<Error> errors = std::move(pendingErrors_);
    pendingErrors_.clear();
    for (const Error& e : errors) {
      ctx.fireExceptionCaught(e);
    }
  }
}

void ByteToMessageDecoder::discardSomeReadBytes() {
  // Only a buffer nobody else sees may have its bytes moved: slices handed on point into it.
  if (cumulation_.isReadable() && cumulation_.readerIndex() > 0 && cumulation_.isUnique()) {
    cumulation_.discardReadBytes();
  }
}

void ByteToMessageDecoder::releaseCumulationIfDrained() {
  if (!cumulation_.isReadable()) {
    cumulation_ = ByteBuf();
  }
}

}  // namespace sluice
