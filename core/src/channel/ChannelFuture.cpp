#include <sluice/channel/Channel.h>
#include <sluice/channel/ChannelFuture.h>

namespace sluice {

bool ChannelPromise::tryFailure(Error error) const {
  if (state_ == nullptr) {
    // A void promise has nobody to tell but the pipeline.
    if (channel_ != nullptr) {
      channel_->pipeline().fireExceptionCaught(error);
    }
    return true;
  }
  auto& s = *state_;
  return s.tryComplete(detail::FutureStateBase::kFailed, [&] { s.setError(std::move(error)); });
}

void ChannelPromise::completeWith(const Future<void>& future) const {
  future.addListener([self = *this](const Future<void>& f) {
    if (f.isSuccess()) {
      self.trySuccess();
    } else {
      self.tryFailure(f.cause());
    }
  });
}

namespace {

void closeListener(const ChannelFuture& f) { f.channel().close(); }

void closeOnFailureListener(const ChannelFuture& f) {
  if (!f.isSuccess()) {
    f.channel().close();
  }
}

void fireExceptionOnFailureListener(const ChannelFuture& f) {
  if (!f.isSuccess()) {
    f.channel().pipeline().fireExceptionCaught(f.cause());
  }
}

}  // namespace

const ChannelFutureListener::Fn ChannelFutureListener::kClose = &closeListener;
const ChannelFutureListener::Fn ChannelFutureListener::kCloseOnFailure = &closeOnFailureListener;
const ChannelFutureListener::Fn ChannelFutureListener::kFireExceptionOnFailure =
    &fireExceptionOnFailureListener;

}  // namespace sluice
