#include <sluice/http/HttpVersion.h>

namespace sluice::http {

std::optional<HttpVersion> HttpVersion::parse(std::string_view text) noexcept {
  if (text == "HTTP/1.1") {
    return kHttp11;
  }
  if (text == "HTTP/1.0") {
    return kHttp10;
  }
  return std::nullopt;
}

}  // namespace sluice::http
