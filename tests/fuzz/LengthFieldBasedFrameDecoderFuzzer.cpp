// libFuzzer target: arbitrary bytes, split into reads at arbitrary points, through a
// LengthFieldBasedFrameDecoder whose configuration also comes from the input. The decoder
// must never crash, throw, or read out of bounds (ASan/UBSan), and every frame it produces
// must respect maxFrameLength.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/LengthFieldBasedFrameDecoder.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

namespace {

class Sink : public sluice::ChannelInboundHandler {
 public:
  explicit Sink(std::size_t maxFrameLength) : max_(maxFrameLength) {}
  void channelRead(sluice::ChannelHandlerContext&, sluice::Message msg) override {
    if (msg.get<sluice::ByteBuf>().readableBytes() > max_) {
      std::abort();  // a frame longer than allowed
    }
  }
  void exceptionCaught(sluice::ChannelHandlerContext&, const sluice::Error&) override {}

 private:
  std::size_t max_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) {
    return 0;
  }
  static constexpr std::size_t kFieldLengths[] = {1, 2, 3, 4, 8};
  const sluice::LengthFieldBasedFrameDecoderConfig config{
      .maxFrameLength = std::size_t{16} + data[0] % 240U,
      .lengthFieldOffset = std::size_t{data[1]} % 4U,
      .lengthFieldLength = kFieldLengths[data[2] % 5],
      .lengthAdjustment = static_cast<std::int8_t>(data[3]) / 8,
      .initialBytesToStrip = (std::size_t{data[2]} >> 3U) % 6U,
      .failFast = (data[1] & 0x80) != 0,
      .byteOrder =
          (data[1] & 0x40) != 0 ? sluice::ByteOrder::LittleEndian : sluice::ByteOrder::BigEndian,
  };
  const sluice::ByteToMessageDecoderConfig base{
      .cumulator = (data[3] & 1) != 0 ? sluice::Cumulator::Composite : sluice::Cumulator::Merge,
  };
  sluice::EmbeddedChannel ch(std::make_unique<sluice::LengthFieldBasedFrameDecoder>(config, base),
                             std::make_unique<Sink>(config.maxFrameLength));
  // The rest is the stream; each byte's low bits also decide where a read ends.
  std::span<const std::uint8_t> stream(data + 4, size - 4);
  std::size_t start = 0;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    if ((stream[i] & 0x7) == 0 || i + 1 == stream.size()) {
      ch.writeInbound(sluice::Unpooled::copiedBuffer(stream.subspan(start, i + 1 - start)));
      start = i + 1;
    }
  }
  ch.finishAndReleaseAll();
  return 0;
}
