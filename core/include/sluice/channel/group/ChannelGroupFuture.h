#pragma once

#include <sluice/concurrent/Future.h>
#include <sluice/util/Error.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

namespace sluice {

namespace detail {

/// The shared state of a ChannelGroupFuture: a Future<void> state plus the members' tally.
class ChannelGroupAggregate final : public FutureState<void> {
 public:
  explicit ChannelGroupAggregate(std::size_t size) noexcept
      : FutureState<void>(nullptr), size_(size), remaining_(size) {}

  std::size_t size() const noexcept { return size_; }
  std::size_t succeeded() const noexcept { return succeeded_.load(std::memory_order_acquire); }
  std::size_t failed() const noexcept { return failed_.load(std::memory_order_acquire); }

  /// Counts one member's outcome; completes the future after the last one.
  void memberDone(const Error& error);
  /// Completes at once when there are no members.
  void completeIfEmpty();

 private:
  void finish();

  std::size_t size_;
  std::atomic<std::size_t> remaining_;
  std::atomic<std::size_t> succeeded_{0};
  std::atomic<std::size_t> failed_{0};
  std::mutex firstErrorMutex_;
  Error firstError_;
};

}  // namespace detail

/// The result of an operation on every member of a ChannelGroup (Netty's
/// ChannelGroupFuture): it succeeds when every member's operation succeeded and fails when
/// any failed, with the first failure's code and the message "N of M channels failed:
/// <first failure>". The tally can be read once it is done. Listeners run on the thread
/// that completes the last member's operation (a channel's loop). Thread: any.
class ChannelGroupFuture : public Future<void> {
 public:
  ChannelGroupFuture() = default;

  /// The members the operation went to.
  std::size_t size() const noexcept { return aggregate_->size(); }
  std::size_t successCount() const noexcept { return aggregate_->succeeded(); }
  std::size_t failureCount() const noexcept { return aggregate_->failed(); }
  /// Some, not all, members succeeded.
  bool isPartialSuccess() const noexcept { return successCount() != 0 && successCount() != size(); }
  /// Some, not all, members failed.
  bool isPartialFailure() const noexcept { return failureCount() != 0 && failureCount() != size(); }

 private:
  friend class ChannelGroup;
  explicit ChannelGroupFuture(std::shared_ptr<detail::ChannelGroupAggregate> aggregate)
      : Future<void>(aggregate), aggregate_(std::move(aggregate)) {}

  std::shared_ptr<detail::ChannelGroupAggregate> aggregate_;
};

}  // namespace sluice
