#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/codec/CodecError.h>
#include <sluice/codec/haproxy/HAProxyMessageDecoder.h>
#include <sluice/codec/haproxy/HAProxyMessageEncoder.h>

#include <string>
#include <vector>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

class HAProxyMessageDecoderTest : public testing::SluiceTest {};

// What reaches the handler behind the decoder: headers, the stream's bytes, errors.
struct Seen {
  std::vector<HAProxyMessage> headers;
  std::string bytes;
  std::vector<Error> errors;
};

class Recorder : public ChannelInboundHandler {
 public:
  explicit Recorder(Seen* seen) : seen_(seen) {}
  void channelRead(ChannelHandlerContext&, Message msg) override {
    if (auto* header = msg.getIf<HAProxyMessage>()) {
      seen_->headers.push_back(*header);
    } else if (auto* bytes = msg.getIf<ByteBuf>()) {
      seen_->bytes += bytes->toString();
    }
  }
  void exceptionCaught(ChannelHandlerContext&, const Error& error) override {
    seen_->errors.push_back(error);
  }

 private:
  Seen* seen_;
};

struct Decoded {
  Seen seen;
  bool open = true;
  CloseReason reason;
  bool decoderStayed = false;
};

// Feeds `input` in pieces of `step` bytes (0: all at once).
Decoded decode(std::string_view input, std::size_t step = 0,
               HAProxyMessageDecoderConfig config = {}) {
  Decoded run;
  EmbeddedChannel ch(std::make_unique<HAProxyMessageDecoder>(config),
                     std::make_unique<Recorder>(&run.seen));
  const std::size_t n = step == 0 ? input.size() : step;
  for (std::size_t at = 0; at < input.size() && ch.isOpen(); at += n) {
    ch.writeInbound(Unpooled::copiedBuffer(input.substr(at, n)));
  }
  run.open = ch.isOpen();
  run.reason = ch.closeReason();
  run.decoderStayed = ch.pipeline().get<HAProxyMessageDecoder>() != nullptr;
  ch.finishAndReleaseAll();
  return run;
}

// The same result however the input is split.
Decoded decodeAtEverySplit(std::string_view input, HAProxyMessageDecoderConfig config = {}) {
  Decoded whole = decode(input, 0, config);
  for (std::size_t step :
       {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{13}}) {
    Decoded split = decode(input, step, config);
    EXPECT_EQ(split.seen.headers, whole.seen.headers) << "step " << step;
    EXPECT_EQ(split.seen.bytes, whole.seen.bytes) << "step " << step;
    EXPECT_EQ(split.seen.errors.size(), whole.seen.errors.size()) << "step " << step;
    EXPECT_EQ(split.open, whole.open) << "step " << step;
  }
  return whole;
}

HAProxyMessage header(HAProxyProtocolVersion version, HAProxyProxiedProtocol protocol,
                      std::string source = {}, std::string destination = {},
                      std::uint16_t sourcePort = 0, std::uint16_t destinationPort = 0) {
  HAProxyMessage m;
  m.protocolVersion = version;
  m.proxiedProtocol = protocol;
  m.sourceAddress = std::move(source);
  m.destinationAddress = std::move(destination);
  m.sourcePort = sourcePort;
  m.destinationPort = destinationPort;
  return m;
}

std::string v2(const HAProxyMessage& msg) {
  ByteBuf out = Unpooled::buffer();
  HAProxyMessageEncoder::encode(msg, out);
  return out.toString();
}

// [docs:haproxy]
// Behind a TCP balancer that speaks the PROXY protocol: the first message of a connection
// says who the client is; everything after it is the client's own bytes.
class RealClientHandler : public ChannelInboundHandler {
 public:
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (auto* proxy = msg.getIf<HAProxyMessage>()) {
      if (std::optional<SocketAddress> client = proxy->source()) {
        client_ = *client;  // e.g. for per-client limits and logs
      }
      return;
    }
    ctx.fireChannelRead(std::move(msg));
  }
  std::optional<SocketAddress> client_;
};

void initProxiedChannel(Channel& ch) {
  ch.pipeline().addLast<HAProxyMessageDecoder>();  // first: before any other decoder
  ch.pipeline().addLast<RealClientHandler>();
  // ... the protocol's own handlers follow (HttpServerCodec, ...)
}
// [docs:end]

TEST_F(HAProxyMessageDecoderTest, TheRealClientReachesTheHandlerBehindIt) {
  EmbeddedChannel ch;
  initProxiedChannel(ch);
  ch.writeInbound(Unpooled::copiedBuffer("PROXY TCP4 203.0.113.5 10.0.0.1 4000 80\r\nhello"));
  ASSERT_TRUE(ch.pipeline().get<RealClientHandler>()->client_.has_value());
  EXPECT_EQ(ch.pipeline().get<RealClientHandler>()->client_->toString(), "203.0.113.5:4000");
  EXPECT_EQ(ch.clientAddress().toString(), "203.0.113.5:4000");
  EXPECT_EQ(ch.readInbound<ByteBuf>()->toString(), "hello");
  EXPECT_EQ(ch.pipeline().get<HAProxyMessageDecoder>(), nullptr);
}

TEST_F(HAProxyMessageDecoderTest, DecodesV1Tcp4AndHandsOnTheRest) {
  const Decoded r =
      decodeAtEverySplit("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nGET / HTTP/1.1\r\n");
  ASSERT_EQ(r.seen.headers.size(), 1u);
  const HAProxyMessage& m = r.seen.headers[0];
  EXPECT_EQ(m.protocolVersion, HAProxyProtocolVersion::V1);
  EXPECT_EQ(m.command, HAProxyCommand::Proxy);
  EXPECT_EQ(m.proxiedProtocol, HAProxyProxiedProtocol::Tcp4);
  EXPECT_EQ(m.sourceAddress, "192.0.2.1");
  EXPECT_EQ(m.destinationAddress, "198.51.100.7");
  EXPECT_EQ(m.sourcePort, 56324);
  EXPECT_EQ(m.destinationPort, 443);
  ASSERT_TRUE(m.source().has_value());
  EXPECT_EQ(m.source()->toString(), "192.0.2.1:56324");
  EXPECT_EQ(r.seen.bytes, "GET / HTTP/1.1\r\n");
  EXPECT_TRUE(r.seen.errors.empty());
  EXPECT_TRUE(r.open);
  EXPECT_FALSE(r.decoderStayed);
}

TEST_F(HAProxyMessageDecoderTest, DecodesV1Tcp6AndUnknown) {
  Decoded r = decodeAtEverySplit("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n");
  ASSERT_EQ(r.seen.headers.size(), 1u);
  EXPECT_EQ(r.seen.headers[0].proxiedProtocol, HAProxyProxiedProtocol::Tcp6);
  EXPECT_EQ(r.seen.headers[0].source()->toString(), "[2001:db8::1]:1");
  EXPECT_EQ(r.seen.headers[0].destinationPort, 65535);

  r = decodeAtEverySplit("PROXY UNKNOWN ffff:f::1 whatever\r\nx");
  ASSERT_EQ(r.seen.headers.size(), 1u);
  EXPECT_EQ(r.seen.headers[0].proxiedProtocol, HAProxyProxiedProtocol::Unknown);
  EXPECT_FALSE(r.seen.headers[0].source().has_value());
  EXPECT_EQ(r.seen.bytes, "x");
}

TEST_F(HAProxyMessageDecoderTest, RefusesBadV1HeadersAndCloses) {
  const std::string tooLong = "PROXY UNKNOWN " + std::string(100, 'a') + "\r\n";
  for (const std::string& bad : {
           std::string("PROXY TCP4 192.0.2.1 198.51.100.7 56324\r\n"),       // 5 fields
           std::string("PROXY TCP4 192.0.2.1  198.51.100.7 56324 443\r\n"),  // two spaces
           std::string("PROXY TCP4 ::1 198.51.100.7 56324 443\r\n"),         // v6 in TCP4
           std::string("PROXY TCP6 192.0.2.1 ::1 1 2\r\n"),                  // v4 in TCP6
           std::string("PROXY TCP4 192.0.2.1 198.51.100.7 65536 443\r\n"),   // port
           std::string("PROXY TCP4 192.0.2.1 198.51.100.7 080 443\r\n"),     // leading zero
           std::string("PROXY TCP4 192.0.2.1 198.51.100.7 -1 443\r\n"),      // sign
           std::string("PROXY SCTP 192.0.2.1 198.51.100.7 1 2\r\n"),         // protocol
           std::string("PROXY TCP4 192.0.2.1 198.51.100.7 1 2\n"),           // LF only
           tooLong,
       }) {
    const Decoded r = decodeAtEverySplit(bad);
    EXPECT_TRUE(r.seen.headers.empty()) << bad;
    EXPECT_TRUE(r.seen.bytes.empty()) << bad;
    ASSERT_EQ(r.seen.errors.size(), 1u) << bad;
    EXPECT_EQ(r.seen.errors[0].code(), CodecErrc::CorruptedFrame) << bad;
    EXPECT_FALSE(r.open) << bad;
    EXPECT_EQ(r.reason.initiator, CloseInitiator::Protocol) << bad;
    EXPECT_TRUE(r.reason.rule.starts_with("PROXY protocol: ")) << r.reason.rule;
  }
}

TEST_F(HAProxyMessageDecoderTest, AV1HeaderOf107BytesIsAccepted) {
  // "PROXY UNKNOWN " is 14 bytes; 91 more and CRLF make the longest header allowed.
  const std::string longest = "PROXY UNKNOWN " + std::string(91, 'a') + "\r\n";
  ASSERT_EQ(longest.size(), HAProxyMessageDecoder::kV1MaxLength);
  EXPECT_EQ(decodeAtEverySplit(longest).seen.headers.size(), 1u);
}

TEST_F(HAProxyMessageDecoderTest, RefusesAConnectionWithoutAHeaderUnlessOptional) {
  Decoded r = decodeAtEverySplit("GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(r.open);
  EXPECT_TRUE(r.seen.bytes.empty());
  ASSERT_EQ(r.seen.errors.size(), 1u);

  r = decodeAtEverySplit("GET / HTTP/1.1\r\n\r\n", {.required = false});
  EXPECT_TRUE(r.open);
  EXPECT_TRUE(r.seen.headers.empty());
  EXPECT_EQ(r.seen.bytes, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(r.decoderStayed);

  // A prefix of a header is not yet a verdict.
  r = decode("PROX", 0, {.required = true});
  EXPECT_TRUE(r.open);
  EXPECT_TRUE(r.seen.errors.empty());
}

TEST_F(HAProxyMessageDecoderTest, DecodesV2WithEveryFamilyAndTlvs) {
  HAProxyMessage tcp4 = header(HAProxyProtocolVersion::V2, HAProxyProxiedProtocol::Tcp4,
                               "203.0.113.9", "10.0.0.1", 40000, 8443);
  tcp4.tlvs = {{HAProxyTLV::kAlpn, "h2"}, {HAProxyTLV::kAuthority, "example.com"}};
  HAProxyMessage udp6 = tcp4;
  udp6.proxiedProtocol = HAProxyProxiedProtocol::Udp6;
  udp6.sourceAddress = "2001:db8::5";
  udp6.destinationAddress = "::1";
  udp6.tlvs = {{HAProxyTLV::kNoop, std::string(300, '\0')}};
  HAProxyMessage unixStream = tcp4;
  unixStream.proxiedProtocol = HAProxyProxiedProtocol::UnixStream;
  unixStream.sourceAddress = "/run/client.sock";
  unixStream.destinationAddress = "/run/server.sock";
  unixStream.sourcePort = unixStream.destinationPort = 0;
  unixStream.tlvs.clear();
  for (const HAProxyMessage& sent : {tcp4, udp6, unixStream}) {
    const Decoded r = decodeAtEverySplit(v2(sent) + "payload");
    ASSERT_EQ(r.seen.headers.size(), 1u) << toString(sent.proxiedProtocol);
    EXPECT_EQ(r.seen.headers[0], sent) << toString(sent.proxiedProtocol);
    EXPECT_EQ(r.seen.bytes, "payload");
    EXPECT_TRUE(r.open);
  }
  EXPECT_EQ(decode(v2(tcp4)).seen.headers[0].tlv(HAProxyTLV::kAuthority)->value, "example.com");
}

TEST_F(HAProxyMessageDecoderTest, V2LocalDiscardsTheAddressBlock) {
  std::string local =
      v2(header(HAProxyProtocolVersion::V2, HAProxyProxiedProtocol::Tcp4, "1.2.3.4", "5.6.7.8"));
  local[12] = 0x20;  // LOCAL: a health check from the balancer itself
  const Decoded r = decodeAtEverySplit(local + "ping");
  ASSERT_EQ(r.seen.headers.size(), 1u);
  EXPECT_EQ(r.seen.headers[0].command, HAProxyCommand::Local);
  EXPECT_EQ(r.seen.headers[0].proxiedProtocol, HAProxyProxiedProtocol::Unknown);
  EXPECT_TRUE(r.seen.headers[0].sourceAddress.empty());
  EXPECT_EQ(r.seen.bytes, "ping");
}

TEST_F(HAProxyMessageDecoderTest, RefusesBadV2Headers) {
  HAProxyMessage sent =
      header(HAProxyProtocolVersion::V2, HAProxyProxiedProtocol::Tcp4, "1.2.3.4", "5.6.7.8");
  sent.tlvs = {{HAProxyTLV::kNoop, "abc"}};
  const std::string good = v2(sent);
  std::vector<std::string> bad(6, good);
  bad[0][12] = 0x11;  // version 1 in the binary format
  bad[1][12] = 0x22;  // command 2
  bad[2][13] = 0x41;  // family 4
  bad[3][13] = 0x13;  // transport 3
  bad[4][15] = 11;    // shorter than an IPv4 address block
  bad[4].resize(16 + 11);
  bad[5][15] = static_cast<char>(bad[5][15] - 1);  // the TLV overruns the header
  bad[5].pop_back();
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const Decoded r = decodeAtEverySplit(bad[i] + "after");
    EXPECT_TRUE(r.seen.headers.empty()) << i;
    EXPECT_TRUE(r.seen.bytes.empty()) << i;
    EXPECT_EQ(r.seen.errors.size(), 1u) << i;
    EXPECT_FALSE(r.open) << i;
    EXPECT_EQ(r.reason.initiator, CloseInitiator::Protocol) << i;
  }
  // Larger than the configured limit: refused from the prefix, before the rest arrives.
  const Decoded r = decode(good.substr(0, 16), 0, {.maxV2Length = 20});
  EXPECT_FALSE(r.open);
  EXPECT_NE(r.reason.rule.find("exceeds the limit"), std::string::npos);
}

TEST_F(HAProxyMessageDecoderTest, EncoderWritesV1AndRefusesBadAddresses) {
  EmbeddedChannel ch(std::make_shared<HAProxyMessageEncoder>());
  ch.writeOutbound(
      header(HAProxyProtocolVersion::V1, HAProxyProxiedProtocol::Tcp6, "::1", "::2", 1, 2));
  auto out = ch.readOutbound<ByteBuf>();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->toString(), "PROXY TCP6 ::1 ::2 1 2\r\n");
  ch.writeOutbound(header(HAProxyProtocolVersion::V1, HAProxyProxiedProtocol::UnixStream));
  EXPECT_EQ(ch.readOutbound<ByteBuf>()->toString(), "PROXY UNKNOWN\r\n");
  ChannelFuture failed = ch.writeAndFlush(
      header(HAProxyProtocolVersion::V1, HAProxyProxiedProtocol::Tcp4, "not-an-ip", "1.2.3.4"));
  EXPECT_FALSE(failed.isSuccess());
  EXPECT_EQ(failed.cause().code(), CodecErrc::EncoderException);
  EXPECT_FALSE(ch.finish());
}

}  // namespace
}  // namespace sluice
