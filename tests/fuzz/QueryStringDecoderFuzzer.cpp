// libFuzzer target: arbitrary bytes through QueryStringDecoder, as a request target and as a
// form body, checking what holds for any input:
// - the raw path and raw query are pieces of the input, with no '?' or '#' in the raw path
//   and no '#' in the raw query;
// - never more parameters than the limit;
// - an input without '%' decodes without a malformed escape;
// - re-encoding the decoded parameters with QueryStringEncoder and decoding that gives the
//   same parameters, with no malformed escape;
// - decodeComponent(encodeComponent(s)) is s, and tryDecodeComponent agrees with
//   decodeComponent.

#include <sluice/http/QueryStringDecoder.h>
#include <sluice/http/QueryStringEncoder.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

using sluice::http::QueryParameters;
using sluice::http::QueryStringDecoder;
using sluice::http::QueryStringDecoderConfig;
using sluice::http::QueryStringEncoder;

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

bool within(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void checkDecoder(std::string_view input, const QueryStringDecoderConfig& config) {
  const QueryStringDecoder d(input, config);
  const std::string_view uri(d.uri());
  check(uri == input);
  check(within(d.rawPath(), uri) && within(d.rawQuery(), uri));
  check(d.rawPath().find_first_of("?#") == std::string_view::npos);
  check(d.rawQuery().find('#') == std::string_view::npos);
  check(config.hasPath || d.path().empty());
  check(d.parameters().valueCount() <= config.maxParams);
  if (input.find('%') == std::string_view::npos) {
    check(d.valid());
  }

  // Encode what was decoded, decode it again: the same parameters, nothing malformed.
  QueryStringEncoder e("/");
  for (const QueryParameters::Entry& entry : d.parameters()) {
    check(!entry.name.empty() && !entry.values.empty());
    for (const std::string& value : entry.values) {
      e.addParam(entry.name, value);
    }
  }
  const QueryStringDecoder again(e.toString(),
                                 {.maxParams = d.parameters().valueCount() + 1,
                                  .semicolonIsNormalChar = !config.semicolonIsNormalChar});
  check(again.valid());
  check(again.path() == "/");
  check(again.parameters() == d.parameters());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  // The first byte picks the limit and the options; the rest is the input.
  const std::uint8_t options = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t maxParams = options & 0x3FU;  // 0..63, so the limit is reached often
  const bool semicolon = (options & 0x40U) != 0;
  checkDecoder(input, {.maxParams = maxParams, .semicolonIsNormalChar = semicolon});
  checkDecoder(input,
               {.maxParams = maxParams, .semicolonIsNormalChar = semicolon, .hasPath = false});
  checkDecoder(input, {});

  const std::string encoded = QueryStringEncoder::encodeComponent(input);
  check(QueryStringDecoder::decodeComponent(encoded, (options & 0x80U) != 0) == input);
  for (const bool plusIsSpace : {false, true}) {
    const std::optional<std::string> strict =
        QueryStringDecoder::tryDecodeComponent(input, plusIsSpace);
    if (strict) {
      check(*strict == QueryStringDecoder::decodeComponent(input, plusIsSpace));
    }
  }
  return 0;
}
