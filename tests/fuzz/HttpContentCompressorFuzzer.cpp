// libFuzzer target: the input is "<control byte><Accept-Encoding value>\n<body>".
//
// - HttpContentCompressor::determineEncoding never throws and returns the coding a plain
//   reading of the field gives (each element "coding;q=w" with RFC 9110 12.5.3's rules):
//   only a coding the field made acceptable, never one with weight 0.
// - Two pipelined requests, the first with that Accept-Encoding and the second with none,
//   answered (after an optional 100 Continue) by a response streamed in pieces cut where the
//   control byte says, with flushes in between, then by a FullHttpResponse. The first
//   response's body, read with zlib's own inflate, is the body written, and after each flush
//   everything written so far decodes; the interim and the second response go out as they
//   came (the second request accepts no coding).
// - A response to HEAD, and 204 and 304 responses, pass with no Content-Encoding.
// Every run must end with as many live buffers in the default allocators as it started
// with.

#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/buffer/UnpooledByteBufAllocator.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/http/HttpContentCompressor.h>
#include <sluice/http/HttpObject.h>
#include <sluice/http/HttpUtil.h>
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::http::fuzzing {
namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A weight in thousandths, or -1 when malformed (RFC 9110 12.4.2).
int weight(std::string_view v) {
  if (v == "1" || v == "1." || v == "1.0" || v == "1.00" || v == "1.000") {
    return 1000;
  }
  if (v.empty() || v[0] != '0') {
    return -1;
  }
  if (v.size() == 1) {
    return 0;
  }
  if (v[1] != '.' || v.size() > 5) {
    return -1;
  }
  int w = 0;
  for (std::size_t i = 2; i < 5; ++i) {
    const char c = i < v.size() ? v[i] : '0';
    if (c < '0' || c > '9') {
      return -1;
    }
    w = w * 10 + (c - '0');
  }
  return w;
}

// The weight the field gives `coding` (the highest of its elements), -1 when not listed.
int listedWeight(std::string_view field, std::string_view coding) {
  int best = -1;
  std::size_t start = 0;
  while (start <= field.size()) {
    const std::size_t comma = std::min(field.find(',', start), field.size());
    std::string_view element = trim(field.substr(start, comma - start));
    start = comma + 1;
    const std::size_t semi = element.find(';');
    const std::string_view name = trim(element.substr(0, semi));
    if (name.empty() || !(iequals(name, coding) || (coding == "gzip" && iequals(name, "x-gzip")))) {
      continue;
    }
    int w = 1000;
    bool valid = true;
    while (semi != std::string_view::npos && !element.empty()) {
      const std::size_t at = element.find(';');
      if (at == std::string_view::npos) {
        break;
      }
      element.remove_prefix(at + 1);
      const std::string_view param = trim(element.substr(0, element.find(';')));
      if (param.size() >= 2 && lower(param[0]) == 'q') {
        const std::string_view rest = trim(param.substr(1));
        if (!rest.empty() && rest[0] == '=') {
          w = weight(trim(rest.substr(1)));
          if (w < 0) {
            valid = false;
            break;
          }
        }
      }
    }
    if (valid) {
      best = std::max(best, w);
    }
  }
  return best;
}

void fuzzNegotiation(std::string_view field) {
  HttpContentCompressor::Choice choice;
  try {
    choice = HttpContentCompressor::determineEncoding(field);
  } catch (...) {
    std::abort();
  }
  const int star = listedWeight(field, "*");
  const int gzip = listedWeight(field, "gzip");
  const int deflate = listedWeight(field, "deflate");
  const int identity = listedWeight(field, "identity");
  const int gzipQ = gzip >= 0 ? gzip : std::max(star, 0);
  const int deflateQ = deflate >= 0 ? deflate : std::max(star, 0);
  const int best = std::max(gzipQ, deflateQ);
  std::string_view expected;
  if (best > 0 && !(identity >= 0 && identity > best)) {
    expected = gzipQ >= deflateQ ? "gzip" : "deflate";
  }
  check(choice.coding == expected);
  check(choice.coding.empty() || (choice.coding == "gzip" ? gzipQ : deflateQ) > 0);
  check(choice.identityAcceptable == (identity >= 0 ? identity > 0 : star != 0));
}

// Inflates gzip or zlib data with zlib (15 + 32 detects either); nullopt when it is not a
// valid stream. `complete`: the stream must end.
std::optional<std::string> zlibInflate(std::string_view data, bool complete) {
  z_stream z{};
  check(inflateInit2(&z, 15 + 32) == Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  char buf[16384];
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = ::inflate(&z, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK && (z.avail_in != 0 || z.avail_out == 0));
  inflateEnd(&z);
  if (rc == Z_STREAM_END ? z.avail_in != 0 : (complete || (rc != Z_OK && rc != Z_BUF_ERROR))) {
    return std::nullopt;
  }
  return out;
}

// Reads every flushed message: the response heads into `heads`, the content bytes of the
// first (encoded) response into `encoded`.
struct Wire {
  std::vector<Message> heads;
  std::string encoded;
  std::string second;
};

void drain(EmbeddedChannel& ch, Wire& wire) {
  for (Message m = ch.readOutbound(); m; m = ch.readOutbound()) {
    if (m.is<HttpResponse>()) {
      if (m.get<HttpResponse>().status().code() >= 200 && !wire.heads.empty() &&
          wire.heads.back().get<HttpResponse>().status().code() >= 200) {
        // The second final response.
        wire.second = std::string(m.get<LastHttpContent>().content().toStringView());
      }
      wire.heads.push_back(std::move(m));
      continue;
    }
    check(m.is<HttpContent>());
    wire.encoded += m.get<HttpContent>().content().toStringView();
  }
}

void fuzzResponse(std::uint8_t control, std::string_view field, std::string_view body) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>(HttpContentCompressorConfig{
      .compressionLevel = control & 7, .contentSizeThreshold = (control & 8) != 0 ? 0u : 16u}));
  const HttpVersion version = (control & 0x10) != 0 ? HttpVersion::kHttp10 : HttpVersion::kHttp11;
  Message first = Message::make<FullHttpRequest>(version, HttpMethod::kGet, "/");
  first.get<HttpRequest>().headers().add(HttpHeaderNames::kAcceptEncoding, field);
  ch.writeInbound(std::move(first), Message::make<FullHttpRequest>(version, HttpMethod::kGet, "/"));
  ch.releaseInbound();

  if ((control & 0x20) != 0) {
    ch.writeOutbound(
        Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kContinue));
  }
  Message head = Message::make<HttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk);
  if ((control & 0x40) != 0) {
    HttpUtil::setContentLength(head.get<HttpResponse>(), body.size());
  }
  ch.write(std::move(head));
  // Cut the body where its own bytes say, flushing after some pieces, and check after each
  // flush that what went out decodes to what was written.
  Wire wire;
  std::size_t pos = 0;
  std::size_t cut = 0;
  while (pos < body.size()) {
    const std::size_t n = std::min<std::size_t>(
        body.size() - pos, 1 + static_cast<std::uint8_t>(body[cut++ % body.size()]) * 3);
    ch.write(Message::make<HttpContent>(Unpooled::copiedBuffer(body.substr(pos, n))));
    pos += n;
    if ((static_cast<std::uint8_t>(body[pos - 1]) & 1) != 0) {
      ch.flush();
      drain(ch, wire);
      const HttpResponse& r = wire.heads.back().get<HttpResponse>();
      if (r.headers().contains(HttpHeaderNames::kContentEncoding)) {
        const std::optional<std::string> sofar = zlibInflate(wire.encoded, false);
        check(sofar.has_value() && *sofar == body.substr(0, pos));
      } else {
        check(wire.encoded == body.substr(0, pos));
      }
    }
  }
  ch.write(Message::make<LastHttpContent>());
  // The second request's answer: it accepted no coding.
  Message second = Message::make<FullHttpResponse>(HttpVersion::kHttp11, HttpResponseStatus::kOk,
                                                   Unpooled::copiedBuffer(body));
  HttpUtil::setContentLength(second.get<HttpResponse>(), body.size());
  ch.writeOutbound(std::move(second));
  drain(ch, wire);

  std::size_t i = 0;
  if ((control & 0x20) != 0) {
    check(wire.heads.size() > i && wire.heads[i].get<HttpResponse>().status().code() == 100);
    check(!wire.heads[i].get<HttpResponse>().headers().contains(HttpHeaderNames::kContentEncoding));
    ++i;
  }
  check(wire.heads.size() == i + 2);
  const HttpResponse& r = wire.heads[i].get<HttpResponse>();
  const std::optional<std::string_view> coding = r.headers().get(HttpHeaderNames::kContentEncoding);
  const HttpContentCompressor::Choice choice = HttpContentCompressor::determineEncoding(field);
  const std::string_view expected = choice.coding;
  if (coding) {
    check(*coding == expected);
    const std::optional<std::string> decoded = zlibInflate(wire.encoded, true);
    check(decoded.has_value() && *decoded == body);
    // The length is no longer known: no stale Content-Length.
    check(!HttpUtil::isContentLengthSet(r));
    check(version == HttpVersion::kHttp10 || HttpUtil::isTransferEncodingChunked(r));
    check(version == HttpVersion::kHttp11 || !HttpUtil::isTransferEncodingChunked(r));
  } else {
    const bool withLength = (control & 0x40) != 0;
    check(expected.empty() || (version == HttpVersion::kHttp10 && withLength) ||
          (withLength && (control & 8) == 0 && body.size() < 16 && choice.identityAcceptable));
    check(wire.encoded == body);
  }
  const HttpResponse& r2 = wire.heads[i + 1].get<HttpResponse>();
  check(!r2.headers().contains(HttpHeaderNames::kContentEncoding));
  check(wire.second == body);
  ch.finishAndReleaseAll();
}

// A response that has no body passes untouched.
void fuzzNoBody(std::uint8_t control, std::string_view field, std::string_view body) {
  EmbeddedChannel ch(std::make_unique<HttpContentCompressor>(
      HttpContentCompressorConfig{.contentSizeThreshold = 0}));
  const bool head = (control & 0x40) != 0;
  Message request = Message::make<FullHttpRequest>(
      HttpVersion::kHttp11, head ? HttpMethod::kHead : HttpMethod::kGet, "/");
  request.get<HttpRequest>().headers().add(HttpHeaderNames::kAcceptEncoding, field);
  ch.writeInbound(std::move(request));
  ch.releaseInbound();
  const HttpResponseStatus& status = head                    ? HttpResponseStatus::kOk
                                     : (control & 0x20) != 0 ? HttpResponseStatus::kNoContent
                                                             : HttpResponseStatus::kNotModified;
  Message response = Message::make<FullHttpResponse>(
      HttpVersion::kHttp11, status, head ? Unpooled::copiedBuffer(body) : ByteBuf());
  ch.writeOutbound(std::move(response));
  std::optional<FullHttpResponse> out = ch.readOutbound<FullHttpResponse>();
  check(out.has_value());
  check(!out->headers().contains(HttpHeaderNames::kContentEncoding));
  check(out->content().toStringView() == (head ? body : std::string_view()));
  ch.finishAndReleaseAll();
}

}  // namespace
}  // namespace sluice::http::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  using namespace sluice::http::fuzzing;
  if (size < 1) {
    return 0;
  }
  const std::uint64_t pooledAtStart =
      PooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  const std::uint64_t unpooledAtStart =
      UnpooledByteBufAllocator::defaultAllocator().metrics().liveBuffers;
  const std::uint8_t control = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t newline = std::min(rest.find('\n'), rest.size());
  const std::string_view field = rest.substr(0, newline);
  const std::string_view body =
      newline < rest.size() ? rest.substr(newline + 1) : std::string_view();
  fuzzNegotiation(field);
  // Only a field value that HttpHeaders accepts can be in a request.
  bool valid = true;
  try {
    http::HttpHeaders().add(http::HttpHeaderNames::kAcceptEncoding, field);
  } catch (const std::invalid_argument&) {
    valid = false;
  }
  if (valid) {
    if ((control & 0x80) != 0) {
      fuzzNoBody(control, field, body);
    } else {
      fuzzResponse(control, field, body);
    }
  }
  check(PooledByteBufAllocator::defaultAllocator().metrics().liveBuffers == pooledAtStart);
  check(UnpooledByteBufAllocator::defaultAllocator().metrics().liveBuffers == unpooledAtStart);
  return 0;
}
