#pragma once

#include <sluice/channel/ChannelInboundHandler.h>

#include <utility>
#include <vector>

namespace sluice {

/// Decodes inbound messages of type I (and its subtypes) into zero or more other messages
/// (Netty's MessageToMessageDecoder<I>); other messages pass on untouched.
///
/// The messages decode() appends are fired in order once it returns, and the input is
/// released. If decode() throws, what it produced is still fired and the pipeline reports
/// the exception to the next handlers. The output vector is a member, reused from message
/// to message. Thread: the loop.
template <typename I>
class MessageToMessageDecoder : public ChannelInboundHandler {
 public:
  using Out = std::vector<Message>;

  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    I* typed = msg.getIf<I>();
    if (typed == nullptr || !acceptInboundMessage(*typed)) {
      ctx.fireChannelRead(std::move(msg));
      return;
    }
    Out local;
    Out& out = busy_ ? local : out_;
    busy_ = true;
    struct Fire {
      ChannelHandlerContext& ctx;
      Out& out;
      bool& busy;
      bool owner;
      ~Fire() {
        // By index, and still busy: a handler downstream may re-enter channelRead.
        const std::size_t n = out.size();
        for (std::size_t i = 0; i < n; ++i) {
          ctx.fireChannelRead(std::move(out[i]));
        }
        out.clear();
        if (owner) {
          busy = false;
        }
      }
    } fire{ctx, out, busy_, &out == &out_};
    decode(ctx, *typed, out);
  }

 protected:
  /// Appends what `msg` decodes to to `out`. Move what is reused out of `msg`.
  virtual void decode(ChannelHandlerContext& ctx, I& msg, Out& out) = 0;
  virtual bool acceptInboundMessage(const I& msg) {
    (void)msg;
    return true;
  }

 private:
  Out out_;
  bool busy_ = false;
};

}  // namespace sluice
