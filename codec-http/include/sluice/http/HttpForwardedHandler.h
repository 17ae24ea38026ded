#pragma once

#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/handler/ipfilter/IpSubnet.h>

#include <optional>
#include <string_view>
#include <vector>

namespace sluice::http {

class HttpHeaders;

/// Which proxies HttpForwardedHandler believes, and which headers it reads.
struct HttpForwardedConfig {
  /// The proxies (reverse proxies, L7 balancers) trusted to say who their client was. Empty
  /// trusts nobody, and the handler changes nothing.
  std::vector<IpSubnet> trustedProxies;
  /// Read RFC 7239 `Forwarded: for=...` (preferred when both are present).
  bool useForwarded = true;
  /// Read the de-facto `X-Forwarded-For: client, proxy1, proxy2`.
  bool useXForwardedFor = true;
};

/// Finds the real client of a request that came through trusted HTTP proxies, and makes it
/// the channel's clientAddress() — what the close log line reports and per-client limits
/// count. Put it after the HttpServerCodec:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast(forwarded);  // std::make_shared<HttpForwardedHandler>(config), shared by all
/// ```
///
/// Only a request whose immediate sender (the channel's clientAddress(): the peer, or the
/// client a PROXY protocol header named) is a trusted proxy is believed. Its forwarding
/// header lists the hops, nearest last; the handler walks them from the right, passing over
/// trusted proxies, and the first address it does not trust is the client. Anything before
/// it was written by the client itself and is ignored — that is what stops a client from
/// naming any address it likes. A hop that is not an address (`unknown`, an obfuscated
/// `_name`, garbage) ends the walk: the client is then the last trusted hop's sender as far
/// as can be known, so the connection's own address stays. Several header fields count as
/// one list, in order (RFC 9110 5.3). The request itself passes on unchanged.
///
/// A proxy that reuses one connection for many clients makes clientAddress() follow the
/// latest request. Thread: the loop; sharable (it keeps no per-connection state).
class HttpForwardedHandler : public ChannelInboundHandler {
 public:
  explicit HttpForwardedHandler(HttpForwardedConfig config);

  bool isSharable() const noexcept override { return true; }
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;

  /// The client of a request received from `sender`, as described above; nullopt when the
  /// headers name none that can be believed.
  std::optional<SocketAddress> resolveClient(const SocketAddress& sender,
                                             const HttpHeaders& headers) const;

 private:
  bool isTrusted(const SocketAddress& address) const noexcept;
  bool isTrusted(std::string_view ip) const noexcept;

  HttpForwardedConfig config_;
};

}  // namespace sluice::http
