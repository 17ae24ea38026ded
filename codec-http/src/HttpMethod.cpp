#include <sluice/http/HttpMethod.h>

#include <stdexcept>

#include "HttpChars.h"

namespace sluice::http {

HttpMethod HttpMethod::valueOf(std::string_view name) {
  if (!detail::isToken(name)) {
    throw std::invalid_argument(fmt::format("invalid HTTP method: \"{}\"", name));
  }
  return fromValidatedToken(name);
}

HttpMethod HttpMethod::fromValidatedToken(std::string_view name) {
  for (std::uint8_t id = 0; id < kExtension; ++id) {
    if (kNames[id] == name) {
      return HttpMethod(id);
    }
  }
  return HttpMethod(std::string(name));
}

}  // namespace sluice::http
