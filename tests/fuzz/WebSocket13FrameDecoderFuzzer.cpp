// libFuzzer target: arbitrary bytes through a WebSocket13FrameDecoder in server or client
// mode. The first input byte picks the mode and limits, the second where to split; the rest
// is fed whole, then split in two at that point, and both runs must produce the same frames,
// the same error and the same close frame.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/websocket/WebSocket13FrameDecoder.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace sluice;             // NOLINT(google-build-using-namespace)
using namespace sluice::websocket;  // NOLINT(google-build-using-namespace)

std::string render(const WebSocketFrame& f) {
  return std::to_string(static_cast<int>(f.opcode())) + (f.isFinalFragment() ? "F" : "-") +
         std::to_string(f.rsv()) + ":" + f.content().toString();
}

class Recorder : public ChannelInboundHandler {
 public:
  explicit Recorder(std::vector<std::string>* events) : events_(events) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    const auto* f = msg.getIf<WebSocketFrame>();
    if (f == nullptr) {
      std::abort();  // the decoder emits frames only
    }
    if (f->isControlFrame() && f->content().readableBytes() > 125) {
      std::abort();  // RFC 6455 5.5
    }
    events_->push_back(render(*f));
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    events_->push_back("E " + error.message());
  }

 private:
  std::vector<std::string>* events_;
};

std::vector<std::string> run(const WebSocketDecoderConfig& config,
                             const std::vector<std::string_view>& chunks) {
  std::vector<std::string> events;
  {
    EmbeddedChannel ch(std::make_unique<WebSocket13FrameDecoder>(config),
                       std::make_unique<Recorder>(&events));
    for (std::string_view c : chunks) {
      if (!ch.isOpen()) {
        break;
      }
      ch.writeInbound(Unpooled::copiedBuffer(c));
    }
    for (Message& m : ch.outboundMessages()) {
      events.push_back("SENT " + render(m.get<WebSocketFrame>()));
    }
    events.push_back(ch.isOpen() ? "OPEN" : "CLOSED");
    ch.finishAndReleaseAll();
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::uint8_t mode = data[0];
  WebSocketDecoderConfig config{
      .maxFramePayloadLength = (mode & 4) != 0 ? std::size_t{200} : std::size_t{65536},
      .maxMessageLength = (mode & 4) != 0 ? std::size_t{500} : std::size_t{1024 * 1024},
      .expectMaskedFrames = (mode & 1) == 0,  // server by default, client with bit 0
      .allowMaskMismatch = (mode & 8) != 0,
      .allowExtensions = (mode & 2) != 0,
      .closeOnProtocolViolation = (mode & 16) == 0,
      .withUTF8Validator = (mode & 32) == 0,
  };
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t split = input.empty() ? 0 : data[1] % (input.size() + 1);
  const auto whole = run(config, {input});
  const auto halves = run(config, {input.substr(0, split), input.substr(split)});
  if (whole != halves) {
    std::abort();  // split invariance
  }
  return 0;
}
