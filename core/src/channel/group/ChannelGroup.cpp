#include <fmt/format.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/concurrent/EventLoop.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace sluice {

namespace detail {

void ChannelGroupAggregate::memberDone(const Error& error) {
  if (error) {
    {
      std::lock_guard lock(firstErrorMutex_);
      if (!firstError_) {
        firstError_ = error;
      }
    }
    failed_.fetch_add(1, std::memory_order_acq_rel);
  } else {
    succeeded_.fetch_add(1, std::memory_order_acq_rel);
  }
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    finish();
  }
}

void ChannelGroupAggregate::completeIfEmpty() {
  if (size_ == 0) {
    finish();
  }
}

void ChannelGroupAggregate::finish() {
  const std::size_t failures = failed();
  if (failures == 0) {
    tryComplete(kSucceeded, [] {});
    return;
  }
  Error first;
  {
    std::lock_guard lock(firstErrorMutex_);
    first = firstError_;
  }
  tryComplete(kFailed, [&] {
    setError(Error(first.code(),
                   fmt::format("{} of {} channels failed: {}", failures, size_, first.message())));
  });
}

// The members grouped by event loop, rebuilt after membership changes and shared by the
// broadcasts that use it.
struct ChannelGroupSnapshot {
  struct Run {
    EventLoop* loop;
    std::size_t begin;
    std::size_t end;
  };
  std::vector<ChannelPtr> channels;  // sorted by loop
  std::vector<Run> runs;
};

struct ChannelGroupState {
  mutable std::mutex mutex;
  std::unordered_map<const Channel*, ChannelPtr> members;
  std::shared_ptr<const ChannelGroupSnapshot> snapshot;  // null: stale

  std::shared_ptr<const ChannelGroupSnapshot> current() {
    std::lock_guard lock(mutex);
    if (!snapshot) {
      auto s = std::make_shared<ChannelGroupSnapshot>();
      s->channels.reserve(members.size());
      for (const auto& [raw, ch] : members) {
        s->channels.push_back(ch);
      }
      std::sort(s->channels.begin(), s->channels.end(),
                [](const ChannelPtr& a, const ChannelPtr& b) {
                  return std::less<const EventLoop*>()(&a->eventLoop(), &b->eventLoop());
                });
      for (std::size_t i = 0; i < s->channels.size();) {
        EventLoop* loop = &s->channels[i]->eventLoop();
        std::size_t j = i;
        while (j < s->channels.size() && &s->channels[j]->eventLoop() == loop) {
          ++j;
        }
        s->runs.push_back({loop, i, j});
        i = j;
      }
      snapshot = std::move(s);
    }
    return snapshot;
  }

  bool remove(const Channel* ch) {
    ChannelPtr released;  // destroyed outside the lock: it may be the last owner
    std::lock_guard lock(mutex);
    auto it = members.find(ch);
    if (it == members.end()) {
      return false;
    }
    released = std::move(it->second);
    members.erase(it);
    snapshot.reset();
    return true;
  }
};

}  // namespace detail

namespace {

using Snapshot = detail::ChannelGroupSnapshot;
using Aggregate = detail::ChannelGroupAggregate;

// The aggregate future of a write to the snapshot's members (all but options.exclude).
std::shared_ptr<Aggregate> newAggregate(const Snapshot& s,
                                        const ChannelGroup::WriteOptions& options) {
  std::size_t targets = s.channels.size();
  if (options.exclude != nullptr) {
    for (const ChannelPtr& ch : s.channels) {
      if (ch.get() == options.exclude) {
        --targets;
        break;
      }
    }
  }
  return std::make_shared<Aggregate>(options.voidPromise ? 0 : targets);
}

// Writes make(member) to each member of `run` on the calling thread (the run's loop).
template <typename Make>
void writeRunEach(const Snapshot& s, const Snapshot::Run& run, Make&& make,
                  const ChannelGroup::WriteOptions& options,
                  const std::shared_ptr<Aggregate>& aggregate) {
  for (std::size_t i = run.begin; i < run.end; ++i) {
    Channel& ch = *s.channels[i];
    if (&ch == options.exclude) {
      continue;
    }
    Message msg = make(ch);
    if (options.voidPromise) {
      ch.writeAndFlush(std::move(msg), ch.voidPromise());
    } else {
      ch.writeAndFlush(std::move(msg)).addListener([aggregate](const ChannelFuture& f) {
        aggregate->memberDone(f.isSuccess() ? Error() : f.cause());
      });
    }
  }
}

void writeRun(const Snapshot& s, const Snapshot::Run& run, const ByteBuf& bytes,
              const ChannelGroup::WriteOptions& options,
              const std::shared_ptr<Aggregate>& aggregate) {
  writeRunEach(
      s, run, [&bytes](Channel&) { return Message(EncodedMessage(bytes.duplicate())); }, options,
      aggregate);
}

}  // namespace

ChannelGroup::ChannelGroup(std::string name)
    : name_(std::move(name)), state_(std::make_shared<detail::ChannelGroupState>()) {}

ChannelGroup::~ChannelGroup() = default;

bool ChannelGroup::add(ChannelPtr channel) {
  const Channel* raw = channel.get();
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->members.emplace(raw, channel).second) {
      return false;
    }
    state_->snapshot.reset();
  }
  channel->closeFuture().addListener(
      [weak = std::weak_ptr<detail::ChannelGroupState>(state_), raw](const ChannelFuture&) {
        if (auto state = weak.lock()) {
          state->remove(raw);
        }
      });
  return true;
}

bool ChannelGroup::remove(const Channel& channel) { return state_->remove(&channel); }

bool ChannelGroup::contains(const Channel& channel) const {
  std::lock_guard lock(state_->mutex);
  return state_->members.count(&channel) != 0;
}

std::size_t ChannelGroup::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->members.size();
}

std::vector<ChannelPtr> ChannelGroup::channels() const {
  std::lock_guard lock(state_->mutex);
  std::vector<ChannelPtr> out;
  out.reserve(state_->members.size());
  for (const auto& [raw, ch] : state_->members) {
    out.push_back(ch);
  }
  return out;
}

ChannelGroupFuture ChannelGroup::writeAndFlush(ByteBuf encoded, WriteOptions options) {
  std::shared_ptr<const Snapshot> snapshot = state_->current();
  auto aggregate = newAggregate(*snapshot, options);
  for (const Snapshot::Run& run : snapshot->runs) {
    if (run.loop->inEventLoop()) {
      writeRun(*snapshot, run, encoded, options, aggregate);
    } else {
      // One task per loop, holding the snapshot and its own handle on the bytes.
      run.loop->execute([snapshot, &run, bytes = encoded.duplicate(), options, aggregate] {
        writeRun(*snapshot, run, bytes, options, aggregate);
      });
    }
  }
  aggregate->completeIfEmpty();
  return ChannelGroupFuture(std::move(aggregate));
}

ChannelGroupFuture ChannelGroup::writeAndFlushEach(std::function<Message(Channel&)> select,
                                                   WriteOptions options) {
  std::shared_ptr<const Snapshot> snapshot = state_->current();
  auto aggregate = newAggregate(*snapshot, options);
  auto shared = std::make_shared<std::function<Message(Channel&)>>(std::move(select));
  for (const Snapshot::Run& run : snapshot->runs) {
    if (run.loop->inEventLoop()) {
      writeRunEach(*snapshot, run, *shared, options, aggregate);
    } else {
      run.loop->execute([snapshot, &run, shared, options, aggregate] {
        writeRunEach(*snapshot, run, *shared, options, aggregate);
      });
    }
  }
  aggregate->completeIfEmpty();
  return ChannelGroupFuture(std::move(aggregate));
}

ChannelGroupFuture ChannelGroup::close() {
  std::shared_ptr<const Snapshot> snapshot = state_->current();
  auto aggregate = std::make_shared<Aggregate>(snapshot->channels.size());
  for (const ChannelPtr& ch : snapshot->channels) {
    ch->close().addListener([aggregate](const ChannelFuture& f) {
      aggregate->memberDone(f.isSuccess() ? Error() : f.cause());
    });
  }
  aggregate->completeIfEmpty();
  return ChannelGroupFuture(std::move(aggregate));
}

namespace {

// One drain in progress: the members it waits for and its tally. Kept alive by the members'
// closeFuture listeners, so it goes once the last member has closed; the deadline timers
// hold it weakly and do nothing after that.
struct DrainState {
  std::shared_ptr<const Snapshot> snapshot;
  std::chrono::steady_clock::time_point deadline;
  Promise<DrainResult> promise;
  std::atomic<std::size_t> remaining;
  std::atomic<std::size_t> forced{0};

  DrainState(std::shared_ptr<const Snapshot> s, std::chrono::steady_clock::time_point d)
      : snapshot(std::move(s)),
        deadline(d),
        promise(Promise<DrainResult>::make(nullptr)),
        remaining(snapshot->channels.size()) {}

  void memberClosed() {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const std::size_t n = snapshot->channels.size();
      const std::size_t f = forced.load(std::memory_order_acquire);
      promise.trySuccess(DrainResult{.channels = n, .closedInTime = n - f, .forced = f});
    }
  }
};

// On the run's loop: asks each member to drain, and arms the run's deadline.
void beginDrain(const std::shared_ptr<DrainState>& state, std::size_t runIndex) {
  const Snapshot& s = *state->snapshot;
  const Snapshot::Run& run = s.runs[runIndex];
  for (std::size_t i = run.begin; i < run.end; ++i) {
    Channel& ch = *s.channels[i];
    if (ch.isOpen()) {
      ch.pipeline().fireUserEventTriggered(Message(DrainEvent{.deadline = state->deadline}));
    }
  }
  const auto left = std::max(state->deadline - std::chrono::steady_clock::now(),
                             std::chrono::steady_clock::duration::zero());
  // Each loop times its own members out, so a drain never depends on another loop living
  // until the deadline (one that shuts down closes its channels itself).
  run.loop->schedule(
      [weak = std::weak_ptr<DrainState>(state), runIndex] {
        std::shared_ptr<DrainState> st = weak.lock();
        if (!st) {
          return;  // every member closed in time
        }
        const Snapshot& snap = *st->snapshot;
        const Snapshot::Run& r = snap.runs[runIndex];
        for (std::size_t i = r.begin; i < r.end; ++i) {
          Channel& ch = *snap.channels[i];
          if (ch.isOpen()) {
            // Counted before the close, whose listener may complete the drain.
            st->forced.fetch_add(1, std::memory_order_acq_rel);
            ch.closeReason().record(CloseInitiator::Shutdown, "drain deadline");
            ch.close();
          }
        }
      },
      std::chrono::duration_cast<EventExecutor::Duration>(left));
}

}  // namespace

Future<DrainResult> ChannelGroup::drain(std::chrono::milliseconds timeout) {
  std::shared_ptr<const Snapshot> snapshot = state_->current();
  if (snapshot->channels.empty()) {
    auto promise = Promise<DrainResult>::make(nullptr);
    promise.trySuccess(DrainResult{});
    return promise.future();
  }
  auto state = std::make_shared<DrainState>(
      snapshot, std::chrono::steady_clock::now() + std::max(timeout, std::chrono::milliseconds(0)));
  Future<DrainResult> result = state->promise.future();
  for (const ChannelPtr& ch : snapshot->channels) {
    ch->closeFuture().addListener([state](const ChannelFuture&) { state->memberClosed(); });
  }
  for (std::size_t i = 0; i < snapshot->runs.size(); ++i) {
    EventLoop* loop = snapshot->runs[i].loop;
    if (loop->inEventLoop()) {
      beginDrain(state, i);
      continue;
    }
    try {
      loop->execute([state, i] { beginDrain(state, i); });
    } catch (const ErrorException&) {
      // The loop has terminated: its channels closed with it.
    }
  }
  return result;
}

}  // namespace sluice
