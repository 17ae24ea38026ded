// libFuzzer target: arbitrary bytes as a server's answer to a WebSocket client's opening
// handshake, into the client pipeline users build (HttpClientCodec, HttpObjectAggregator,
// WebSocketClientProtocolHandler). "{ACCEPT}" in the input is replaced by the accept key of
// the request's random key, so that inputs reach the frame decoder after a valid 101.
//
// The first input byte says where to split the rest into two reads. Checked: nothing
// crashes or leaks (the sanitizers); no frame reaches the application before
// HandshakeComplete; the handshake future is done once the channel closed, succeeded exactly
// when HandshakeComplete fired, and a success leaves the frame codec in the pipeline.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/websocket/WebSocketClientHandshaker13.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

using namespace sluice;             // NOLINT(google-build-using-namespace)
using namespace sluice::websocket;  // NOLINT(google-build-using-namespace)

struct State {
  bool complete = false;
  int frames = 0;
};

class Recorder : public ChannelInboundHandler {
 public:
  explicit Recorder(State* state) : state_(state) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    const auto* f = msg.getIf<WebSocketFrame>();
    if (f == nullptr || !state_->complete) {
      std::abort();  // only frames, and only after the handshake
    }
    if (f->isControlFrame() && f->content().readableBytes() > 125) {
      std::abort();  // RFC 6455 5.5
    }
    ++state_->frames;
  }
  void userEventTriggered(ChannelHandlerContext&, Message event) override {
    using E = WebSocketClientProtocolHandler::ClientHandshakeStateEvent;
    if (const auto* e = event.getIf<E>(); e != nullptr && *e == E::HandshakeComplete) {
      state_->complete = true;
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error&) override {}

 private:
  State* state_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  State state;
  EmbeddedChannel ch(std::make_unique<http::HttpClientCodec>(),
                     std::make_unique<http::HttpObjectAggregator>(4096),
                     std::make_unique<WebSocketClientProtocolHandler>(WebSocketClientProtocolConfig{
                         .webSocketUri = "ws://fuzz.example/ws", .subprotocols = {"chat"}}),
                     std::make_unique<Recorder>(&state));
  auto* handler = ch.pipeline().get<WebSocketClientProtocolHandler>();
  const auto& handshaker = dynamic_cast<const WebSocketClientHandshaker13&>(handler->handshaker());
  ch.releaseOutbound();

  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string accept = WebSocketUtil::acceptKey(handshaker.key());
  for (std::size_t at = input.find("{ACCEPT}"); at != std::string::npos;
       at = input.find("{ACCEPT}", at + accept.size())) {
    input.replace(at, 8, accept);
  }
  const std::size_t split = input.empty() ? 0 : data[0] % (input.size() + 1);
  const std::string_view chunks[] = {std::string_view(input).substr(0, split),
                                     std::string_view(input).substr(split)};
  for (std::string_view c : chunks) {
    if (ch.isOpen() && !c.empty()) {
      ch.writeInbound(Unpooled::copiedBuffer(c));
    }
  }
  ch.releaseOutbound();
  const ChannelFuture done = handler->handshakeFuture();
  if (done.isDone() && done.isSuccess() != state.complete) {
    std::abort();
  }
  if (state.complete && ch.isOpen() && ch.pipeline().context("wsdecoder") == nullptr) {
    std::abort();
  }
  ch.finishAndReleaseAll();
  if (!done.isDone()) {
    std::abort();  // closing settles the handshake
  }
  return 0;
}
