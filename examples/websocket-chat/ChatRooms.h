#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/channel/group/ChannelGroup.h>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

/// The chat's rooms: room name -> the ChannelGroup of its members. A room exists while it
/// has members: the first join makes it, the last leave drops it.
///
/// Thread: any. The members of one room live on several event loops, which all join and
/// leave through one ChatRooms, so the map is guarded by a mutex; joining and leaving hold it
/// across the membership change, so a room being dropped by its last leave is never joined.
/// Broadcasts run outside the lock, on the group each member keeps.
class ChatRooms {
 public:
  /// Adds `channel` to room `room`, making the room if needed, and returns the room.
  std::shared_ptr<sluice::ChannelGroup> join(std::string_view room, sluice::ChannelPtr channel) {
    const std::lock_guard lock(mutex_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) {
      it =
          rooms_
              .emplace(std::string(room), std::make_shared<sluice::ChannelGroup>(std::string(room)))
              .first;
    }
    it->second->add(std::move(channel));
    return it->second;
  }

  /// Removes `channel` from room `room`, and drops the room once it is empty. A closed
  /// channel may have left its group already (a group forgets closed members by itself);
  /// the room is dropped all the same.
  void leave(std::string_view room, const sluice::Channel& channel) {
    const std::lock_guard lock(mutex_);
    const auto it = rooms_.find(room);
    if (it == rooms_.end()) {
      return;
    }
    it->second->remove(channel);
    if (it->second->isEmpty()) {
      rooms_.erase(it);
    }
  }

  /// The room named `room`, or null when it has no members.
  std::shared_ptr<sluice::ChannelGroup> find(std::string_view room) const {
    const std::lock_guard lock(mutex_);
    const auto it = rooms_.find(room);
    return it == rooms_.end() ? nullptr : it->second;
  }

  /// How many rooms have members.
  std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return rooms_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<sluice::ChannelGroup>, std::less<>> rooms_;
};
