#pragma once

#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/EncodedMessage.h>
#include <sluice/codec/PromiseCombiner.h>

#include <utility>
#include <vector>

namespace sluice {

namespace detail {

// Writes `out` with one promise: directly when there is one message, else through a
// PromiseCombiner. Shared by MessageToMessageEncoder and MessageToMessageCodec.
inline void writeEncoded(ChannelHandlerContext& ctx, std::vector<Message>& out,
                         ChannelPromise promise) {
  if (out.empty()) {
    promise.trySuccess();  // nothing to write is a successful write, as in Netty
    return;
  }
  if (out.size() == 1) {
    Message m = std::move(out.front());
    out.clear();
    ctx.write(std::move(m), std::move(promise));
    return;
  }
  std::vector<Message> msgs = std::move(out);
  out.clear();
  if (promise.isVoid()) {
    for (Message& m : msgs) {
      ctx.write(std::move(m), ctx.voidPromise());
    }
    return;
  }
  PromiseCombiner combiner;
  for (Message& m : msgs) {
    combiner.add(ctx.write(std::move(m)));
  }
  combiner.finish(std::move(promise));
}

}  // namespace detail

/// Encodes outbound messages of type I into zero or more other messages (Netty's
/// MessageToMessageEncoder<I>). Other messages, and EncodedMessage always, pass through
/// untouched.
///
/// The write's promise completes when every produced message has been written (success,
/// or the first failure); producing nothing completes it with success. If encode()
/// throws, nothing is written and the promise fails with CodecErrc::EncoderException.
/// Thread: the loop.
template <typename I>
class MessageToMessageEncoder : public ChannelOutboundHandler {
 public:
  using Out = std::vector<Message>;

  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override {
    I* typed = msg.isExactly<EncodedMessage>() ? nullptr : msg.getIf<I>();
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
  /// Appends `msg`'s encoding to `out`. Move what is reused out of `msg`.
  virtual void encode(ChannelHandlerContext& ctx, I& msg, Out& out) = 0;
  virtual bool acceptOutboundMessage(const I& msg) {
    (void)msg;
    return true;
  }
};

}  // namespace sluice
