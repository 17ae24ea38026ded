#include <fmt/format.h>
#include <sluice/http/HttpRequestEncoder.h>

#include <stdexcept>
#include <string_view>

#include "HttpChars.h"

namespace sluice::http {
namespace {

constexpr std::size_t kNoSlash = std::string_view::npos;

// Where an absolute URI with an empty path needs its "/": before the query, or at the end
// (Netty's rule). kNoSlash for any other target, origin-form included.
std::size_t slashPosition(std::string_view uri) noexcept {
  if (uri.empty() || uri.front() == '/') {
    return kNoSlash;
  }
  const std::size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) {
    return kNoSlash;
  }
  const std::size_t authority = scheme + 3;
  const std::size_t query = uri.find('?', authority);
  const std::size_t pathEnd = query == std::string_view::npos ? uri.size() : query;
  const std::size_t slash = uri.substr(0, pathEnd).rfind('/');
  if (slash != std::string_view::npos && slash >= authority) {
    return kNoSlash;
  }
  return pathEnd;
}

}  // namespace

std::size_t HttpRequestEncoder::initialLineLength(const HttpMessage& msg) const {
  const auto& request = messageAs<HttpRequest>(msg);
  const std::string_view uri = request.uri();
  // RFC 9112 3.2: a request target has no whitespace or control characters. A CR or LF
  // taken from user input would end the request line early and turn the rest into header
  // fields of the attacker's choosing (request splitting); refuse it here, where every
  // request passes, rather than trust every caller of setUri().
  for (const char c : uri) {
    if (!detail::hasClass(c, detail::kUriChar)) {
      throw std::invalid_argument(fmt::format("invalid character 0x{:02x} in request target",
                                              static_cast<unsigned char>(c)));
    }
  }
  const std::size_t target =
      uri.empty() ? 1 : uri.size() + (slashPosition(uri) == kNoSlash ? 0 : 1);
  return request.method().name().size() + 1 + target + 1 + request.protocolVersion().text().size() +
         2;
}

void HttpRequestEncoder::encodeInitialLine(ByteBufWriter& out, const HttpMessage& msg) const {
  const auto& request = messageAs<HttpRequest>(msg);
  const std::string_view uri = request.uri();
  out.writeBytes(request.method().name()).writeByte(' ');
  if (uri.empty()) {
    out.writeByte('/');  // RFC 9112 3.2.1: an origin-form target is never empty.
  } else if (const std::size_t slash = slashPosition(uri); slash != kNoSlash) {
    out.writeBytes(uri.substr(0, slash)).writeByte('/').writeBytes(uri.substr(slash));
  } else {
    out.writeBytes(uri);
  }
  out.writeByte(' ').writeBytes(request.protocolVersion().text()).writeShort(0x0D0A);
}

}  // namespace sluice::http
