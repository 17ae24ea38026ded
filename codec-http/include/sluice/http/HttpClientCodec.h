#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/http/HttpDecoderConfig.h>
#include <sluice/http/HttpMethod.h>
#include <sluice/http/HttpRequestEncoder.h>
#include <sluice/http/HttpResponseDecoder.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

namespace sluice::http {

/// Settings of an HttpClientCodec.
struct HttpClientCodecConfig {
  /// Limits of the response decoder: 4096 / 8192 / 8192 by default.
  HttpDecoderConfig decoder;
  /// Whether closing the connection while responses are still owed fires
  /// HttpErrc::PrematureClose through exceptionCaught (Netty's failOnMissingResponse).
  bool failOnMissingResponse = false;
};

/// The client side of HTTP/1.1 in one handler: an HttpRequestEncoder and an
/// HttpResponseDecoder that pair each response with its request (Netty's HttpClientCodec).
///
/// The pairing is what a separate decoder cannot do: a response to HEAD has no body whatever
/// its headers say (RFC 9110 9.3.2; RFC 9112 6.3 rule 1), and after a 2xx response to
/// CONNECT (RFC 9110 9.3.6) or a 101 the connection carries another protocol, so later bytes
/// pass through as ByteBufs. Interim 1xx responses (100 Continue, 103) precede the final
/// response to the same request. A request the encoder refuses (a new one before the
/// previous one's LastHttpContent) is paired with nothing.
///
/// Removing the codec (as a handler taking the connection over after a 101 does) hands the
/// bytes the decoder holds to the next handler as one ByteBuf, after the messages decoded
/// before them, even when the removal happens while the handler receives the response's
/// head.
///
/// Thread: the channel's loop. Not sharable: one per channel.
class HttpClientCodec : public ChannelDuplexHandler {
 public:
  explicit HttpClientCodec(HttpClientCodecConfig config = {});
  explicit HttpClientCodec(HttpDecoderConfig decoderConfig)
      : HttpClientCodec(HttpClientCodecConfig{.decoder = decoderConfig}) {}
  ~HttpClientCodec() override;

  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

  /// Requests written whose final response has not started to arrive.
  std::size_t responsesOwed() const noexcept { return requests_.size(); }

 private:
  class Decoder;
  class Encoder;
  friend class Decoder;
  friend class Encoder;

  void afterDecoding(ChannelHandlerContext& ctx);

  HttpClientCodecConfig config_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<Encoder> encoder_;
  std::deque<HttpMethod> requests_;  // methods of requests awaiting their final response
  int decoding_ = 0;                 // > 0 while the decoder runs
  bool removalPending_ = false;      // removed while the decoder ran
};

}  // namespace sluice::http
