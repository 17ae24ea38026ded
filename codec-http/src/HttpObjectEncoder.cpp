#include <fmt/format.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/ChannelHandlerContext.h>
#include <sluice/codec/CodecError.h>
#include <sluice/concurrent/Future.h>
#include <sluice/http/HttpObjectEncoder.h>

#include <array>
#include <cstring>
#include <span>
#include <utility>

#include "HttpChars.h"

namespace sluice::http {
namespace {

constexpr std::uint16_t kCrlf = 0x0D0A;        // "\r\n", written big-endian
constexpr std::uint16_t kColonSpace = 0x3A20;  // ": "
constexpr std::string_view kChunkedLine = "transfer-encoding: chunked\r\n";
constexpr std::string_view kLastChunk = "0\r\n";

// A chunk-size line: lower-case hex digits without leading zeros, then CRLF (RFC 9112 7.1).
struct ChunkLine {
  std::array<char, 18> text;  // 16 hex digits of a 64-bit size and CRLF
  std::size_t length = 0;

  explicit ChunkLine(std::uint64_t size) noexcept {
    std::size_t digits = 1;
    while (digits < 16 && (size >> (4 * digits)) != 0) {
      ++digits;
    }
    for (std::size_t i = 0; i < digits; ++i) {
      text[digits - 1 - i] = "0123456789abcdef"[(size >> (4 * i)) & 0xF];
    }
    text[digits] = '\r';
    text[digits + 1] = '\n';
    length = digits + 2;
  }
  std::string_view view() const noexcept { return {text.data(), length}; }
};

bool isContentLengthName(std::string_view name) noexcept {
  return name.size() == 14 && detail::equalsIgnoreCase(name, "content-length");
}
bool isTransferEncodingName(std::string_view name) noexcept {
  return name.size() == 17 && detail::equalsIgnoreCase(name, "transfer-encoding");
}

// RFC 9112 6.1: a body is chunked when chunked is the final coding of the last field.
bool isChunkedCoding(std::string_view lastTransferEncoding) noexcept {
  std::string_view last;
  detail::forEachListElement(lastTransferEncoding, [&](std::string_view element) {
    last = element;
    return false;
  });
  return detail::equalsIgnoreCase(last, HttpHeaderValues::kChunked);
}

std::size_t fieldLinesLength(const HttpHeaders& headers) noexcept {
  std::size_t n = 0;
  for (const HttpHeaders::Entry e : headers) {
    n += e.name.size() + e.value.size() + 4;
  }
  return n;
}

void writeFieldLine(ByteBufWriter& out, const HttpHeaders::Entry& e) noexcept {
  out.writeBytes(e.name).writeShort(kColonSpace).writeBytes(e.value).writeShort(kCrlf);
}

}  // namespace

// What one write produces, sized before any byte is written:
//   head: [initial line, field lines, CRLF] [chunk-size line]
//   body: the content's readable bytes
//   tail: [CRLF ending the chunk] [last chunk, trailer field lines, CRLF]
struct HttpObjectEncoder::Plan {
  State next = State::Init;
  std::size_t headerBlock = 0;  // initial line through the empty line; 0 without a start
  bool omitFraming = false;
  bool addChunked = false;
  std::uint64_t chunkSize = 0;  // non-zero: this write carries one chunk of that size
  std::size_t chunkLine = 0;
  bool lastChunk = false;
  std::size_t trailerBytes = 0;

  std::size_t headLength() const noexcept { return headerBlock + chunkLine; }
  std::size_t tailLength() const noexcept {
    return (chunkSize != 0 ? 2 : 0) + (lastChunk ? kLastChunk.size() + trailerBytes + 2 : 0);
  }
};

bool HttpObjectEncoder::isContentAlwaysEmpty(const HttpMessage& msg) {
  (void)msg;
  return false;
}

bool HttpObjectEncoder::omitsFramingHeaders(const HttpMessage& msg) const {
  (void)msg;
  return false;
}

bool HttpObjectEncoder::isChunkedWhenLengthUnknown(const HttpMessage& msg) const {
  (void)msg;
  return false;
}

void HttpObjectEncoder::write(ChannelHandlerContext& ctx, Message msg, ChannelPromise promise) {
  HttpMessage* start = msg.getIf<HttpMessage>();
  HttpContent* content = msg.getIf<HttpContent>();
  if (start == nullptr && content == nullptr) {
    ctx.write(std::move(msg), std::move(promise));
    return;
  }
  if (start != nullptr && state_ != State::Init) {
    promise.tryFailure(
        Error(CodecErrc::EncoderException,
              fmt::format("unexpected message type: {} (the previous message has not ended)",
                          msg.typeName())));
    return;
  }
  if (start == nullptr && state_ == State::Init) {
    promise.tryFailure(Error(
        CodecErrc::EncoderException,
        fmt::format("unexpected message type: {} (no message has been started)", msg.typeName())));
    return;
  }
  current_ = &msg;
  try {
    encode(ctx, msg, start, content, promise);
  } catch (...) {
    current_ = nullptr;
    promise.tryFailure(Error(CodecErrc::EncoderException, Error::fromCurrentException().message()));
    return;
  }
  current_ = nullptr;
}

void HttpObjectEncoder::planStart(const HttpMessage& start, bool streamed, Plan& plan) {
  const bool alwaysEmpty = isContentAlwaysEmpty(start);
  plan.omitFraming = omitsFramingHeaders(start);

  std::size_t fieldBytes = 0;
  bool hasContentLength = false;
  bool hasTransferEncoding = false;
  std::string_view lastTransferEncoding;
  for (const HttpHeaders::Entry e : start.headers()) {
    if (isContentLengthName(e.name)) {
      hasContentLength = true;
      if (plan.omitFraming) {
        continue;
      }
    } else if (isTransferEncodingName(e.name)) {
      hasTransferEncoding = true;
      lastTransferEncoding = e.value;
      if (plan.omitFraming) {
        continue;
      }
    }
    fieldBytes += e.name.size() + e.value.size() + 4;
  }

  if (alwaysEmpty) {
    plan.next = State::ContentAlwaysEmpty;
  } else if (plan.omitFraming) {
    plan.next = State::ContentNonChunk;  // no Transfer-Encoding goes out, so no chunks may
  } else if (hasTransferEncoding) {
    plan.next =
        isChunkedCoding(lastTransferEncoding) ? State::ContentChunk : State::ContentNonChunk;
  } else if (streamed && !hasContentLength && isChunkedWhenLengthUnknown(start)) {
    plan.next = State::ContentChunk;
    plan.addChunked = true;
  } else {
    plan.next = State::ContentNonChunk;
  }
  plan.headerBlock =
      initialLineLength(start) + fieldBytes + (plan.addChunked ? kChunkedLine.size() : 0) + 2;
}

void HttpObjectEncoder::writeHead(ByteBufWriter& out, const HttpMessage* start,
                                  const Plan& plan) const {
  if (start != nullptr) {
    encodeInitialLine(out, *start);
    for (const HttpHeaders::Entry e : start->headers()) {
      if (plan.omitFraming && (isContentLengthName(e.name) || isTransferEncodingName(e.name))) {
        continue;
      }
      writeFieldLine(out, e);
    }
    if (plan.addChunked) {
      out.writeBytes(kChunkedLine);
    }
    out.writeShort(kCrlf);
  }
  if (plan.chunkSize != 0) {
    out.writeBytes(ChunkLine(plan.chunkSize).view());
  }
}

void HttpObjectEncoder::writeTail(ByteBufWriter& out, const LastHttpContent* last,
                                  const Plan& plan) {
  if (plan.chunkSize != 0) {
    out.writeShort(kCrlf);
  }
  if (plan.lastChunk) {
    // RFC 9112 7.1: last-chunk, then the trailer section, then the final CRLF.
    out.writeBytes(kLastChunk);
    for (const HttpHeaders::Entry e : last->trailingHeaders()) {
      writeFieldLine(out, e);
    }
    out.writeShort(kCrlf);
  }
}

void HttpObjectEncoder::encode(ChannelHandlerContext& ctx, Message& msg, HttpMessage* start,
                               HttpContent* content, ChannelPromise& promise) {
  Plan plan;
  plan.next = state_;
  if (start != nullptr) {
    planStart(*start, content == nullptr, plan);
  }

  ByteBuf* body = nullptr;
  const LastHttpContent* last = nullptr;
  if (content != nullptr) {
    last = msg.getIf<LastHttpContent>();
    ByteBuf& bytes = content->content();
    switch (plan.next) {
      case State::ContentNonChunk:
        if (bytes.isReadable()) {
          body = &bytes;
        }
        break;
      case State::ContentChunk:
        // An empty piece writes no chunk: a zero-size chunk is the last chunk (RFC 9112 7.1).
        if (bytes.isReadable()) {
          body = &bytes;
          plan.chunkSize = bytes.readableBytes();
          plan.chunkLine = ChunkLine(plan.chunkSize).length;
        }
        if (last != nullptr) {
          plan.lastChunk = true;
          plan.trailerBytes = fieldLinesLength(last->trailingHeaders());
        }
        break;
      case State::ContentAlwaysEmpty:
        // RFC 9110 9.3.2, 15.2, 15.3.5, 15.4.5: no content in this response; the bytes are
        // released with the message.
        break;
      case State::Init:
        break;  // ruled out by write()
    }
    if (last != nullptr) {
      plan.next = State::Init;
    }
  }

  const std::size_t head = plan.headLength();
  const std::size_t tail = plan.tailLength();
  // The content's own buffer can carry the framing when a chunk-size line fits in its
  // headroom (a header block is too large to bother) and the tail in its tailroom, the
  // room after writerIndex being this handle's alone when nothing else shares the memory.
  const bool headInPlace =
      head == 0 || (body != nullptr && start == nullptr && head <= 18 && body->canPrepend(head));
  const bool tailInPlace =
      tail == 0 || (body != nullptr && body->isUnique() && body->writableBytes() >= tail);
  std::array<ByteBuf, 3> out;
  std::size_t count = 0;
  if (body != nullptr &&
      ((headInPlace && tailInPlace) || body->readableBytes() > config_.contentMergeThreshold)) {
    // The content travels uncopied, framed in place where it can be, else by buffers of
    // their own before and after it.
    ByteBuf& bytes = *body;
    if (!headInPlace) {
      out[count] = ctx.alloc().buffer(head);
      ByteBufWriter w(out[count], head);
      writeHead(w, start, plan);
      ++count;
    } else if (head != 0) {
      const ChunkLine line(plan.chunkSize);
      std::memcpy(bytes.prepend(line.length).data(), line.text.data(), line.length);
    }
    if (tail != 0 && tailInPlace) {
      ByteBufWriter w(bytes, tail);
      writeTail(w, last, plan);
    }
    out[count++] = std::move(bytes);
    if (!tailInPlace) {
      out[count] = ctx.alloc().buffer(tail);
      ByteBufWriter w(out[count], tail);
      writeTail(w, last, plan);
      ++count;
    }
  } else {
    // One buffer, the content (if any) copied in between head and tail.
    const std::size_t bodyBytes = body == nullptr ? 0 : body->readableBytes();
    const std::size_t total = head + bodyBytes + tail;
    if (total != 0) {
      out[0] = ctx.alloc().buffer(total);
      ByteBufWriter w(out[0], total);
      writeHead(w, start, plan);
      if (body != nullptr) {
        w.writeBytes(body->readableSpan());
      }
      writeTail(w, last, plan);
    }
    count = 1;  // an empty buffer when nothing is produced, so the promise completes in order
  }
  state_ = plan.next;
  current_ = nullptr;
  msg.reset();  // the message and any content not passed on are released before bytes move on

  if (count == 1) {
    ctx.write(std::move(out[0]), std::move(promise));
  } else if (promise.isVoid()) {
    for (std::size_t i = 0; i < count; ++i) {
      ctx.write(std::move(out[i]), ctx.voidPromise());
    }
  } else {
    // Writes leave in order and their promises complete in order (the outbound buffer is a
    // FIFO), so the last part completes last: it carries the write's promise, and each
    // earlier part only needs to fail it first should that part fail. That is what
    // PromiseCombiner would decide, at a third of its allocations.
    for (std::size_t i = 0; i + 1 < count; ++i) {
      // Listening as a plain Future skips ChannelFuture's wrapper and its allocation.
      const Future<void> part = ctx.write(std::move(out[i]));
      part.addListener([promise](const Future<void>& f) {
        if (!f.isSuccess()) {
          promise.tryFailure(f.cause());
        }
      });
    }
    ctx.write(std::move(out[count - 1]), std::move(promise));
  }
}

}  // namespace sluice::http
