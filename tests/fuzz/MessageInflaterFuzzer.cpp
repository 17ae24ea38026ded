// libFuzzer target: arbitrary bytes as permessage-deflate message payloads, through the
// MessageInflater engines. The first input byte picks the window (8 to 15), context takeover
// and the message limit; the second where fragments split. The rest is a sequence of
// messages, each a length byte and that many payload bytes. Each message is inflated whole
// and, by a second inflater, in fragments: both must agree (the same output or both failing),
// never exceed the limit. Without context takeover libdeflate inflates each message too, under
// the same limit. (The two engines are not compared on arbitrary input: a message that ends
// inside a deflate block, which RFC 7692 7.2.1 rules out, is cut short by zlib and read on
// into the appended trailer by libdeflate; on well-formed messages they agree, as
// DeflateEngineTest checks.)

#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/websocket/DeflateEngine.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

namespace {

using namespace sluice;             // NOLINT(google-build-using-namespace)
using namespace sluice::websocket;  // NOLINT(google-build-using-namespace)

struct Result {
  bool failed = false;
  std::string output;
};

Result inflateMessage(MessageInflater& inflater, std::span<const std::uint8_t> payload,
                      std::size_t fragment) {
  Result r;
  ByteBuf out = ByteBufAllocator::defaultAllocator().buffer(64);
  std::size_t pos = 0;
  do {
    const std::size_t n = fragment == 0 ? payload.size() : std::min(fragment, payload.size() - pos);
    if (inflater.inflate(payload.subspan(pos, n), out, pos + n == payload.size())) {
      r.failed = true;
      return r;
    }
    pos += n;
  } while (pos < payload.size());
  r.output = out.toString();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::uint8_t mode = data[0];
  const std::size_t fragment = 1 + data[1] % 64;
  MessageInflaterConfig config{
      .windowBits = 8 + (mode & 7),
      .noContextTakeover = (mode & 8) != 0,
      .maxMessageLength = (mode & 16) != 0 ? std::size_t{300} : std::size_t{65536}};
  auto whole = newMessageInflater(config, DeflateEngineKind::Zlib);
  auto split = newMessageInflater(config, DeflateEngineKind::Zlib);
  std::unique_ptr<MessageInflater> libdeflate;
  if (config.noContextTakeover) {
    libdeflate = newMessageInflater(config, DeflateEngineKind::Libdeflate);
  }
  std::span<const std::uint8_t> rest(data + 2, size - 2);
  bool failed = false;
  while (!rest.empty() && !failed) {
    const std::size_t n = std::min<std::size_t>(rest[0], rest.size() - 1);
    const std::span<const std::uint8_t> payload = rest.subspan(1, n);
    rest = rest.subspan(1 + n);
    const Result a = inflateMessage(*whole, payload, 0);
    const Result b = inflateMessage(*split, payload, fragment);
    if (a.failed != b.failed || a.output != b.output) {
      std::abort();  // fragmenting a message must not change what it inflates to
    }
    if (a.output.size() > config.maxMessageLength) {
      std::abort();  // the limit is never passed
    }
    if (libdeflate) {
      const Result c = inflateMessage(*libdeflate, payload, fragment);
      if (c.output.size() > config.maxMessageLength) {
        std::abort();
      }
      if (c.failed) {
        libdeflate = newMessageInflater(config, DeflateEngineKind::Libdeflate);
      }
    }
    failed = a.failed;
  }
  return 0;
}
