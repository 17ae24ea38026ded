#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/codec/MessageToMessageDecoder.h>
#include <sluice/codec/MessageToMessageEncoder.h>

#include <utility>
#include <vector>

namespace sluice {

/// A decoder and an encoder in one handler (Netty's MessageToMessageCodec<INBOUND_IN,
/// OUTBOUND_IN>): inbound messages of type InboundIn go through decode(), outbound
/// messages of type OutboundIn through encode(), each as MessageToMessageDecoder and
/// MessageToMessageEncoder do (EncodedMessage passes through untouched). Thread: the loop.
template <typename InboundIn, typename OutboundIn>
class MessageToMessageCodec : public ChannelDuplexHandler {
 public:
  using Out = std::vector<Message>;

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    InboundIn* typed = msg.getIf<InboundIn>();
    if (typed == nullptr || !acceptInboundMessage(*typed)) {
      ctx.fireChannelRead(std::move(msg));
      return;
    }
    Out out;
    try {
      decode(ctx, *typed, out);
    } catch (...) {
      fire(ctx, out);
      throw;
    }
    msg.reset();
    fire(ctx, out);
  }

  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    OutboundIn* typed = msg.isExactly<EncodedMessage>() ? nullptr : msg.getIf<OutboundIn>();
    if (typed == nullptr || !acceptOutboundMessage(*typed)) {
      ctx.write(std::move(msg), std::move(promise));
      return;
    }
    Out out;
    try {
      encode(ctx, *typed, out);
    } catch (...) {
      promise.tryFailure(
          Error(CodecErrc::EncoderException, Error::fromCurrentException().message()));
      return;
    }
    msg.reset();
    detail::writeEncoded(ctx, out, std::move(promise));
  }

 protected:
  virtual void decode(ChannelHandlerContext& ctx, InboundIn& msg, Out& out) = 0;
  virtual void encode(ChannelHandlerContext& ctx, OutboundIn& msg, Out& out) = 0;
  virtual bool acceptInboundMessage(const InboundIn& msg) {
    (void)msg;
    return true;
  }
  virtual bool acceptOutboundMessage(const OutboundIn& msg) {
    (void)msg;
    return true;
  }

 private:
  static void fire(ChannelHandlerContext& ctx, Out& out) {
    for (Message& m : out) {
      ctx.fireChannelRead(std::move(m));
    }
    out.clear();
  }
};

}  // namespace sluice
