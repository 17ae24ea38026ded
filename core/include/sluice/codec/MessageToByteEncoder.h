#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/EncodedMessage.h>

#include <utility>

namespace sluice {

/// Encodes outbound messages of type I (and its subtypes) into one ByteBuf each (Netty's
/// MessageToByteEncoder<I>). Other messages, and EncodedMessage always, pass through
/// untouched.
///
/// The message is released once encode() returns; the buffer comes from allocateBuffer()
/// (the channel's allocator by default) and is written with the original promise. If
/// encode() throws, nothing is written and the promise fails with
/// CodecErrc::EncoderException carrying the exception's text. Thread: the loop.
template <typename I>
class MessageToByteEncoder : public ChannelOutboundHandler {
 public:
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    I* typed = msg.isExactly<EncodedMessage>() ? nullptr : msg.getIf<I>();
    if (typed == nullptr || !acceptOutboundMessage(*typed)) {
      ctx.write(std::move(msg), std::move(promise));
      return;
    }
    ByteBuf buf;
    try {
      buf = allocateBuffer(ctx, *typed);
      encode(ctx, *typed, buf);
    } catch (...) {
      promise.tryFailure(
          Error(CodecErrc::EncoderException, Error::fromCurrentException().message()));
      return;
    }
    msg.reset();  // released before the bytes travel on, as Netty does
    ctx.write(std::move(buf), std::move(promise));
  }

 protected:
  /// Writes `msg`'s encoding into `out`.
  virtual void encode(ChannelHandlerContext& ctx, I& msg, ByteBuf& out) = 0;
  /// The buffer encode() writes into; override to size it or to reserve headroom.
  virtual ByteBuf allocateBuffer(ChannelHandlerContext& ctx, const I& msg) {
    (void)msg;
    return ctx.alloc().buffer();
  }
  /// Narrows what is encoded beyond the type test; true by default.
  virtual bool acceptOutboundMessage(const I& msg) {
    (void)msg;
    return true;
  }
};

}  // namespace sluice
