#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/channel/Channel.h>
#include <sluice/channel/DrainEvent.h>
#include <sluice/channel/group/ChannelGroupFuture.h>
#include <sluice/codec/EncodedMessage.h>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

namespace detail {
struct ChannelGroupState;
}  // namespace detail

/// How a ChannelGroup broadcast is sent.
struct ChannelGroupWriteOptions {
  /// Write with each member's void promise: no allocation per member, failures go to the
  /// member's exceptionCaught, and the returned future succeeds once the writes are issued
  /// (Netty's voidPromise flag).
  bool voidPromise = false;
  /// A member to leave out (typically the sender), or null.
  const Channel* exclude = nullptr;
};

/// A set of channels that can be written to and closed together (Netty's
/// DefaultChannelGroup): a chat room, the connections of a server for shutdown.
///
/// Membership. The group holds each member as a ChannelPtr, and forgets a member once it
/// closes (through its closeFuture), so a group never keeps closed channels alive.
///
/// Broadcast. A message is encoded once, before it is sent: writeAndFlush() takes the wire
/// bytes, or a function that makes them, called exactly once. Each member receives an
/// EncodedMessage holding its own duplicate() of that one buffer: the bytes are shared by
/// reference count, never copied, and encoders in the members' pipelines pass them through
/// untouched. Members are grouped by event loop: those on the calling thread's loop are
/// written at once, and each other loop gets one task that writes to all its members, not
/// one task per member. A broadcast with WriteOptions{.voidPromise = true} makes no promise
/// per member: one allocation for the returned future, and the one encoded buffer.
///
/// Membership changes are O(1); the first broadcast after a change rebuilds the list of
/// members grouped by loop (O(n)), later ones reuse it without copying or locking for long.
///
/// Thread: any; every method may be called from any thread, concurrently.
class ChannelGroup {
 public:
  /// How a broadcast is sent (see ChannelGroupWriteOptions).
  using WriteOptions = ChannelGroupWriteOptions;

  explicit ChannelGroup(std::string name = "group");
  ~ChannelGroup();
  ChannelGroup(const ChannelGroup&) = delete;
  ChannelGroup& operator=(const ChannelGroup&) = delete;

  const std::string& name() const noexcept { return name_; }

  /// Adds `channel`; false if it was a member already. A channel that is already closed is
  /// removed again as soon as its closeFuture's listener runs.
  bool add(ChannelPtr channel);
  /// Removes `channel`; false if it was not a member.
  bool remove(const Channel& channel);
  bool contains(const Channel& channel) const;
  std::size_t size() const;
  bool isEmpty() const { return size() == 0; }
  /// The members now.
  std::vector<ChannelPtr> channels() const;

  /// Sends `encoded` (moved) to every member, each through its own duplicate, and flushes.
  ChannelGroupFuture writeAndFlush(ByteBuf encoded, WriteOptions options);
  ChannelGroupFuture writeAndFlush(ByteBuf encoded) {
    return writeAndFlush(std::move(encoded), {});
  }
  ChannelGroupFuture writeAndFlush(EncodedMessage encoded, WriteOptions options = {}) {
    return writeAndFlush(std::move(encoded).content(), options);
  }
  /// Calls `encode(alloc)` once, with the default allocator, for the wire bytes, then sends
  /// them as above. `encode` returns a ByteBuf.
  template <typename Encode>
  requires std::invocable<Encode&, ByteBufAllocator&> ChannelGroupFuture
  writeAndFlush(Encode&& encode, WriteOptions options = {}) {
    ByteBuf bytes = encode(ByteBufAllocator::defaultAllocator());
    return writeAndFlush(std::move(bytes), options);
  }

  /// Sends each member the message `select(member)` makes, and flushes: a broadcast whose
  /// bytes depend on the member (WebSocketBroadcast sends a message compressed once per
  /// permessage-deflate setting the members negotiated). Members are grouped by loop as
  /// above; `select` runs on each member's loop, on several loops at once, so it must be
  /// thread-safe. It is kept (shared) until the last loop has used it.
  ChannelGroupFuture writeAndFlushEach(std::function<Message(Channel&)> select,
                                       WriteOptions options = {});

  /// Closes every member. The future completes when all have closed.
  ChannelGroupFuture close();
  /// Closes every member gracefully: fires a DrainEvent through each one's pipeline (the
  /// protocol handlers send WebSocket close 1001, finish the HTTP response in flight with
  /// `Connection: close`; a pipeline that does not answer it closes at once), waits until all
  /// have closed or `timeout` has passed, then closes the rest (CloseInitiator::Shutdown,
  /// "drain deadline"). Members are grouped by loop as for a broadcast, and each loop times
  /// its own members out. The future completes once every member has closed, with how many
  /// closed in time and how many were forced; an empty group completes at once. It is not
  /// bound to a loop, so it may be waited on from any thread but a loop's.
  Future<DrainResult> drain(std::chrono::milliseconds timeout);

 private:
  std::string name_;
  std::shared_ptr<detail::ChannelGroupState> state_;
};

}  // namespace sluice
