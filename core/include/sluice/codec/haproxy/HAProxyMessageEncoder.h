#pragma once

#include <sluice/codec/MessageToByteEncoder.h>
#include <sluice/codec/haproxy/HAProxyMessage.h>

namespace sluice {

/// Writes an HAProxyMessage as a PROXY protocol header of its version (Netty's
/// HAProxyMessageEncoder): for a client or proxy that connects to a server behind which the
/// real client must be visible. v1 carries TCP4, TCP6 and UNKNOWN only (others are
/// written as UNKNOWN); v2 carries every family and the TLVs. An address that does not parse
/// for its family fails the write with CodecErrc::EncoderException. Sharable (stateless).
/// Thread: the loop.
class HAProxyMessageEncoder : public MessageToByteEncoder<HAProxyMessage> {
 public:
  bool isSharable() const noexcept override { return true; }

  /// The header's bytes, for code that writes them without a pipeline. Throws
  /// std::invalid_argument for an address that does not parse for its family.
  static void encode(const HAProxyMessage& msg, ByteBuf& out);

 protected:
  void encode(ChannelHandlerContext& ctx, HAProxyMessage& msg, ByteBuf& out) override;
};

}  // namespace sluice
