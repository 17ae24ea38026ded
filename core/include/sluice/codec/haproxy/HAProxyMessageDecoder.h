#pragma once

#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/codec/haproxy/HAProxyMessage.h>

#include <cstddef>

namespace sluice {

/// Settings of an HAProxyMessageDecoder.
struct HAProxyMessageDecoderConfig {
  /// Require the header (true, the safe default behind a balancer: a connection that does
  /// not start with one is refused, so nobody can reach the server around the balancer and
  /// claim any address). False accepts connections without it too, for a port that takes
  /// both direct and relayed clients: their bytes pass on untouched.
  bool required = true;
  /// The largest v2 header accepted, 16-byte prefix included. The format allows 16 + 65535.
  std::size_t maxV2Length = 16 + 65535;
};

/// Decodes the PROXY protocol header, version 1 (text) or 2 (binary), that a TCP balancer
/// sends before the client's bytes (Netty's HAProxyMessageDecoder; the format is HAProxy's
/// "PROXY protocol" specification). Put it first in the pipeline:
///
/// ```cpp
/// p.addLast<sluice::HAProxyMessageDecoder>();
/// p.addLast<sluice::http::HttpServerCodec>();
/// ```
///
/// It fires one HAProxyMessage, then removes itself and hands the rest of the stream on. A
/// relayed TCP or UDP client becomes the channel's clientAddress(), which the close log line
/// reports (with the balancer's address as `via`).
/// The version is told from the first bytes ("PROXY " or the v2 signature), however they
/// are split across reads.
///
/// Bad headers: a v1 line longer than 107 bytes, a malformed field or address, a v2 header
/// with another version, an unknown command, an address block shorter than its family
/// needs, a TLV that overruns the header, or (when required) no header at all. Each is
/// CodecErrc::CorruptedFrame with the rule broken; the connection is closed
/// (CloseInitiator::Protocol) and nothing after the bad header is passed on.
///
/// Not checked: a PP2_TYPE_CRC32C TLV's checksum (the specification leaves it optional).
/// Thread: the loop. Not sharable.
class HAProxyMessageDecoder : public ByteToMessageDecoder {
 public:
  explicit HAProxyMessageDecoder(HAProxyMessageDecoderConfig config = {});

  /// The longest v1 header, CRLF included (the specification's 107).
  static constexpr std::size_t kV1MaxLength = 107;

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

 private:
  void decodeV1(ChannelHandlerContext& ctx, ByteBuf& in, Out& out);
  void decodeV2(ChannelHandlerContext& ctx, ByteBuf& in, Out& out);
  void refuse(ChannelHandlerContext& ctx, ByteBuf& in, std::string_view why);
  void relayed(ChannelHandlerContext& ctx, const HAProxyMessage& msg);
  void finish(ChannelHandlerContext& ctx);

  HAProxyMessageDecoderConfig config_;
  bool done_ = false;
};

}  // namespace sluice
