// The cost of one pipeline hop: a ByteBuf fired through ten handlers that each pass it on,
// and through ten that do not override channelRead at all (skipped by the execution mask).

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>

namespace {

using sluice::ChannelHandlerContext;
using sluice::Message;

class Forward final : public sluice::ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    ctx.fireChannelRead(std::move(msg));
  }
};

class Skipped final : public sluice::ChannelInboundHandler {};

// Ends the pipeline, keeping the message so the loop measures hops, not the allocator.
class Sink final : public sluice::ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext&, Message msg) override { last = std::move(msg); }
  Message last;
};

template <typename Handler>
void BM_ChannelPipelineHops(benchmark::State& state) {
  const int hops = static_cast<int>(state.range(0));
  sluice::EmbeddedChannel ch;
  for (int i = 0; i < hops - 1; ++i) {
    ch.pipeline().addLast<Handler>();
  }
  Sink& sink = ch.pipeline().addLast<Sink>();
  sluice::ByteBuf buf = sluice::PooledByteBufAllocator::defaultAllocator().buffer(64);
  buf.writeZero(64);
  Message msg = std::move(buf);
  for (auto _ : state) {
    ch.pipeline().fireChannelRead(std::move(msg));
    msg = std::move(sink.last);
    benchmark::DoNotOptimize(msg);
  }
  state.SetItemsProcessed(state.iterations() * hops);  // items/s = hops per second
}
BENCHMARK_TEMPLATE(BM_ChannelPipelineHops, Forward)->Arg(1)->Arg(10);
BENCHMARK_TEMPLATE(BM_ChannelPipelineHops, Skipped)->Arg(10);

}  // namespace

BENCHMARK_MAIN();
