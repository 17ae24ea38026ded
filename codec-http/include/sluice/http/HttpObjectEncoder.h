#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufWriter.h>
#include <sluice/channel/ChannelOutboundHandler.h>
#include <sluice/channel/Message.h>
#include <sluice/http/HttpObject.h>

#include <cstddef>
#include <cstdint>

namespace sluice::http {

/// Settings shared by the HTTP/1.1 encoders.
struct HttpObjectEncoderConfig {
  /// Content of at most this many bytes is copied into the buffer that carries the start
  /// line and header fields (or the chunk-size line), so the message leaves as one buffer;
  /// larger content travels as a buffer of its own, uncopied, in the same gathering write.
  /// A second buffer costs a promise and a listener for it (three allocations) and an
  /// outbound entry, about 150 ns; copying costs about 17 ns a KiB of content in cache.
  /// Measured with benchmarks/micro/HttpEncoderBenchmark.cpp (BM_HttpEncoderBody): the copy
  /// stays cheaper up to about 8 KiB; 4096 keeps a clear margin (about 390 against 480 ns
  /// a response there) and bounds the copy. Content whose own buffer can carry its framing
  /// is never copied, whatever its size.
  std::size_t contentMergeThreshold = 4096;
};

/// Encodes HttpMessage starts, HttpContent pieces, LastHttpContent and Full* messages into
/// HTTP/1.1 bytes (Netty's HttpObjectEncoder). Subclasses write the initial line: see
/// HttpRequestEncoder and HttpResponseEncoder.
///
/// Encoding. A message start becomes its initial line, one `name: value` line per header
/// field, in the order and spelling they were added, and an empty line (RFC 9112 2.1). Its
/// exact size is computed first and the whole block is written into one buffer from
/// ctx.alloc(), with one capacity check: no allocation per field. Header fields are trusted:
/// HttpHeaders checked them when they were added.
///
/// Bodies. When the start says `Transfer-Encoding: chunked` (its final coding, RFC 9112
/// 6.1), each non-empty HttpContent becomes one chunk (`hex-size CRLF data CRLF`, RFC 9112
/// 7.1); an empty one writes nothing, since a zero-size chunk would end the body. The
/// LastHttpContent writes the last chunk `0 CRLF`, its trailer fields and CRLF (RFC 9112
/// 7.1.2). Otherwise the content bytes are written as they are and trailer fields are
/// dropped (only chunked coding can carry them).
///
/// Unknown length. A streamed message start (an HttpMessage that is not a Full* message)
/// with neither Content-Length nor Transfer-Encoding gets `transfer-encoding: chunked`
/// added to its encoding and its body chunked when isChunkedWhenLengthUnknown() says so:
/// HttpResponseEncoder does so for HTTP/1.1 responses that may have a body. Without it, the
/// body of such a response could only be delimited by closing the connection (RFC 9112
/// 6.3), and a request body not at all. Netty leaves this to the application (it calls
/// HttpUtil::setTransferEncodingChunked); sluice does it here so that streaming a response
/// of unknown length is correct by default. The message object is not changed. Full*
/// messages are encoded exactly as given: their length is known, and setting Content-Length
/// on them is the application's (or HttpServerKeepAliveHandler's) business.
///
/// No body. When isContentAlwaysEmpty() is true for a start (a response to HEAD, 1xx, 204,
/// 304), its header fields are written as given, Content-Length included (RFC 9110 9.3.2,
/// 15.4.5), and the content of the message and of every piece up to its LastHttpContent is
/// released unwritten. omitsFramingHeaders() may leave Content-Length and Transfer-Encoding
/// out (HttpResponseEncoder does for 1xx and 204, where RFC 9110 8.6 and RFC 9112 6.1
/// forbid them).
///
/// Buffers. Content that needs no framing (a piece of a body that is not chunked) is passed
/// on as it is, and so is content whose buffer can hold its chunk framing: the chunk-size
/// line in its headroom, the CRLF (and the last chunk and trailers) in its tailroom, when
/// no other handle shares that memory. Otherwise content of at most contentMergeThreshold
/// bytes is copied in after the header block (or chunk-size line); larger content is passed
/// on as its own buffer between buffers holding the framing, so the channel writes them
/// with one writev and the body is never copied.
///
/// Other messages, ByteBuf and EncodedMessage included, pass through untouched whatever
/// the state: bytes written in the middle of a message are the writer's responsibility.
///
/// Promises. A write's promise completes once every byte it produced has been written, and
/// fails if any part of it fails. A write that produced several buffers gives its promise to
/// the last, and a failure of an earlier one fails the promise first: writes complete in
/// order, so this decides what a PromiseCombiner would, with a third of its allocations. A
/// write that produces no bytes (an empty piece, content of a bodiless response) still
/// passes an empty buffer on, so that its promise completes in order with the writes before
/// it (a listener closing the connection after the LastHttpContent must not run before the
/// body has left). Errors fail the promise with CodecErrc::EncoderException and write
/// nothing: content with no message started ("unexpected message type: T (no message has
/// been started)"), a start before the previous message's LastHttpContent ("unexpected
/// message type: T (the previous message has not ended)"). The state stays as it was, so
/// the message in progress can go on. Every input buffer is released exactly once, on every
/// path.
///
/// Delegation. HttpServerCodec and HttpClientCodec call write() and flush() of an encoder
/// they own, with their own context; the encoder uses nothing of the context but write(),
/// alloc() and voidPromise(). Not sharable (it tracks the message in progress).
/// Thread: the channel's loop.
class HttpObjectEncoder : public ChannelOutboundHandler {
 public:
  void write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) override;

 protected:
  explicit HttpObjectEncoder(HttpObjectEncoderConfig config = {}) noexcept : config_(config) {}

  /// The exact number of bytes encodeInitialLine() writes for `msg`, its CRLF included.
  virtual std::size_t initialLineLength(const HttpMessage& msg) const = 0;
  /// Writes `msg`'s request line or status line and its CRLF (RFC 9112 3, 4); `out` has
  /// room for initialLineLength(msg) bytes.
  virtual void encodeInitialLine(ByteBufWriter& out, const HttpMessage& msg) const = 0;
  /// Whether `msg` must have no body: its content and that of the pieces that follow are
  /// dropped. Called exactly once for each message start, before it is encoded, so an
  /// override may consume per-message state (HttpServerCodec pops the request's method).
  /// Default: false.
  virtual bool isContentAlwaysEmpty(const HttpMessage& msg);
  /// Whether Content-Length and Transfer-Encoding are left out of `msg`'s encoding.
  /// Default: false.
  virtual bool omitsFramingHeaders(const HttpMessage& msg) const;
  /// Whether a streamed start with neither Content-Length nor Transfer-Encoding gets
  /// `transfer-encoding: chunked` (see the class comment). Called only for such starts
  /// whose content is not always empty. Default: false. A server codec that saw an HTTP/1.0
  /// request returns false: RFC 9112 6.1 forbids Transfer-Encoding in the response.
  virtual bool isChunkedWhenLengthUnknown(const HttpMessage& msg) const;

  /// `msg` as its concrete type T (HttpRequest, HttpResponse). While write() encodes a
  /// message this uses Message's is-a table; a dynamic_cast through HttpObject's virtual
  /// bases costs about 60 ns on a FullHttpResponse, more than encoding it. Falls back to
  /// dynamic_cast for a message that is not the one being written. Throws std::bad_cast
  /// when `msg` is not a T.
  template <typename T>
  const T& messageAs(const HttpMessage& msg) const {
    if (current_ != nullptr) {
      if (const T* typed = current_->getIf<T>();
          typed != nullptr && static_cast<const HttpMessage*>(typed) == &msg) {
        return *typed;
      }
    }
    return dynamic_cast<const T&>(msg);
  }

 private:
  enum class State : std::uint8_t { Init, ContentNonChunk, ContentChunk, ContentAlwaysEmpty };
  struct Plan;

  void encode(ChannelHandlerContext& ctx, Message& msg, HttpMessage* start, HttpContent* content,
              ChannelPromise& promise);
  void planStart(const HttpMessage& start, bool streamed, Plan& plan);
  void writeHead(ByteBufWriter& out, const HttpMessage* start, const Plan& plan) const;
  static void writeTail(ByteBufWriter& out, const LastHttpContent* last, const Plan& plan);

  HttpObjectEncoderConfig config_;
  State state_ = State::Init;
  const Message* current_ = nullptr;  // the message write() is encoding
};

}  // namespace sluice::http
