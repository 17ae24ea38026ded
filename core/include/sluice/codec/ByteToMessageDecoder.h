#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/Message.h>
#include <sluice/util/Error.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

/// How a ByteToMessageDecoder keeps bytes that did not yet make a whole message.
enum class Cumulator {
  /// Netty's MERGE_CUMULATOR, the default. When nothing is pending the incoming buffer
  /// itself becomes the cumulation (no copy: a frame that arrives whole is a slice of the
  /// buffer the transport read into). Bytes left over are kept, and the next read is
  /// copied after them, into spare capacity when the cumulation has it and no other handle
  /// shares it, otherwise into a new buffer that holds only the unread bytes.
  Merge,
  /// Netty's COMPOSITE_CUMULATOR, adapted to a decode() that reads one contiguous ByteBuf.
  /// As with Merge, the incoming buffer becomes the cumulation when nothing is pending (no
  /// copy). When bytes are left over, the leftover and the new read are put together as the
  /// components of a CompositeByteBuf and consolidated into one buffer of exactly their
  /// size. A frame that straddles reads so costs a copy of the leftover and of the new
  /// read, where Merge copies only the new read into spare room; in exchange the
  /// cumulation never holds more memory than the pending bytes (Merge's may hold up to
  /// twice as much after it grows). See docs/core.md, "Codecs and framers".
  Composite,
};

/// Settings of a ByteToMessageDecoder.
struct ByteToMessageDecoderConfig {
  Cumulator cumulator = Cumulator::Merge;
  /// Decode at most one message per read (Netty's setSingleDecode), for decoders that
  /// hand the rest of the stream to a handler that replaces them.
  bool singleDecode = false;
  /// After this many reads that leave bytes pending, the bytes already read are discarded
  /// from the cumulation (when no other handle shares it), so a slow trickle of a large
  /// frame does not keep growing the buffer (Netty's discardAfterReads, 16).
  int discardAfterReads = 16;
};

/// Turns a stream of bytes into messages (Netty's ByteToMessageDecoder): the base of every
/// framer and protocol decoder.
///
/// A subclass implements decode(ctx, in, out): read what makes whole messages from `in`
/// and append them to `out`; leave the bytes of an incomplete message unread and return.
/// decode() is called again as long as it reads something, so each call may produce one
/// message. After each call the base fires what `out` holds, in order, then clears it.
/// A message must not be produced without reading: that is a contract violation
/// (CodecErrc::DecoderException).
///
/// Errors. decode() never throws on bad input: it calls fail(ctx, error) with a CodecErrc
/// error and returns. The base first fires the messages decoded before the error (nothing
/// received before it is lost), then exceptionCaught(error), then keeps decoding what
/// remains. If decode() throws anyway, the base fires what was decoded, then an Error with
/// CodecErrc::DecoderException and the exception's text.
///
/// Lifecycle. channelInactive decodes what is pending, then calls decodeLast() once (with
/// an empty buffer when nothing is pending), fires the results, then channelInactive.
/// handlerRemoved fires the bytes still pending as one ByteBuf to the next handler (a
/// decoder that replaces itself hands the rest of the stream on), then calls
/// handlerRemoved0(). A decoder may remove itself from inside decode(); the removal
/// completes when decode() returns.
///
/// Cost. A read that holds whole frames allocates nothing: no copy into a cumulation, and
/// the output vector is a member reused from read to read.
///
/// Thread: the channel's loop. Not sharable.
class ByteToMessageDecoder : public ChannelInboundHandler {
 public:
  /// The messages one decode() call produces.
  using Out = std::vector<Message>;

  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void channelInactive(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) final;

  bool isSingleDecode() const noexcept { return config_.singleDecode; }
  void setSingleDecode(bool singleDecode) noexcept { config_.singleDecode = singleDecode; }
  Cumulator cumulator() const noexcept { return config_.cumulator; }
  /// Takes effect from the next read.
  void setCumulator(Cumulator cumulator) noexcept { config_.cumulator = cumulator; }
  /// Throws std::invalid_argument unless `reads` > 0.
  void setDiscardAfterReads(int reads);

  /// Bytes received and not yet decoded (Netty's actualReadableBytes()).
  std::size_t actualReadableBytes() const noexcept { return cumulation_.readableBytes(); }

 protected:
  explicit ByteToMessageDecoder(ByteToMessageDecoderConfig config = {});

  /// Decodes what it can from `in` into `out` (see the class comment).
  virtual void decode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out) = 0;
  /// Called once when the channel goes inactive, after the pending bytes have been through
  /// decode(): a last chance to make something of an incomplete message. The default
  /// calls decode() if bytes remain.
  virtual void decodeLast(ChannelHandlerContext& ctx, ByteBuf& in, Out& out);
  /// Called by handlerRemoved after the pending bytes have been handed on.
  virtual void handlerRemoved0(ChannelHandlerContext& ctx) { (void)ctx; }

  /// Reports bad input from decode(): the error is fired after the messages already in
  /// `out`. Thread: the loop, from decode() or decodeLast().
  void fail(Error error) { pendingErrors_.push_back(std::move(error)); }

  /// The bytes held back (for subclasses that inspect them outside decode()).
  ByteBuf& internalBuffer() noexcept { return cumulation_; }

 private:
  enum class DecodeState : std::uint8_t { Init, Calling, RemovedPending };

  void cumulate(ChannelHandlerContext& ctx, ByteBuf data);
  void callDecode(ChannelHandlerContext& ctx, ByteBuf& in, Out& out);
  void decodeRemovalReentryProtection(ChannelHandlerContext& ctx, ByteBuf& in, Out& out, bool last);
  void fireOutAndErrors(ChannelHandlerContext& ctx, Out& out);
  void discardSomeReadBytes();
  void releaseCumulationIfDrained();

  ByteToMessageDecoderConfig config_;
  ByteBuf cumulation_;
  Out out_;
  std::vector<Error> pendingErrors_;
  int numReads_ = 0;
  int depth_ = 0;  // > 0 while channelRead runs; a re-entrant read uses its own Out
  DecodeState decodeState_ = DecodeState::Init;
  bool firedChannelRead_ = false;
};

}  // namespace sluice
