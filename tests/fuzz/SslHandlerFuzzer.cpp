// libFuzzer target: arbitrary bytes, split into reads at points the input chooses, sent to a
// server SslHandler (and to an SniHandler's ClientHello parser). Neither may crash, throw,
// leak or read out of bounds (ASan/UBSan); bad input ends in an SslErrc error and a closed
// channel, never in plaintext fired up the pipeline before a handshake completed.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SniHandler.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

namespace {

class Sink : public sluice::ChannelInboundHandler {
 public:
  explicit Sink(const sluice::SslHandler* ssl) : ssl_(ssl) {}
  void channelRead(sluice::ChannelHandlerContext&, sluice::Message) override {
    if (!ssl_->isHandshakeComplete()) {
      std::abort();  // plaintext before the peer was authenticated
    }
  }
  void exceptionCaught(sluice::ChannelHandlerContext&, const sluice::Error& error) override {
    if (error.code().category() != sluice::sslCategory()) {
      std::abort();  // every failure is a TLS one
    }
  }
  void userEventTriggered(sluice::ChannelHandlerContext&, sluice::Message) override {}

 private:
  const sluice::SslHandler* ssl_;
};

const std::shared_ptr<const sluice::SslContext>& serverContext() {
  static const std::shared_ptr<const sluice::SslContext> context = [] {
    sluice::SelfSignedCertificate cert;
    return sluice::SslContextBuilder::forServer(cert.certificatePem(), cert.privateKeyPem())
        .build();
  }();
  return context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string hostname;
  (void)sluice::SniHandler::parseClientHello(std::span(data, size), hostname);
  if (hostname.size() > 255) {
    std::abort();
  }

  auto handler = serverContext()->newHandler();
  const sluice::SslHandler* ssl = handler.get();
  sluice::EmbeddedChannel ch(std::move(handler), std::make_unique<Sink>(ssl));
  // The first byte picks the read size, so records arrive whole, split, or byte by byte.
  const std::size_t step = size == 0 ? 1 : std::size_t{data[0]} * 7 + 1;
  for (std::size_t off = 0; off < size && ch.isOpen(); off += step) {
    const std::size_t n = std::min(step, size - off);
    ch.pipeline().fireChannelRead(
        sluice::Unpooled::copiedBuffer(std::span<const std::uint8_t>(data + off, n)));
    ch.pipeline().fireChannelReadComplete();
    ch.runPendingTasks();
  }
  ch.finishAndReleaseAll();
  return 0;
}
