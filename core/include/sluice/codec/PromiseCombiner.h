#pragma once

#include <sluice/channel/ChannelFuture.h>

#include <cstddef>
#include <memory>

namespace sluice {

/// Completes one promise when several futures have completed (Netty's PromiseCombiner):
/// with success if all succeeded, else with the first failure. Used by encoders that turn
/// one write into several. Thread: the loop the futures complete on.
class PromiseCombiner {
 public:
  PromiseCombiner() : state_(std::make_shared<State>()) {}

  /// Counts `future` in. Call before finish().
  void add(const ChannelFuture& future) {
    ++state_->expected;
    future.addListener([s = state_](const ChannelFuture& f) {
      ++s->done;
      if (!f.isSuccess() && !s->cause) {
        s->cause = f.cause();
      }
      s->tryFinish();
    });
  }
  /// Completes `aggregate` once every added future has completed (at once if they have).
  void finish(ChannelPromise aggregate) {
    state_->aggregate = std::move(aggregate);
    state_->finished = true;
    state_->tryFinish();
  }

 private:
  struct State {
    std::size_t expected = 0;
    std::size_t done = 0;
    bool finished = false;
    Error cause;
    ChannelPromise aggregate;
    void tryFinish() {
      if (finished && done == expected) {
        finished = false;
        if (cause) {
          aggregate.tryFailure(cause);
        } else {
          aggregate.trySuccess();
        }
      }
    }
  };
  std::shared_ptr<State> state_;
};

}  // namespace sluice
