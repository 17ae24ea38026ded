#include <sluice/buffer/PooledByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelConfig.h>

#include <stdexcept>

namespace sluice {

ChannelConfig::ChannelConfig(Channel& channel)
    : channel_(channel), allocator_(&PooledByteBufAllocator::defaultAllocator()) {}

ChannelConfig& ChannelConfig::setAutoRead(bool autoRead) {
  if (autoRead_.exchange(autoRead, std::memory_order_acq_rel) != autoRead) {
    channel_.autoReadChanged(autoRead);
  }
  return *this;
}

ChannelConfig& ChannelConfig::setWriteBufferWaterMark(WriteBufferWaterMark waterMark) {
  if (waterMark.low > waterMark.high) {
    throw std::invalid_argument("write buffer water mark: low must not exceed high");
  }
  waterMark_ = waterMark;
  return *this;
}

}  // namespace sluice
