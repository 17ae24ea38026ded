#pragma once

#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/concurrent/EventExecutor.h>
#include <sluice/concurrent/ScheduledFuture.h>
#include <sluice/handler/ssl/DomainWildcardMapping.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace sluice {

/// Serves several host names from one port: reads the server name (SNI, RFC 6066 3) from the
/// client's ClientHello, picks that name's SslContext from a DomainWildcardMapping, and
/// replaces itself with an SslHandler made from it (Netty's SniHandler). The bytes it read
/// go on to the SslHandler, which then does the handshake.
///
/// ```cpp
/// auto mapping = std::make_shared<DomainWildcardMapping>(defaultContext);
/// mapping->add("*.example.com", exampleContext);
/// ch.pipeline().addLast(std::make_unique<SniHandler>(mapping));
/// ```
///
/// A client that sends no name, or a name with no entry, gets the default context. Bytes
/// that are not a ClientHello go to an SslHandler of the default context too, which fails
/// them as TLS would (SslErrc::NotSslRecord). With no context to use the handler fires
/// exceptionCaught (SslErrc::HandshakeFailed) and closes the channel; so it does when no
/// ClientHello has come within the handshake timeout (SslErrc::HandshakeTimeout, 10 s). A
/// ClientHello is read across up to 64 KiB of records; a longer one is refused.
///
/// Thread: the channel's loop. Not sharable; the mapping is.
class SniHandler : public ByteToMessageDecoder {
 public:
  using Duration = EventExecutor::Duration;

  explicit SniHandler(std::shared_ptr<const DomainWildcardMapping> mapping,
                      Duration handshakeTimeout = std::chrono::seconds(10));

  /// The name the client sent, lower-cased; empty before the ClientHello or when it sent none.
  const std::string& hostname() const noexcept { return hostname_; }

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void channelActive(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;

  /// What parseClientHello() found.
  enum class ParseResult : std::uint8_t {
    /// More bytes are needed.
    NeedMore,
    /// A ClientHello, with or without a server name.
    Found,
    /// Not a (well-formed) ClientHello, or one longer than the limit.
    NotClientHello,
  };
  /// Looks for the server name in the ClientHello at the start of `data` (TLS records);
  /// sets `hostname` (lower-cased; empty when the client sent none) when Found. Reads only
  /// within `data`, whatever it holds. Public for tests and fuzzing.
  static ParseResult parseClientHello(std::span<const std::uint8_t> data, std::string& hostname);

 protected:
  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;
  void handlerRemoved0(ChannelHandlerContext& ctx) override;

 private:
  void startTimer(ChannelHandlerContext& ctx);
  void select(ChannelHandlerContext& ctx, const std::string& hostname);

  std::shared_ptr<const DomainWildcardMapping> mapping_;
  Duration handshakeTimeout_;
  ScheduledFuture timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::string hostname_;
  bool selected_ = false;
};

}  // namespace sluice
