// ChannelGroup broadcast to 1,000 EmbeddedChannels: the message is encoded once and each
// member writes a duplicate of it. Each member's head is a "wire" that takes the bytes at
// once, so the figure is the broadcast, not EmbeddedChannel's outbound queue.

#include <benchmark/benchmark.h>
#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/channel/group/ChannelGroup.h>

#include <memory>
#include <vector>

namespace {

class Wire : public sluice::ChannelOutboundHandler {
 public:
  void write(sluice::ChannelHandlerContext&, sluice::Message msg,
             sluice::ChannelPromise promise) override {
    benchmark::DoNotOptimize(msg.get<sluice::ByteBuf>().readableBytes());
    promise.trySuccess();
  }
};

void run(benchmark::State& state, bool voidPromise) {
  const auto members = static_cast<int>(state.range(0));
  std::vector<std::shared_ptr<sluice::EmbeddedChannel>> channels;
  sluice::ChannelGroup group;
  for (int i = 0; i < members; ++i) {
    channels.push_back(std::make_shared<sluice::EmbeddedChannel>(std::make_unique<Wire>()));
    group.add(channels.back());
  }
  const auto encode = [](sluice::ByteBufAllocator& alloc) {
    sluice::ByteBuf b = alloc.buffer(128);
    b.writeZero(100);
    return b;
  };
  for (auto _ : state) {
    sluice::ChannelGroupFuture f = group.writeAndFlush(encode, {.voidPromise = voidPromise});
    benchmark::DoNotOptimize(f.isSuccess());
  }
  state.SetItemsProcessed(state.iterations() * members);  // member writes
}

void BM_ChannelGroupBroadcastVoidPromise(benchmark::State& state) { run(state, true); }
void BM_ChannelGroupBroadcastWithPromises(benchmark::State& state) { run(state, false); }

BENCHMARK(BM_ChannelGroupBroadcastVoidPromise)->Arg(1000);
BENCHMARK(BM_ChannelGroupBroadcastWithPromises)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
