// libFuzzer target: arbitrary bytes as a Cookie field value (through ServerCookieDecoder,
// strict and lax), as a Set-Cookie field value (through ClientCookieDecoder, strict and lax)
// and as an HTTP date. None may throw or crash, and:
// - what decode returns is sorted by name, one per name, and no more than decodeAll;
// - the strict ServerCookieEncoder accepts every cookie a strict decoder returns, and what it
//   writes for any decoded cookie it accepts decodes back (ClientCookieDecoder) equal;
// - what the strict ClientCookieEncoder writes for a strict server decode decodes back equal;
// - a date that parses formats to an IMF-fixdate that parses to the same second.

#include <sluice/http/HttpDateFormat.h>
#include <sluice/http/cookie/ClientCookieDecoder.h>
#include <sluice/http/cookie/ClientCookieEncoder.h>
#include <sluice/http/cookie/ServerCookieDecoder.h>
#include <sluice/http/cookie/ServerCookieEncoder.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http::fuzzing {
namespace {

// A fixed clock, so that Expires and Max-Age convert the same way in every run.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1700000000)};

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

// The strict server encoder's output for `c` decodes back to `c`; `mustEncode` when `c` came
// from a strict decoder, whose names and values the strict encoder always accepts.
void checkSetCookieRoundTrip(const Cookie& c, bool mustEncode) {
  std::string encoded;
  try {
    encoded = ServerCookieEncoder::strict().encode(c, kNow);
  } catch (const std::invalid_argument&) {
    check(!mustEncode);
    return;
  }
  const std::optional<Cookie> back = ClientCookieDecoder::strict().decode(encoded, kNow);
  check(back.has_value() && *back == c);
}

void fuzzServer(const ServerCookieDecoder& decoder, std::string_view input, bool strict) {
  const std::vector<Cookie> all = decoder.decodeAll(input);
  const std::vector<Cookie> unique = decoder.decode(input);
  check(all.size() <= decoder.config().maxCookies);
  check(unique.size() <= all.size());
  for (std::size_t i = 1; i < unique.size(); ++i) {
    check(unique[i - 1].name() < unique[i].name());
  }
  for (const Cookie& c : all) {
    check(!c.name().empty());
    checkSetCookieRoundTrip(c, strict);
  }
  if (strict) {
    const std::string header = ClientCookieEncoder::strict().encode(all);
    check(decoder.decodeAll(header) == all);
  }
}

void fuzzClient(const ClientCookieDecoder& decoder, std::string_view input, bool strict) {
  const std::optional<Cookie> c = decoder.decode(input, kNow);
  if (!c) {
    return;
  }
  check(!c->name().empty());
  check(!c->maxAge() || c->maxAge()->count() >= 0);
  // A strict decoder vouches for name and value only: Domain and Path are read leniently
  // (RFC 6265 5.2), so the strict encoder may refuse them.
  checkSetCookieRoundTrip(*c, strict && !c->domain() && !c->path());
}

void fuzzDate(std::string_view input) {
  const auto t = HttpDateFormat::parse(input);
  if (!t) {
    return;
  }
  const std::string formatted = HttpDateFormat::format(*t);
  check(formatted.size() == HttpDateFormat::kFormattedLength);
  check(HttpDateFormat::parse(formatted) == t);
}

}  // namespace
}  // namespace sluice::http::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::http;  // NOLINT(google-build-using-namespace): one function
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzzing::fuzzServer(ServerCookieDecoder::strict(), input, true);
  fuzzing::fuzzServer(ServerCookieDecoder::lax(), input, false);
  static const ServerCookieDecoder kFew(CookieDecoderConfig{.strict = true, .maxCookies = 2});
  fuzzing::fuzzServer(kFew, input, true);
  fuzzing::fuzzClient(ClientCookieDecoder::strict(), input, true);
  fuzzing::fuzzClient(ClientCookieDecoder::lax(), input, false);
  fuzzing::fuzzDate(input);
  return 0;
}
