#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/Message.h>

#include <utility>

namespace sluice {

/// Bytes that are already encoded for the wire, which every encoder passes through
/// untouched (sluice's own type; Netty has no exact equivalent). ChannelGroup broadcasts
/// use it: a message is encoded once, and each member receives an EncodedMessage holding
/// its own duplicate() of the one buffer, so the bytes are shared (one reference count, no
/// copy) while each member's indices move on their own.
///
/// It is a ByteBuf (declared with MessageSupertypes), so the transport, TLS and anything else
/// that handles raw bytes treats it as one: `msg.is<ByteBuf>()` is true and
/// `msg.get<ByteBuf>()` works. MessageToByteEncoder and MessageToMessageEncoder check
/// `msg.isExactly<EncodedMessage>()` first and forward it as it is, whatever type they
/// encode. Stored inline in a Message: wrapping one allocates nothing. Thread: as ByteBuf.
class EncodedMessage : public ByteBuf {
 public:
  using MessageSupertypes = sluice::MessageSupertypes<EncodedMessage, ByteBuf>;

  EncodedMessage() noexcept = default;
  /// Takes `bytes` (moved): the finished wire bytes.
  explicit EncodedMessage(ByteBuf bytes) noexcept : ByteBuf(std::move(bytes)) {}

  /// The bytes as a plain ByteBuf (moved out; this message is left empty).
  ByteBuf content() && noexcept { return ByteBuf(std::move(*this)); }
  /// Another EncodedMessage over the same bytes, with its own indices and reference.
  EncodedMessage share() const { return EncodedMessage(duplicate()); }
};

template <>
struct IsTriviallyRelocatable<EncodedMessage> : std::true_type {};

}  // namespace sluice
