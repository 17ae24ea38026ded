#pragma once

#include <sluice/concurrent/Future.h>

#include <stdexcept>

namespace sluice {

class Channel;

/// The result of an I/O operation on a channel (Netty's ChannelFuture): a Future<void> that
/// also knows its channel. Listeners run on the channel's event loop.
///
/// A void promise (ChannelHandlerContext::voidPromise()) is a ChannelFuture with no state,
/// for fire-and-forget writes that should cost no allocation; it cannot be waited on or
/// listened to (that throws std::logic_error), and if the operation fails the error is fired
/// through the pipeline's exceptionCaught instead.
class ChannelFuture : public Future<void> {
 public:
  using Listener = MoveOnlyFunction<void(const ChannelFuture&)>;

  ChannelFuture() = default;

  /// The channel of the operation. Valid while the channel lives (at least until its
  /// closeFuture's listeners have run).
  Channel& channel() const noexcept { return *channel_; }
  bool isVoid() const noexcept { return state_ == nullptr && channel_ != nullptr; }

  const ChannelFuture& addListener(Listener listener) const {
    requireNonVoid();
    Future<void>::addListener([ch = channel_, l = std::move(listener)](
                                  const Future<void>& f) mutable { l(ChannelFuture(f, ch)); });
    return *this;
  }
  const ChannelFuture& await() const {
    requireNonVoid();
    Future<void>::await();
    return *this;
  }
  using Future<void>::await;
  const ChannelFuture& sync() const {
    requireNonVoid();
    Future<void>::sync();
    return *this;
  }

 protected:
  ChannelFuture(std::shared_ptr<detail::FutureState<void>> state, Channel* channel)
      : Future<void>(std::move(state)), channel_(channel) {}
  ChannelFuture(const Future<void>& future, Channel* channel)
      : Future<void>(future), channel_(channel) {}

  void requireNonVoid() const {
    if (state_ == nullptr) {
      throw std::logic_error("a void promise cannot be waited on or listened to");
    }
  }

  Channel* channel_ = nullptr;

  friend class ChannelPromise;
};

/// The writing side of a ChannelFuture (Netty's ChannelPromise). Outbound handlers that
/// consume a write complete its promise; ones that pass the write on pass the promise too.
/// Thread: any; the first completion wins.
class ChannelPromise : public ChannelFuture {
 public:
  ChannelPromise() = default;

  /// A pending promise for `channel` whose listeners run on `executor`.
  static ChannelPromise make(Channel& channel, EventExecutor* executor) {
    return ChannelPromise(std::make_shared<detail::FutureState<void>>(executor), &channel);
  }
  /// A promise that keeps nothing (see ChannelFuture).
  static ChannelPromise makeVoid(Channel& channel) noexcept {
    return ChannelPromise(nullptr, &channel);
  }

  /// Completes with success; false if already complete. A void promise ignores it.
  bool trySuccess() const {
    return state_ == nullptr || state_->tryComplete(detail::FutureStateBase::kSucceeded, [] {});
  }
  /// Completes with `error`; false if already complete. A void promise fires `error` through
  /// the channel's pipeline instead.
  bool tryFailure(Error error) const;
  void setSuccess() const {
    if (!trySuccess()) {
      throw std::logic_error("promise already complete");
    }
  }
  void setFailure(Error error) const {
    if (!tryFailure(std::move(error))) {
      throw std::logic_error("promise already complete");
    }
  }

  /// Completes this promise the way `future` completes (Netty's PromiseNotifier).
  void completeWith(const Future<void>& future) const;

 private:
  using ChannelFuture::ChannelFuture;
};

/// Listeners Netty users know, for ChannelFuture::addListener (Netty's ChannelFutureListener).
struct ChannelFutureListener {
  using Fn = void (*)(const ChannelFuture&);
  /// Closes the channel when the operation completes.
  static const Fn kClose;
  /// Closes the channel if the operation failed.
  static const Fn kCloseOnFailure;
  /// Fires the failure through the pipeline's exceptionCaught.
  static const Fn kFireExceptionOnFailure;
};

}  // namespace sluice
