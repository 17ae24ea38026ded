#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/Message.h>
#include <sluice/codec/ByteToMessageDecoder.h>
#include <sluice/http/HttpDecoderConfig.h>
#include <sluice/http/HttpError.h>
#include <sluice/http/HttpObject.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::http {

/// Turns the bytes of HTTP/1.0 and HTTP/1.1 messages into HttpObjects (Netty's
/// HttpObjectDecoder): the base of HttpRequestDecoder and HttpResponseDecoder.
///
/// Output. Each message becomes an HttpRequest (or HttpResponse), then zero or more
/// HttpContent pieces of at most maxChunkSize bytes, then one LastHttpContent, which may
/// carry the last bytes of a Content-Length body and carries the trailer fields of a chunked
/// one. A message without a body is followed by an empty LastHttpContent. Content pieces
/// are slices of the received buffers, not copies. Full messages are never built here (that
/// is HttpObjectAggregator's job). Pipelined messages in one read come out one after the
/// other, and any split of the input into reads gives the same messages (content may come
/// in more, smaller pieces).
///
/// Body length (RFC 9112 6.3): none when isContentAlwaysEmpty() says so; chunked when
/// Transfer-Encoding is exactly "chunked"; Content-Length bytes when that is present; for a
/// request with neither, none (rule 7); for a response with neither, everything until the
/// connection closes (rule 8), completed by channelInactive.
///
/// Strictness. The decoder refuses what request smuggling and response splitting are made
/// of: Content-Length with Transfer-Encoding, transfer codings other than one "chunked",
/// repeated or non-numeric Content-Length, whitespace before a field's colon, obs-fold, bare
/// CR, control characters in values and request targets, malformed request and status lines
/// and chunk sizes, and an HTTP/1.1 request without exactly one Host. Leading empty lines
/// before a message are skipped (RFC 9112 2.2); a bare LF ends a line as CRLF does.
///
/// Errors. Bad input never throws and never fires exceptionCaught: the decoder emits a
/// message whose decoderResult() is a failure carrying an HttpErrc, and then discards every
/// later byte of the connection (the server codec answers the failure and closes). A failure
/// in the request line, status line or header section is reported on the HttpRequest (an
/// unparseable request line gives "GET /bad-request HTTP/1.0", an unparseable status line
/// "HTTP/1.0 999"); a failure in the body on a LastHttpContent. Messages completed before the
/// bad bytes have already been passed on. Limits are enforced as soon as they are passed,
/// without waiting for the end of the line. A connection that closes in the middle of a
/// message yields the pending message or a LastHttpContent failed with
/// HttpErrc::PrematureClose; one that closes between messages yields nothing.
///
/// Upgrades. After a 101 response that switches to a protocol other than HTTP/1.x, or after
/// setUpgraded(), the bytes that follow the current message are passed on untouched as
/// ByteBufs. reset() returns to HTTP.
///
/// Thread: the channel's loop. Not sharable.
class HttpObjectDecoder : public ByteToMessageDecoder {
 public:
  /// Starts over at the next message, dropping a partly decoded one and leaving the
  /// upgraded or bad-message state. Takes effect at the next decode (as Netty's reset()).
  /// Thread: the loop.
  void reset() noexcept { resetRequested_ = true; }

  const HttpDecoderConfig& decoderConfig() const noexcept { return config_; }

 protected:
  /// Throws std::invalid_argument when a limit of `config` is 0.
  explicit HttpObjectDecoder(HttpDecoderConfig config);

  virtual bool isDecodingRequest() const = 0;

  /// Whether `msg` has no body whatever its headers say. The decoder asks once for each
  /// message whose header section it has read, before it checks the framing fields. The
  /// default (Netty's): requests may have a body; responses 1xx, 204 and 304 have none
  /// (RFC 9112 6.3 rule 1). HttpClientCodec adds responses to HEAD and 2xx responses to
  /// CONNECT. Hixie-76 WebSocket handshakes, whose 101 had a body, are not supported.
  virtual bool isContentAlwaysEmpty(const HttpMessage& msg);

  /// Passes every byte after the current message (or from now on, between messages) on as
  /// raw ByteBufs: for a codec whose connection became a tunnel (CONNECT) or another
  /// protocol. May be called from isContentAlwaysEmpty(). reset() undoes it.
  void setUpgraded() noexcept { upgradeRequested_ = true; }

  void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;
  void decodeLast(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) override;

 private:
  enum class State : std::uint8_t {
    SkipControlChars,
    ReadInitial,
    ReadHeader,
    ReadFixedLengthContent,
    ReadVariableLengthContent,
    ReadChunkSize,
    ReadChunkedContent,
    ReadChunkDelimiter,
    ReadChunkFooter,
    BadMessage,
    Upgraded,
  };
  enum class LineResult : std::uint8_t { Complete, Incomplete, TooLong };

  /// Makes the message of a complete initial line, or sets `error` (and returns nothing).
  virtual Message createMessage(std::string_view line, Error& error) = 0;
  /// The message reported when the initial line could not be parsed.
  virtual Message createInvalidMessage() = 0;

  LineResult nextLine(const ByteBuf& in, std::size_t limit, std::string_view& line,
                      std::size_t& consumed) noexcept;
  bool skipControlChars(ByteBuf& in) noexcept;
  bool readInitialLine(ByteBuf& in, Out& out);
  bool readHeaders(ByteBuf& in, Out& out);
  void readTrailers(ByteBuf& in, Out& out);
  bool readChunkSize(ByteBuf& in, Out& out);
  Error parseField(std::string_view line, bool trailer);
  Error checkFraming();
  void headersComplete(ByteBuf& in, Out& out);
  void emitContent(ByteBuf& in, Out& out, std::size_t length, bool last);
  void completeMessage();
  void invalidMessage(ByteBuf& in, Out& out, Error error);
  void invalidContent(ByteBuf& in, Out& out, Error error);
  void resetMessage() noexcept;
  void resetNow() noexcept;

  HttpDecoderConfig config_;
  State state_ = State::SkipControlChars;
  bool resetRequested_ = false;
  bool upgradeRequested_ = false;
  // The message being decoded, until its header section is complete; message_ points at it.
  Message pending_;
  HttpMessage* message_ = nullptr;
  HttpHeaders trailers_;
  std::size_t lineScanned_ = 0;  // bytes of the current line searched for LF already
  std::size_t sectionSize_ = 0;  // bytes of the header (or trailer) section so far
  std::uint64_t remaining_ = 0;  // bytes of the Content-Length body or chunk still to come
  // What the header section says about framing.
  std::uint64_t contentLength_ = 0;
  std::uint8_t contentLengthFields_ = 0;
  std::uint8_t hostFields_ = 0;
  std::uint32_t transferCodings_ = 0;  // elements of every Transfer-Encoding field
  bool transferEncoding_ = false;
  bool unknownCoding_ = false;        // a transfer coding other than chunked
  bool lastCodingChunked_ = false;    // the last coding listed so far is chunked
  std::uint32_t chunkedCodings_ = 0;  // how many times chunked is listed
  bool switchingProtocols_ = false;
};

}  // namespace sluice::http
