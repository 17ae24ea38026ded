#include <fmt/format.h>
#include <sluice/http/HttpObjectDecoder.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "HttpChars.h"
#include "HttpDecoderChars.h"
#include "HttpHeaderNameTable.h"

namespace sluice::http {
namespace {

// Lengths are kept below 2^63 so that they fit Java-style signed arithmetic everywhere
// (Netty's long) and every sum of two stays exact.
constexpr std::uint64_t kMaxLength =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }
bool isWhitespace(char c) noexcept { return c == ' ' || c == '\t'; }

using detail::hexValue;

// RFC 9110 8.6: Content-Length = 1*DIGIT. No sign, no inner whitespace, no list.
bool parseContentLength(std::string_view s, std::uint64_t& value) noexcept {
  if (s.empty()) {
    return false;
  }
  std::uint64_t v = 0;
  for (char c : s) {
    if (!isDigit(c)) {
      return false;
    }
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMaxLength - d) / 10) {
      return false;
    }
    v = v * 10 + d;
  }
  value = v;
  return true;
}

// RFC 9112 3.2 with RFC 3986 3.2.2: Host = uri-host [ ":" port ]. Only the characters of
// reg-name, IP-literal and port may appear; anything else (whitespace, "/", "@", ...) makes
// the value invalid. An empty value is allowed (a target URI without authority).
constexpr std::array<bool, 256> kHostChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    table[static_cast<std::size_t>(c)] =
        alnum || std::string_view("-._~%!$&'()*+,;=:[]").find(static_cast<char>(c)) !=
                     std::string_view::npos;
  }
  return table;
}();

bool isHostValue(std::string_view s) noexcept {
  for (char c : s) {
    if (!kHostChars[static_cast<std::uint8_t>(c)]) {
      return false;
    }
  }
  return true;
}

std::size_t skipWhitespace(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && isWhitespace(s[i])) {
    ++i;
  }
  return i;
}

std::size_t skipToken(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && detail::hasClass(s[i], detail::kTokenChar)) {
    ++i;
  }
  return i;
}

// The index of the first ':' in s, or npos; eight bytes at a time, as a field name is
// usually one or two words.
std::size_t findColon(std::string_view s) noexcept {
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // A zero byte of x is a colon in s. The test flags every zero byte, and may flag a byte
    // above one (a borrow), never below: the lowest flag, first in memory, is a colon.
    const auto firstColon = [](std::uint64_t w) {
      const std::uint64_t x = w ^ (detail::kOnes * static_cast<std::uint8_t>(':'));
      return (x - detail::kOnes) & ~x & detail::kHighBits;
    };
    for (; i + 8 <= s.size(); i += 8) {
      if (const std::uint64_t found = firstColon(detail::load64(s.data() + i))) {
        return i + static_cast<std::size_t>(std::countr_zero(found)) / 8;
      }
    }
    if (i != s.size() && s.size() >= 8) {
      // The last eight bytes, overlapping bytes already known to hold no colon.
      if (const std::uint64_t found = firstColon(detail::load64(s.data() + s.size() - 8))) {
        return s.size() - 8 + static_cast<std::size_t>(std::countr_zero(found)) / 8;
      }
      return std::string_view::npos;
    }
  }
  for (; i < s.size(); ++i) {
    if (s[i] == ':') {
      return i;
    }
  }
  return std::string_view::npos;
}

// RFC 9110 5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE. Returns the index
// after the closing quote, or npos.
std::size_t skipQuotedString(std::string_view s, std::size_t i) noexcept {
  if (i >= s.size() || s[i] != '"') {
    return std::string_view::npos;
  }
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      return i + 1;
    }
    if (c == '\\') {
      if (++i == s.size()) {
        return std::string_view::npos;
      }
    }
    // qdtext and the escaped character of a quoted-pair: HTAB, SP, VCHAR, obs-text.
    if (!detail::hasClass(s[i], detail::kFieldValueChar)) {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// RFC 9112 7.1: chunk-size [ chunk-ext ], where chunk-size = 1*HEXDIG and
// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
// chunk-ext-val = token / quoted-string. Extensions are checked and ignored.
bool parseChunkSizeLine(std::string_view line, std::uint64_t& size) noexcept {
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (int d; i < line.size() && (d = hexValue(line[i])) >= 0; ++i) {
    if (v > (kMaxLength >> 4)) {
      return false;  // the size would not fit in 63 bits
    }
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  if (i == 0) {
    return false;
  }
  for (;;) {
    const std::size_t afterSpace = skipWhitespace(line, i);
    if (afterSpace == line.size()) {
      // BWS is allowed only before ";": trailing whitespace is not part of the grammar.
      if (afterSpace != i) {
        return false;
      }
      break;
    }
    if (line[afterSpace] != ';') {
      return false;
    }
    i = skipWhitespace(line, afterSpace + 1);
    const std::size_t nameEnd = skipToken(line, i);
    if (nameEnd == i) {
      return false;
    }
    i = nameEnd;
    const std::size_t eq = skipWhitespace(line, i);
    if (eq < line.size() && line[eq] == '=') {
      const std::size_t valueStart = skipWhitespace(line, eq + 1);
      std::size_t valueEnd = skipToken(line, valueStart);
      if (valueEnd == valueStart) {
        valueEnd = skipQuotedString(line, valueStart);
        if (valueEnd == std::string_view::npos) {
          return false;
        }
      }
      i = valueEnd;
    }
  }
  size = v;
  return true;
}

}  // namespace

HttpObjectDecoder::HttpObjectDecoder(HttpDecoderConfig config)
    : config_(config), trailers_(config.validateHeaders) {
  if (config.maxInitialLineLength == 0 || config.maxHeaderSize == 0 || config.maxChunkSize == 0) {
    throw std::invalid_argument(
        "HttpDecoderConfig: maxInitialLineLength, maxHeaderSize and maxChunkSize must be > 0");
  }
}

bool HttpObjectDecoder::isContentAlwaysEmpty(const HttpMessage& msg) {
  if (isDecodingRequest()) {
    return false;  // a request decoder sees only requests: spare it the cast
  }
  const auto* response = dynamic_cast<const HttpResponse*>(&msg);
  if (response == nullptr) {
    return false;
  }
  // RFC 9112 6.3 rule 1: a 1xx, 204 or 304 response ends at the empty line after its header
  // section, whatever its framing fields say.
  const int code = response->status().code();
  return (code >= 100 && code < 200) || code == 204 || code == 304;
}

void HttpObjectDecoder::decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  (void)ctx;
  if (resetRequested_) {
    resetNow();
  }
  if (upgradeRequested_ && (state_ == State::SkipControlChars || state_ == State::ReadInitial)) {
    // Between messages: nothing of the next one has been consumed, so all of it passes.
    state_ = State::Upgraded;
    lineScanned_ = 0;
  }
  // One message per call: a handler after this one may act on a complete message (an
  // upgrade removes the codec) before the bytes that follow it are decoded.
  for (;;) {
    switch (state_) {
      case State::SkipControlChars:
        if (!skipControlChars(in)) {
          return;
        }
        state_ = State::ReadInitial;
        [[fallthrough]];
      case State::ReadInitial:
        if (!readInitialLine(in, out)) {
          return;
        }
        break;
      case State::ReadHeader:
        if (!readHeaders(in, out)) {
          return;
        }
        break;
      case State::ReadFixedLengthContent: {
        const std::size_t readable = in.readableBytes();
        if (readable == 0) {
          return;
        }
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, std::min(readable, config_.maxChunkSize)));
        remaining_ -= n;
        emitContent(in, out, n, remaining_ == 0);
        if (remaining_ == 0) {
          completeMessage();
          return;
        }
        break;
      }
      case State::ReadVariableLengthContent: {
        const std::size_t readable = in.readableBytes();
        if (readable == 0) {
          return;
        }
        emitContent(in, out, std::min(readable, config_.maxChunkSize), false);
        break;
      }
      case State::ReadChunkSize:
        if (!readChunkSize(in, out)) {
          return;
        }
        break;
      case State::ReadChunkedContent: {
        const std::size_t readable = in.readableBytes();
        if (readable == 0) {
          return;
        }
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, std::min(readable, config_.maxChunkSize)));
        remaining_ -= n;
        emitContent(in, out, n, false);
        if (remaining_ == 0) {
          state_ = State::ReadChunkDelimiter;
        }
        break;
      }
      case State::ReadChunkDelimiter: {
        // RFC 9112 7.1: chunk-data is followed by CRLF (a bare LF is taken as a line end,
        // RFC 9112 2.2).
        const std::string_view s = in.toStringView();
        if (s.empty() || (s[0] == '\r' && s.size() < 2)) {
          return;
        }
        if (s[0] == '\n' || (s[0] == '\r' && s[1] == '\n')) {
          in.skipBytes(s[0] == '\n' ? 1 : 2);
          state_ = State::ReadChunkSize;
          break;
        }
        invalidContent(in, out,
                       Error(HttpErrc::InvalidChunkTerminator, "chunk data not followed by CRLF"));
        return;
      }
      case State::ReadChunkFooter:
        readTrailers(in, out);
        return;
      case State::BadMessage:
        // The connection is beyond repair: what follows a bad message cannot be framed.
        in.skipBytes(in.readableBytes());
        return;
      case State::Upgraded:
        if (in.isReadable()) {
          out.emplace_back(in.readSlice(in.readableBytes()));
        }
        return;
    }
  }
}

void HttpObjectDecoder::decodeLast(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) {
  (void)ctx;
  if (resetRequested_) {
    resetNow();
  }
  switch (state_) {
    case State::SkipControlChars:
    case State::BadMessage:
    case State::Upgraded:
      // Between messages, or nothing more to say.
      return;
    case State::ReadInitial:
      if (in.isReadable()) {
        invalidMessage(in, out,
                       Error(HttpErrc::PrematureClose, "connection closed in the initial line"));
      }
      return;
    case State::ReadHeader:
      invalidMessage(in, out,
                     Error(HttpErrc::PrematureClose, "connection closed in the header section"));
      return;
    case State::ReadVariableLengthContent:
      // RFC 9112 6.3 rule 8: the close is what ends this body.
      out.push_back(Message::make<LastHttpContent>());
      completeMessage();
      return;
    case State::ReadFixedLengthContent:
    case State::ReadChunkSize:
    case State::ReadChunkedContent:
    case State::ReadChunkDelimiter:
    case State::ReadChunkFooter:
      invalidContent(in, out, Error(HttpErrc::PrematureClose, "connection closed in the body"));
      return;
  }
}

HttpObjectDecoder::LineResult HttpObjectDecoder::nextLine(const ByteBuf& in, std::size_t limit,
                                                          std::string_view& line,
                                                          std::size_t& consumed) noexcept {
  const std::string_view avail = in.toStringView();
  const void* lf = nullptr;
  if (lineScanned_ < avail.size()) {
    lf = std::memchr(avail.data() + lineScanned_, '\n', avail.size() - lineScanned_);
  }
  if (lf == nullptr) {
    // Remember how far the search went, so a line that trickles in is scanned once. The
    // limit is checked now, not at the line's end: a peer must not make us buffer more.
    lineScanned_ = avail.size();
    std::size_t length = avail.size();
    if (length != 0 && avail.back() == '\r') {
      --length;  // may be the CR of the CRLF still to come
    }
    return length > limit ? LineResult::TooLong : LineResult::Incomplete;
  }
  const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - avail.data());
  std::size_t length = end;
  if (length != 0 && avail[length - 1] == '\r') {
    --length;
  }
  lineScanned_ = 0;
  line = avail.substr(0, length);
  consumed = end + 1;
  return length > limit ? LineResult::TooLong : LineResult::Complete;
}

bool HttpObjectDecoder::skipControlChars(ByteBuf& in) noexcept {
  // RFC 9112 2.2: a server SHOULD ignore at least one empty line (CRLF) received before the
  // request-line. Any number is skipped, for requests and responses alike (as Netty does).
  const std::string_view s = in.toStringView();
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\n') {
      ++i;
    } else if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      i += 2;
    } else {
      break;
    }
  }
  in.skipBytes(i);
  // A lone CR at the end may be the start of a CRLF: wait for the next byte.
  return i < s.size() && !(s[i] == '\r' && i + 1 == s.size());
}

namespace {

/// Whether the bytes received of a request line so far can still begin with a method token
/// (tchars up to the first space). Only the first `limit` bytes are looked at: past the line
/// limit the verdict is "too long" whatever the bytes are, and looking further would make
/// the verdict depend on how much had arrived.
bool startsWithMethodToken(const ByteBuf& in, std::size_t limit) {
  const std::span<const std::uint8_t> bytes = in.readableSpan();
  for (const std::uint8_t b : bytes.first(std::min(bytes.size(), limit))) {
    if (b == ' ') {
      return true;
    }
    if (!detail::hasClass(static_cast<char>(b), detail::kTokenChar)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool HttpObjectDecoder::readInitialLine(ByteBuf& in, Out& out) {
  if (isDecodingRequest() && !startsWithMethodToken(in, config_.maxInitialLineLength)) {
    // RFC 9112 3: a request line starts with a method token. Bytes that cannot start one (a
    // TLS ClientHello sent to a plain-text port, binary noise) are refused at once, not
    // after the line limit or a time-out. Checked before the line is looked for, so the
    // verdict is the same however the bytes were split into reads.
    invalidMessage(
        in, out, Error(HttpErrc::InvalidInitialLine, "request line does not start with a method"));
    return false;
  }
  std::string_view line;
  std::size_t consumed = 0;
  switch (nextLine(in, config_.maxInitialLineLength, line, consumed)) {
    case LineResult::Incomplete:
      return false;
    case LineResult::TooLong:
      if (isDecodingRequest()) {
        invalidMessage(in, out,
                       Error(HttpErrc::TooLongUri, fmt::format("request line longer than {} bytes",
                                                               config_.maxInitialLineLength)));
      } else {
        invalidMessage(
            in, out,
            Error(HttpErrc::TooLongInitialLine,
                  fmt::format("status line longer than {} bytes", config_.maxInitialLineLength)));
      }
      return false;
    case LineResult::Complete:
      break;
  }
  Error error;
  Message message = createMessage(line, error);
  in.skipBytes(consumed);  // after createMessage: `line` views these bytes
  if (error) {
    invalidMessage(in, out, std::move(error));
    return false;
  }
  pending_ = std::move(message);
  message_ = &pending_.get<HttpMessage>();
  sectionSize_ = 0;
  state_ = State::ReadHeader;
  return true;
}

bool HttpObjectDecoder::readHeaders(ByteBuf& in, Out& out) {
  // The field lines already received are found first and parsed after, so that the headers
  // take them with one allocation and one copy instead of growing field by field. The bytes
  // of consumed lines stay where they are until decode returns, so the views stay valid.
  // (Starts and lengths are kept apart and left uninitialised: copying each view whole
  // reloads as one wide word what nextLine stored as two, which stalls the store buffer.)
  constexpr std::size_t kBatch = 32;
  std::array<const char*, kBatch> starts;
  std::array<std::size_t, kBatch> lengths;
  for (;;) {
    std::size_t count = 0;
    bool sectionEnd = false;
    LineResult result = LineResult::Complete;
    while (count < kBatch) {
      std::string_view line;
      std::size_t consumed = 0;
      result = nextLine(in, config_.maxHeaderSize - sectionSize_, line, consumed);
      if (result != LineResult::Complete) {
        break;
      }
      in.skipBytes(consumed);
      if (line.empty()) {
        sectionEnd = true;
        break;
      }
      sectionSize_ += line.size();
      starts[count] = line.data();
      lengths[count] = line.size();
      ++count;
    }
    if (count != 0) {
      // The lines lie back to back in `in`: one copy stores them all, and each field refers
      // to its name and value in that copy (HttpHeaders::storeText).
      HttpHeaders& headers = message_->headers();
      const char* const first = starts[0];
      const auto blockSize =
          static_cast<std::size_t>(starts[count - 1] + lengths[count - 1] - first);
      headers.reserve(blockSize, count);
      const char* const stored = headers.storeText({first, blockSize}).data();
      for (std::size_t i = 0; i < count; ++i) {
        const std::string_view line(stored + (starts[i] - first), lengths[i]);
        if (Error error = parseField(line, false)) {
          invalidMessage(in, out, std::move(error));
          return false;
        }
      }
    }
    if (sectionEnd) {
      headersComplete(in, out);
      return state_ != State::SkipControlChars && state_ != State::BadMessage &&
             state_ != State::Upgraded;
    }
    if (result == LineResult::TooLong) {
      invalidMessage(
          in, out,
          Error(HttpErrc::TooLongHeaders,
                fmt::format("header section larger than {} bytes", config_.maxHeaderSize)));
      return false;
    }
    if (result == LineResult::Incomplete) {
      return false;
    }
  }
}

void HttpObjectDecoder::readTrailers(ByteBuf& in, Out& out) {
  for (;;) {
    std::string_view line;
    std::size_t consumed = 0;
    switch (nextLine(in, config_.maxHeaderSize - sectionSize_, line, consumed)) {
      case LineResult::Incomplete:
        return;
      case LineResult::TooLong:
        invalidContent(
            in, out,
            Error(HttpErrc::TooLongHeaders,
                  fmt::format("trailer section larger than {} bytes", config_.maxHeaderSize)));
        return;
      case LineResult::Complete:
        break;
    }
    if (line.empty()) {
      in.skipBytes(consumed);
      out.push_back(Message::make<LastHttpContent>(ByteBuf(), std::move(trailers_)));
      trailers_ = HttpHeaders(config_.validateHeaders);
      completeMessage();
      return;
    }
    sectionSize_ += line.size();
    Error error = parseField(line, true);
    in.skipBytes(consumed);
    if (error) {
      invalidContent(in, out, std::move(error));
      return;
    }
  }
}

bool HttpObjectDecoder::readChunkSize(ByteBuf& in, Out& out) {
  std::string_view line;
  std::size_t consumed = 0;
  switch (nextLine(in, config_.maxInitialLineLength, line, consumed)) {
    case LineResult::Incomplete:
      return false;
    case LineResult::TooLong:
      invalidContent(
          in, out,
          Error(HttpErrc::InvalidChunkSize,
                fmt::format("chunk size line longer than {} bytes", config_.maxInitialLineLength)));
      return false;
    case LineResult::Complete:
      break;
  }
  std::uint64_t size = 0;
  const bool valid = parseChunkSizeLine(line, size);
  in.skipBytes(consumed);
  if (!valid) {
    invalidContent(in, out, Error(HttpErrc::InvalidChunkSize, "invalid chunk size line"));
    return false;
  }
  if (size == 0) {
    // RFC 9112 7.1: the last chunk, then the trailer section.
    sectionSize_ = 0;
    state_ = State::ReadChunkFooter;
  } else {
    remaining_ = size;
    state_ = State::ReadChunkedContent;
  }
  return true;
}

Error HttpObjectDecoder::parseField(std::string_view line, bool trailer) {
  // RFC 9112 5.2: obs-fold (a line that starts with whitespace continues the previous one).
  // A server MUST reject it in a request (400) or replace it; a client may reject it too.
  // Rejecting in both directions keeps one rule, and a folded value could smuggle a field.
  if (isWhitespace(line[0])) {
    return Error(HttpErrc::InvalidHeader,
                 "obsolete line folding (a field line starts with whitespace)");
  }
  // The name is classified first: a known name is a token (RFC 9110 5.6.2) by construction,
  // so only other names need the check byte by byte. A name of tchars ends at the first
  // colon, as ':' is not one.
  const std::size_t colon = findColon(line);
  detail::KnownHeader id = detail::KnownHeader::Unknown;
  if (colon != std::string_view::npos && colon != 0) {
    id = detail::classifyKnownName(line.substr(0, colon));
  }
  if (id == detail::KnownHeader::Unknown) {
    const std::size_t tokenEnd = skipToken(line, 0);
    if (tokenEnd == line.size() || line[tokenEnd] != ':') {
      if (tokenEnd != 0 && isWhitespace(line[tokenEnd])) {
        // RFC 9112 5.1: no whitespace is allowed between the field name and colon; a server
        // MUST reject such a request with 400 (a proxy MUST remove it before forwarding).
        return Error(HttpErrc::InvalidHeader, "whitespace between a field name and its colon");
      }
      return Error(HttpErrc::InvalidHeader, "invalid field name or missing colon");
    }
    if (tokenEnd == 0) {
      return Error(HttpErrc::InvalidHeader, "empty field name");
    }
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = detail::trimOws(line.substr(colon + 1));
  // RFC 9110 5.5: a field value is VCHAR, obs-text, SP and HTAB; CR, LF and NUL are
  // invalid and a recipient MUST reject or replace them. Other CTLs are invalid too.
  if (!detail::isValidFieldValue(value)) {
    return Error(HttpErrc::InvalidHeader,
                 fmt::format("control character in the value of the field \"{}\"", name));
  }
  if (name.size() > std::numeric_limits<std::uint16_t>::max()) {
    return Error(HttpErrc::InvalidHeader, "field name too long");
  }
  // The framing checks below and the headers both use the name's number.
  switch (id) {
    case detail::KnownHeader::kHost:
      if (!trailer) {
        // RFC 9112 3.2: a server MUST respond 400 to a request with more than one Host field
        // line or with a Host field whose value is invalid.
        if (++hostFields_ > 1) {
          return Error(HttpErrc::InvalidHost, "more than one Host field");
        }
        if (!isHostValue(value)) {
          return Error(HttpErrc::InvalidHost, "invalid Host value");
        }
      }
      break;
    case detail::KnownHeader::kTrailer:
      if (trailer) {
        return {};  // framing information has no place in a trailer section (as Netty)
      }
      break;
    case detail::KnownHeader::kContentLength:
      if (trailer) {
        // RFC 9110 6.5.1: a trailer must not carry framing fields; drop it (as Netty).
        return {};
      }
      // RFC 9112 6.3 rule 5 lets a recipient accept several Content-Length values that are
      // all equal ("5, 5" or two fields). They are refused here: two parsers that disagree
      // about such a message are how requests are smuggled past a proxy.
      if (contentLengthFields_ != 0) {
        return Error(HttpErrc::InvalidContentLength, "more than one Content-Length field");
      }
      if (!parseContentLength(value, contentLength_)) {
        return Error(HttpErrc::InvalidContentLength,
                     "Content-Length is not a single non-negative decimal number");
      }
      ++contentLengthFields_;
      break;
    case detail::KnownHeader::kTransferEncoding:
      if (trailer) {
        return {};
      }
      transferEncoding_ = true;
      detail::forEachListElement(value, [this](std::string_view coding) {
        if (transferCodings_ < std::numeric_limits<std::uint32_t>::max()) {
          ++transferCodings_;
        }
        lastCodingChunked_ = detail::equalsIgnoreCase(coding, "chunked");
        if (lastCodingChunked_) {
          ++chunkedCodings_;
        } else {
          unknownCoding_ = true;
        }
        return false;
      });
      break;
    default:
      break;
  }
  (trailer ? trailers_ : message_->headers()).addTrusted(HttpHeaderName(name, id), value);
  return {};
}

Error HttpObjectDecoder::checkFraming() {
  const HttpVersion version = message_->protocolVersion();
  if (isDecodingRequest() && hostFields_ == 0 && version == HttpVersion::kHttp11) {
    // RFC 9112 3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.
    return Error(HttpErrc::InvalidHost, "HTTP/1.1 request without a Host field");
  }
  if (transferEncoding_) {
    if (contentLengthFields_ != 0) {
      // RFC 9112 6.3 rule 3: Transfer-Encoding overrides Content-Length, but such a message
      // "ought to be handled as an error" as a likely smuggling attempt; a server may
      // reject it. sluice rejects it in requests and responses alike: a response that says
      // both is as ambiguous to the proxies between us and its server.
      return Error(HttpErrc::ContentLengthWithTransferEncoding,
                   "both Content-Length and Transfer-Encoding");
    }
    if (version == HttpVersion::kHttp10) {
      // RFC 9112 6.1: a recipient MUST treat an HTTP/1.0 message with Transfer-Encoding as
      // having faulty framing.
      return Error(HttpErrc::InvalidTransferEncoding, "Transfer-Encoding in an HTTP/1.0 message");
    }
    // RFC 9112 6.1/6.3 rule 4: chunked must be the final coding and must not be applied
    // twice; otherwise the length cannot be determined and a server MUST answer 400.
    if (!lastCodingChunked_ || chunkedCodings_ != 1) {
      return Error(HttpErrc::InvalidTransferEncoding,
                   "Transfer-Encoding whose final coding is not a single chunked");
    }
    // sluice decodes no other transfer coding: one before the final chunked earns 501
    // (RFC 9112 6.1: SHOULD).
    if (unknownCoding_ || transferCodings_ != 1) {
      return Error(HttpErrc::UnsupportedTransferEncoding,
                   "Transfer-Encoding other than a single chunked");
    }
  }
  return {};
}

void HttpObjectDecoder::headersComplete(ByteBuf& in, Out& out) {
  const bool alwaysEmpty = isContentAlwaysEmpty(*message_);
  if (Error error = checkFraming()) {
    invalidMessage(in, out, std::move(error));
    return;
  }
  if (!isDecodingRequest()) {
    const HttpResponse* response = pending_.getIf<HttpResponse>();
    if (response != nullptr && response->status().code() == 101) {
      // As Netty: a 101 to anything but HTTP/1.x hands the connection to another protocol.
      const std::optional<std::string_view> upgrade =
          response->headers().get(HttpHeaderNames::kUpgrade);
      switchingProtocols_ = !upgrade || (upgrade->find("HTTP/1.0") == std::string_view::npos &&
                                         upgrade->find("HTTP/1.1") == std::string_view::npos);
    }
  }
  const bool chunked = transferEncoding_;
  const bool hasLength = contentLengthFields_ != 0;
  const std::uint64_t length = contentLength_;
  out.push_back(std::move(pending_));
  message_ = nullptr;
  if (alwaysEmpty || (!chunked && hasLength && length == 0) ||
      (!chunked && !hasLength && isDecodingRequest())) {
    // RFC 9112 6.3 rule 7: a request with neither field has no body.
    out.push_back(Message::make<LastHttpContent>());
    completeMessage();
  } else if (chunked) {
    state_ = State::ReadChunkSize;
  } else if (hasLength) {
    remaining_ = length;
    state_ = State::ReadFixedLengthContent;
  } else {
    // RFC 9112 6.3 rule 8: a response with neither field ends when the connection closes.
    state_ = State::ReadVariableLengthContent;
  }
}

void HttpObjectDecoder::emitContent(ByteBuf& in, Out& out, std::size_t length, bool last) {
  ByteBuf piece = in.readSlice(length);
  if (last) {
    out.push_back(Message::make<LastHttpContent>(std::move(piece), config_.validateHeaders));
  } else {
    out.push_back(Message::make<HttpContent>(std::move(piece)));
  }
}

void HttpObjectDecoder::completeMessage() {
  const bool upgrade = switchingProtocols_ || upgradeRequested_;
  resetMessage();
  state_ = upgrade ? State::Upgraded : State::SkipControlChars;
}

void HttpObjectDecoder::invalidMessage(ByteBuf& in, Out& out, Error error) {
  if (!pending_) {
    pending_ = createInvalidMessage();
  }
  pending_.get<HttpObject>().setDecoderResult(DecoderResult::failure(std::move(error)));
  out.push_back(std::move(pending_));
  resetMessage();
  state_ = State::BadMessage;
  in.skipBytes(in.readableBytes());
}

void HttpObjectDecoder::invalidContent(ByteBuf& in, Out& out, Error error) {
  Message last = Message::make<LastHttpContent>();
  last.get<HttpObject>().setDecoderResult(DecoderResult::failure(std::move(error)));
  out.push_back(std::move(last));
  resetMessage();
  state_ = State::BadMessage;
  in.skipBytes(in.readableBytes());
}

void HttpObjectDecoder::resetMessage() noexcept {
  pending_.reset();
  message_ = nullptr;
  if (!trailers_.isEmpty()) {
    trailers_.clear();
  }
  lineScanned_ = 0;
  sectionSize_ = 0;
  remaining_ = 0;
  contentLength_ = 0;
  contentLengthFields_ = 0;
  hostFields_ = 0;
  transferCodings_ = 0;
  transferEncoding_ = false;
  unknownCoding_ = false;
  lastCodingChunked_ = false;
  chunkedCodings_ = 0;
  switchingProtocols_ = false;
}

void HttpObjectDecoder::resetNow() noexcept {
  resetMessage();
  resetRequested_ = false;
  upgradeRequested_ = false;
  state_ = State::SkipControlChars;
}

}  // namespace sluice::http
