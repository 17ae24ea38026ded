// libFuzzer target: arbitrary bytes, split into reads at an arbitrary point, through an
// HAProxyMessageDecoder (required or optional, by the first byte). It must never crash,
// throw or read out of bounds; a header it accepts must encode back and decode to itself;
// and once it refuses, nothing more may pass it.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/haproxy/HAProxyMessageDecoder.h>
#include <sluice/codec/haproxy/HAProxyMessageEncoder.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>

namespace {

struct Seen {
  std::optional<sluice::HAProxyMessage> header;
  bool bytesAfterError = false;
  bool failed = false;
};

class Sink : public sluice::ChannelInboundHandler {
 public:
  explicit Sink(Seen* seen) : seen_(seen) {}
  void channelRead(sluice::ChannelHandlerContext&, sluice::Message msg) override {
    if (auto* header = msg.getIf<sluice::HAProxyMessage>()) {
      seen_->header = *header;
    } else if (seen_->failed) {
      seen_->bytesAfterError = true;
    }
  }
  void exceptionCaught(sluice::ChannelHandlerContext&, const sluice::Error&) override {
    seen_->failed = true;
  }

 private:
  Seen* seen_;
};

Seen decode(std::string_view input, std::size_t split, bool required) {
  Seen seen;
  sluice::EmbeddedChannel ch(std::make_unique<sluice::HAProxyMessageDecoder>(
                                 sluice::HAProxyMessageDecoderConfig{.required = required}),
                             std::make_unique<Sink>(&seen));
  ch.writeInbound(sluice::Unpooled::copiedBuffer(input.substr(0, split)));
  if (ch.isOpen()) {
    ch.writeInbound(sluice::Unpooled::copiedBuffer(input.substr(split)));
  }
  ch.finishAndReleaseAll();
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const bool required = (data[0] & 1) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t split = input.empty() ? 0 : data[1] % (input.size() + 1);
  const Seen seen = decode(input, split, required);
  if (seen.bytesAfterError) {
    std::abort();  // a refused connection passed bytes on
  }
  if (seen.header && seen.header->command == sluice::HAProxyCommand::Proxy) {
    sluice::ByteBuf encoded = sluice::Unpooled::buffer();
    sluice::HAProxyMessageEncoder::encode(*seen.header, encoded);
    const Seen again = decode(encoded.toStringView(), encoded.readableBytes(), true);
    if (!again.header || !(*again.header == *seen.header)) {
      std::abort();  // what was accepted does not survive its own encoding
    }
  }
  return 0;
}
