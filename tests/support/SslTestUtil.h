#pragma once

// Two EmbeddedChannels that talk TLS to each other: each has an SslHandler and a recorder
// of user events and errors; pump() carries the records one flushed to the other until
// neither has anything left to say.

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

/// Records handshake and close events and errors; passes reads on to the tail.
struct SslEventRecorder : ChannelInboundHandler {
  std::vector<SslHandshakeCompletionEvent> handshakes;
  std::vector<SslCloseCompletionEvent> closes;
  std::vector<Error> errors;

  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (auto* h = event.getIf<SslHandshakeCompletionEvent>()) {
      handshakes.push_back(*h);
    } else if (auto* c = event.getIf<SslCloseCompletionEvent>()) {
      closes.push_back(*c);
    } else {
      ctx.fireUserEventTriggered(std::move(event));
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    errors.push_back(error);
  }
};

/// One end: a channel with an SslHandler first and a recorder after it.
struct SslEnd {
  explicit SslEnd(std::unique_ptr<SslHandler> h) {
    handler = h.get();
    auto r = std::make_unique<SslEventRecorder>();
    recorder = r.get();
    channel = std::make_unique<EmbeddedChannel>(std::move(h), std::move(r));
  }

  /// The plaintext received so far, concatenated (and released).
  std::string received() {
    std::string s;
    while (Message m = channel->readInbound()) {
      s.append(m.get<ByteBuf>().toStringView());
    }
    return s;
  }

  std::unique_ptr<EmbeddedChannel> channel;
  SslHandler* handler = nullptr;
  SslEventRecorder* recorder = nullptr;
};

/// Moves what `from` flushed into `to`; returns how many buffers moved. Records sent to a
/// closed channel are dropped.
inline std::size_t transfer(EmbeddedChannel& from, EmbeddedChannel& to) {
  std::size_t moved = 0;
  while (Message m = from.readOutbound()) {
    ++moved;
    if (to.isOpen()) {
      to.pipeline().fireChannelRead(std::move(m));
      to.pipeline().fireChannelReadComplete();
    }
  }
  to.runPendingTasks();
  return moved;
}

/// Carries records both ways until both sides are quiet.
inline void pump(SslEnd& a, SslEnd& b) {
  for (int i = 0; i < 1000; ++i) {
    if (transfer(*a.channel, *b.channel) + transfer(*b.channel, *a.channel) == 0) {
      return;
    }
  }
  ADD_FAILURE() << "the TLS conversation did not settle";
}

/// The certificates most tests use: a CA and a "localhost" certificate it issued, and a
/// second CA that issued nothing the tests trust.
struct TestPki {
  SelfSignedCertificate ca{SelfSignedCertificateConfig{.commonName = "sluice test CA", .ca = true}};
  SelfSignedCertificate server = ca.issue({.commonName = "localhost"});
  SelfSignedCertificate client =
      ca.issue({.commonName = "test client", .hostNames = {}, .ipAddresses = {}});
  SelfSignedCertificate otherCa{
      SelfSignedCertificateConfig{.commonName = "another CA", .ca = true}};

  SslContextBuilder serverBuilder() const {
    return SslContextBuilder::forServer(server.certificatePem(), server.privateKeyPem());
  }
  SslContextBuilder clientBuilder() const {
    return SslContextBuilder::forClient().trustManager(ca.certificatePem());
  }
};

}  // namespace sluice::testing
