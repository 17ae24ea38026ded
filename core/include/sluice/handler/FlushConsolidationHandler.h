#pragma once

#include <sluice/channel/ChannelDuplexHandler.h>

#include <cstddef>

namespace sluice {

/// Settings of a FlushConsolidationHandler, with Netty's defaults.
struct FlushConsolidationHandlerConfig {
  /// Flushes held back before one is let through anyway (Netty's 256).
  std::size_t explicitFlushAfterFlushes = 256;
  /// Also consolidate flushes made outside a read burst, by flushing from a task posted to
  /// the loop (Netty's consolidateWhenNoReadInProgress, false).
  bool consolidateWhenNoReadInProgress = false;
};

/// Holds back flushes made while a read burst is in progress and lets one through when
/// the burst ends (Netty's FlushConsolidationHandler), so a handler that writes and flushes
/// a reply per message costs one flush per burst. sluice's channels already cork flushes
/// made on the loop until the end of the loop iteration; this handler still helps on
/// channels that do not, and it caps the held-back flushes at explicitFlushAfterFlushes.
///
/// Held-back flushes are let through when the burst ends (channelReadComplete), on an
/// exception, on close or disconnect, when the channel turns unwritable, and when the
/// handler is removed. Place it first in the pipeline. Thread: the loop.
class FlushConsolidationHandler : public ChannelDuplexHandler {
 public:
  /// Throws std::invalid_argument unless explicitFlushAfterFlushes > 0.
  explicit FlushConsolidationHandler(FlushConsolidationHandlerConfig config = {});

  void handlerAdded(ChannelHandlerContext& ctx) override;
  void handlerRemoved(ChannelHandlerContext& ctx) override;
  void flush(ChannelHandlerContext& ctx) override;
  void channelRead(ChannelHandlerContext& ctx, Message msg) override;
  void channelReadComplete(ChannelHandlerContext& ctx) override;
  void exceptionCaught(ChannelHandlerContext& ctx, const Error& error) override;
  void disconnect(ChannelHandlerContext& ctx, ChannelPromise promise) override;
  void close(ChannelHandlerContext& ctx, ChannelPromise promise) override;
  void channelWritabilityChanged(ChannelHandlerContext& ctx) override;

  /// Flushes held back so far.
  std::size_t pendingFlushes() const noexcept { return flushPendingCount_; }

 private:
  void resetReadAndFlushIfNeeded(ChannelHandlerContext& ctx);
  void flushIfNeeded(ChannelHandlerContext& ctx);
  void flushNow(ChannelHandlerContext& ctx);
  void scheduleFlush(ChannelHandlerContext& ctx);

  FlushConsolidationHandlerConfig config_;
  std::size_t flushPendingCount_ = 0;
  bool readInProgress_ = false;
  bool flushScheduled_ = false;
  bool removed_ = false;
};

}  // namespace sluice
