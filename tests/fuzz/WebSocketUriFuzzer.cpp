// libFuzzer target: arbitrary bytes through WebSocketUri::parse, checking what holds for any
// input that parses:
// - the scheme is ws or wss, the host is non-empty and lower-case, the port is not 0, the path
//   starts with '/';
// - no part holds a space, a control character or '#';
// - toString() parses again to the same parts (the normalised form is a fixed point);
// - hostHeader() and requestTarget() are what toString() is made of.

#include <sluice/websocket/WebSocketUri.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using sluice::websocket::WebSocketUri;

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

bool clean(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '#') {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto uri = WebSocketUri::parse(input);
  if (!uri) {
    return 0;
  }
  check(uri->scheme() == "ws" || uri->scheme() == "wss");
  check(!uri->host().empty());
  for (char c : uri->host()) {
    check(!(c >= 'A' && c <= 'Z'));
  }
  check(uri->port() != 0);
  check(!uri->path().empty() && uri->path().front() == '/');
  check(clean(uri->host()) && clean(uri->path()) && clean(uri->query()));

  std::string normal = uri->toString();
  check(normal == uri->scheme() + "://" + uri->hostHeader() + uri->requestTarget());
  auto again = WebSocketUri::parse(normal);
  check(again.has_value());
  check(again->scheme() == uri->scheme() && again->host() == uri->host() &&
        again->port() == uri->port() && again->path() == uri->path() &&
        again->query() == uri->query());
  check(again->toString() == normal);
  return 0;
}
