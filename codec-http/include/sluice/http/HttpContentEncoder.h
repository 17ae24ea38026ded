#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelDuplexHandler.h>
#include <sluice/http/HttpObject.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::http {

/// Encodes the bodies of a server's responses with a content coding chosen from each
/// request's Accept-Encoding (Netty's HttpContentEncoder). The base of
/// HttpContentCompressor; a subclass decides per response (beginEncode) and supplies the
/// encoder. Put it after the HttpServerCodec:
///
/// ```cpp
/// p.addLast<sluice::http::HttpServerCodec>();
/// p.addLast<sluice::http::HttpContentCompressor>();
/// p.addLast<MyHandler>();
/// ```
///
/// Inbound, it notes each request's Accept-Encoding (all its fields, joined), method and
/// version in a queue and passes the request on: pipelined requests are answered in order
/// (RFC 9112 9.3.2), so the next final response answers the oldest noted request.
/// Outbound, it leaves alone, with no call to beginEncode:
/// - 1xx responses (not the answer; the request stays queued), 204 and 304 (no body,
///   RFC 9110 15.3.5, 15.4.5), responses to HEAD (no body, RFC 9110 9.3.2) and 2xx responses
///   to CONNECT (a tunnel, RFC 9110 9.3.6);
/// - 206 responses and any with Content-Range (a range of the unencoded representation);
/// - responses that already have a Content-Encoding other than identity;
/// - streamed responses that carry Transfer-Encoding other than chunked, and streamed
///   responses with a Content-Length that must not be chunked (an HTTP/1.0 request or
///   response: RFC 9112 6.1 allows chunked only to HTTP/1.1), since their length could not
///   be told any more;
/// - a FullHttpResponse with an empty body.
/// Every other response gets "Vary: Accept-Encoding" (RFC 9110 12.5.5: the response depends
/// on that field, whichever coding is chosen) and, when the request had an Accept-Encoding,
/// is offered to beginEncode. A request without Accept-Encoding gets no coding.
///
/// A response beginEncode takes gets Content-Encoding, and a strong ETag becomes weak
/// (RFC 9110 8.8.3: a strong validator names one exact representation; the encoded bytes
/// differ from those the handler made). A FullHttpResponse is encoded in one go and stays
/// one message, with the new Content-Length. A streamed response loses its Content-Length;
/// for HTTP/1.1 it becomes chunked, for HTTP/1.0 the close ends it (it had no length).
/// Each HttpContent is encoded as it is written and goes on as one HttpContent, keeping its
/// promise; the LastHttpContent ends the coding (its trailers are kept).
///
/// Latency versus ratio: a content is encoded without a flush, so small writes share one
/// compressed block; when the channel is flushed while a streamed body is open, the
/// encoder is flushed first (Flush::Sync, one extra HttpContent), so everything written
/// before a flush reaches the peer decodable. A burst of writes and one flush costs one
/// sync point; a writeAndFlush per event (server-sent events) delivers each event at once.
/// The promise of a write whose bytes the encoder still holds completes when its (possibly
/// empty) HttpContent is written.
///
/// Other messages pass through. Thread: the loop. Not sharable: one per channel.
class HttpContentEncoder : public ChannelDuplexHandler {
 public:
  /// How much an Encoder must make decodable.
  enum class Flush : std::uint8_t {
    None,    ///< buffer as it likes
    Sync,    ///< everything so far is decodable from the output; the body goes on
    Finish,  ///< the body ends here
  };

  /// Encodes one response body, made by beginEncode for it.
  class Encoder {
   public:
    virtual ~Encoder() = default;
    /// Encodes `in`'s readable bytes (borrowed; its indices need not move) and returns what
    /// comes out, allocated from `alloc` (an empty ByteBuf() when nothing does). May throw
    /// (std::bad_alloc): the write's promise then fails.
    virtual ByteBuf encode(ByteBufAllocator& alloc, const ByteBuf& in, Flush flush) = 0;
  };

  /// beginEncode's answer: the coding's name for Content-Encoding, and its encoder.
  struct Result {
    std::string targetContentEncoding;
    std::unique_ptr<Encoder> encoder;
  };

  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;
  void flush(ChannelHandlerContext& ctx) override;

 protected:
  /// Chooses the coding for `response`, given the Accept-Encoding of the request it answers
  /// and its body's length when known (a FullHttpResponse's content, or Content-Length);
  /// nullopt sends it as it is. Called only for responses the rules above allow.
  virtual std::optional<Result> beginEncode(const HttpResponse& response,
                                            std::string_view acceptEncoding,
                                            std::optional<std::uint64_t> contentLength) = 0;

 private:
  struct RequestInfo {
    std::optional<std::string> acceptEncoding;  // all Accept-Encoding fields, joined
    bool head = false;
    bool connect = false;
    bool http11 = true;
  };
  enum class State : std::uint8_t { Idle, PassThrough, Encoding };

  void writeResponse(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise);
  void writeContent(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise);
  void endEncoding() noexcept;

  std::deque<RequestInfo> requests_;  // requests whose final response has not started
  std::unique_ptr<Encoder> encoder_;  // the open streamed body's encoder
  State state_ = State::Idle;
  bool unflushed_ = false;  // the encoder holds input no flush has made decodable
};

}  // namespace sluice::http
