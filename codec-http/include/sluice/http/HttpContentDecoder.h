#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/http/HttpObject.h>
#include <sluice/util/Error.h>

#include <memory>
#include <string_view>

namespace sluice::http {

/// Decodes the bodies of received messages whose Content-Encoding it knows (Netty's
/// HttpContentDecoder). The base of HttpContentDecompressor; a subclass supplies a decoder
/// per coding (newContentDecoder). Works on responses (after an HttpClientCodec) and on
/// requests (after an HttpServerCodec) alike.
///
/// For a message whose outermost coding (the last one listed, RFC 9110 8.4: codings are
/// listed in the order they were applied) the subclass decodes, it removes that coding from
/// Content-Encoding (the field goes when nothing else is left; identity elements are
/// dropped) and:
/// - a FullHttpMessage is decoded in one go and gets the decoded Content-Length;
/// - a streamed message loses its Content-Length (HTTP/1.1 ones are marked chunked, as in
///   Netty), and each HttpContent is decoded as it arrives and passed on as one HttpContent
///   (possibly empty).
/// 1xx, 204 and 304 responses, messages with no or an unknown coding, and every other
/// message pass through untouched. A body with no bytes at all (a response to HEAD) is not
/// an error.
///
/// Errors: when decoding fails (corrupt input, a stream that ends before the body does, or
/// output past the subclass's limit), the handler passes on the failed message (a
/// FullHttpMessage with an empty body, or a LastHttpContent standing in for the rest of a
/// streamed body), each with a failed DecoderResult, then fires exceptionCaught with the
/// same Error; the rest of that body is dropped. The connection is not closed: the HTTP
/// framing is intact, and the next message decodes as usual. A body whose HTTP framing
/// failed (the HttpContent or whole message arrives with a failed DecoderResult, e.g. the
/// connection closed in the body) keeps that failure: its coded bytes are dropped (a whole
/// message is left as it came) and no exceptionCaught is fired.
///
/// Thread: the loop. Not sharable: one per channel.
class HttpContentDecoder : public ChannelInboundHandler {
 public:
  /// Decodes one message body, made by newContentDecoder for it.
  class Decoder {
   public:
    virtual ~Decoder() = default;
    /// Decodes `in`'s readable bytes (borrowed); stores what comes out in `out` (allocated
    /// from `alloc`, or left empty). `last`: the body ends with `in`. Returns an Error
    /// (false on success); after one, the decoder is not called again.
    virtual Error decode(ByteBufAllocator& alloc, const ByteBuf& in, bool last, ByteBuf& out) = 0;
  };

  void channelRead(ChannelHandlerContext& ctx, Message msg) override;

 protected:
  /// A decoder for `contentEncoding` (one coding, as sent: compare case-insensitively), or
  /// null when this handler does not decode it.
  virtual std::unique_ptr<Decoder> newContentDecoder(std::string_view contentEncoding) = 0;

 private:
  void startMessage(ChannelHandlerContext& ctx, Message msg);
  void fail(ChannelHandlerContext& ctx, Message msg, const Error& error);

  std::unique_ptr<Decoder> decoder_;  // the open streamed body's decoder
  bool discarding_ = false;           // dropping the rest of a body that failed
};

}  // namespace sluice::http
