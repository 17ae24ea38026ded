#pragma once

#include <sluice/buffer/ByteBuf.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice {

/// Shorthands for buffers from UnpooledByteBufAllocator::defaultAllocator(), as Netty's
/// Unpooled: mostly for tests and one-off messages. Hot paths allocate from the channel's
/// allocator instead.
class Unpooled {
 public:
  Unpooled() = delete;

  static ByteBuf buffer(std::size_t initialCapacity = 256,
                        std::size_t maxCapacity = ByteBuf::kMaxCapacity);
  /// A buffer holding a copy of `bytes` (Netty's copiedBuffer(CharSequence, UTF_8)).
  static ByteBuf copiedBuffer(std::string_view bytes);
  static ByteBuf copiedBuffer(std::span<const std::uint8_t> bytes);
};

}  // namespace sluice
