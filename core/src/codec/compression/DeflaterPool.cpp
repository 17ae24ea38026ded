#include <sluice/codec/compression/DeflaterPool.h>

#include <utility>
#include <vector>

namespace sluice {
namespace {

bool sameConfig(const DeflaterConfig& a, const DeflaterConfig& b) noexcept {
  return a.wrapper == b.wrapper && a.compressionLevel == b.compressionLevel &&
         a.windowBits == b.windowBits && a.memLevel == b.memLevel;
}

// Most recently released last: acquire() takes the warmest one.
thread_local std::vector<Deflater> tlsIdle;

}  // namespace

Deflater DeflaterPool::acquire(const DeflaterConfig& config) {
  for (auto it = tlsIdle.rbegin(); it != tlsIdle.rend(); ++it) {
    if (sameConfig(it->config(), config)) {
      Deflater d = std::move(*it);
      tlsIdle.erase(std::next(it).base());
      return d;
    }
  }
  return Deflater(config);
}

void DeflaterPool::release(Deflater&& deflater) noexcept {
  try {
    deflater.reset();  // throws only for a moved-from Deflater, which is not worth keeping
    if (tlsIdle.size() >= kMaxIdlePerThread) {
      tlsIdle.erase(tlsIdle.begin());  // the coldest
    }
    tlsIdle.push_back(std::move(deflater));
  } catch (...) {
    // Not kept: dropped with its memory.
  }
}

std::size_t DeflaterPool::idleCount() noexcept { return tlsIdle.size(); }

void DeflaterPool::clear() noexcept { tlsIdle.clear(); }

}  // namespace sluice
