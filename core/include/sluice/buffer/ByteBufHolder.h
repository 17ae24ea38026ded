#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/Message.h>

#include <utility>

namespace sluice {

/// A message that carries its bytes in a ByteBuf (Netty's ByteBufHolder and
/// DefaultByteBufHolder): an HttpContent, a WebSocket frame. Derive from it to make a message
/// type whose content a channel can see without knowing the type: the outbound buffer counts
/// a holder's readable bytes against the water marks (estimateMessageSize), so a handler
/// that writes HTTP contents or frames is held back by a slow peer as one that writes
/// ByteBufs is, wherever it sits in the pipeline.
///
/// A derived class lists ByteBufHolder among its MessageSupertypes, so that
/// `msg.is<ByteBufHolder>()` is true for it.
///
/// Thread: one thread at a time, like the ByteBuf inside.
class ByteBufHolder {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<ByteBufHolder>;

  explicit ByteBufHolder(ByteBuf content) noexcept : content_(std::move(content)) {}
  ByteBufHolder(ByteBufHolder&&) noexcept = default;
  ByteBufHolder& operator=(ByteBufHolder&&) noexcept = default;

  /// The bytes; move them out with std::move(holder.content()).
  ByteBuf& content() noexcept { return content_; }
  const ByteBuf& content() const noexcept { return content_; }

 protected:
  ~ByteBufHolder() = default;

 private:
  ByteBuf content_;
};

}  // namespace sluice
