// libFuzzer target: arbitrary bytes through an HttpResponseDecoder, whole and split in two
// (see HttpDecoderFuzzTarget.h for what is checked).

#include <sluice/http/HttpResponseDecoder.h>

#include "HttpDecoderFuzzTarget.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sluice::http::fuzzing::fuzzDecoder<sluice::http::HttpResponseDecoder>(data, size);
}
