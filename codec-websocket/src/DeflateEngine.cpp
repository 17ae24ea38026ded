#include <sluice/websocket/DeflateEngine.h>
#include <sluice/websocket/LibdeflateEngine.h>
#include <sluice/websocket/ZlibDeflateEngine.h>

namespace sluice::websocket {

std::unique_ptr<MessageDeflater> newMessageDeflater(const MessageDeflaterConfig& config,
                                                    DeflateEngineKind kind) {
  switch (kind) {
    case DeflateEngineKind::Zlib:
      return std::make_unique<ZlibMessageDeflater>(config);
    case DeflateEngineKind::Libdeflate:
      return std::make_unique<LibdeflateMessageDeflater>(config);
    case DeflateEngineKind::Auto:
      break;
  }
  // libdeflate compresses a message in about half zlib's time at the same level, with a
  // slightly better ratio (benchmarks/micro/DeflateEngineBenchmark.cpp), but only whole
  // messages with a 32 KiB window.
  if (config.noContextTakeover && config.windowBits == 15) {
    return std::make_unique<LibdeflateMessageDeflater>(config);
  }
  return std::make_unique<ZlibMessageDeflater>(config);
}

std::unique_ptr<MessageInflater> newMessageInflater(const MessageInflaterConfig& config,
                                                    DeflateEngineKind kind) {
  switch (kind) {
    case DeflateEngineKind::Zlib:
      return std::make_unique<ZlibMessageInflater>(config);
    case DeflateEngineKind::Libdeflate:
      return std::make_unique<LibdeflateMessageInflater>(config);
    case DeflateEngineKind::Auto:
      break;
  }
  return std::make_unique<ZlibMessageInflater>(config);
}

}  // namespace sluice::websocket
